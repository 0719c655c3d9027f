/** The benchmark's flags: sizes and rounds, their defaults, and the `--quick` smoke-run sizes. */

/** Defaults: the whole bench in about 15 minutes on a 2-core machine. */
export const DEFAULTS = {
  rounds: 5, // interleaved rounds of the no-latency throughput case
  n: 20_000, // requests per throughput run
  c: 64, // concurrency of every contender (the capacity case excepted)
  'latency-ms': 50,
  'latency-n': 20_000,
  'latency-rounds': 3,
  'fault-n': 5_000,
  'fault-rounds': 2,
  'fault-latency-ms': 50,
  'fault-cap-s': 45, // a fault run still going after this is stopped and judged on what it finished
  'capacity-n': 2_000,
  'capacity-c': 32,
  'capacity-max': 4, // the simulator answers 529 beyond this many requests at once
  'capacity-latency-ms': 20,
  'memory-sizes': [20_000, 300_000, 1_000_000],
  'startup-rounds': 10,
  results: 'bench/RESULTS.md',
  // `faults,capacity`: only those cases, printed as JSON; bench/RESULTS.md is left as it is.
  cases: 'all',
};

/** The cases of the bench, in the order a full run measures them. */
export const CASE_NAMES = ['throughput', 'latency', 'faults', 'capacity', 'memory', 'startup', 'estimate'];

/** `--quick`: every case, tiny sizes, about a minute. Flags given beside it still win. */
export const QUICK = {
  rounds: 2,
  n: 2_000,
  'latency-n': 2_000,
  'latency-rounds': 1,
  'fault-n': 300,
  'fault-rounds': 1,
  'fault-cap-s': 5,
  'capacity-n': 200,
  'memory-sizes': [2_000, 10_000, 30_000],
  'startup-rounds': 3,
};

export const USAGE = `Usage: node scripts/bench.js [--quick] [--name value ...]
Flags and defaults (--quick sizes in brackets):
${Object.entries(DEFAULTS)
  .map(([name, value]) => `  --${name} ${value}${name in QUICK ? `  [${QUICK[name]}]` : ''}`)
  .join('\n')}`;

/**
 * Parses `--quick` and `--name value` pairs over DEFAULTS. Numbers must be >= 0 (counts >= 1);
 * `--memory-sizes` is a comma-separated list; `--results` a path. Throws on anything else.
 */
export function parseBenchArgs(argv) {
  const given = {};
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') {
      quick = true;
      continue;
    }
    const name = arg.replace(/^--/, '');
    const text = argv[++i];
    if (!arg.startsWith('--') || !(name in DEFAULTS) || text === undefined) {
      throw new Error(`Expected --quick or one of the flags below, got \`${arg}\`\n${USAGE}`);
    }
    given[name] = parseValue(name, text);
  }
  return { ...DEFAULTS, ...(quick ? QUICK : {}), ...given, quick };
}

function parseValue(name, text) {
  if (name === 'results') return text;
  if (name === 'cases') {
    if (text === 'all') return text;
    const names = text.split(',');
    const unknown = names.filter((n) => !CASE_NAMES.includes(n));
    if (unknown.length > 0 || names.length === 0) {
      throw new Error(
        `Expected \`--cases\` to be all or a list of ${CASE_NAMES.join(', ')}, got \`${text}\``,
      );
    }
    return names.join(',');
  }
  const values = text.split(',').map(Number);
  const zeroAllowed = name.endsWith('-ms');
  const bad = values.some((v) => !Number.isFinite(v) || v < 0 || (!zeroAllowed && v === 0));
  if (bad || (name !== 'memory-sizes' && values.length !== 1)) {
    throw new Error(
      `Expected \`--${name}\` to be ${name === 'memory-sizes' ? 'a list of positive numbers' : 'a positive number'}, got \`${text}\``,
    );
  }
  return name === 'memory-sizes' ? values : values[0];
}
