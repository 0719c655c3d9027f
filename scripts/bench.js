/**
 * `npm run bench`: lp-batch beside a bare undici loop (the ceiling) and the official SDK with p-limit
 * (the peer), each against the simulator in its own process; then faults, a server of little
 * capacity, memory on growing inputs and on a resume, start-up, and `lp-batch estimate`. Every
 * measured run is a fresh child process. Prints the tables, then one line `BENCH_RESULT {json}`,
 * and writes the same to bench/RESULTS.md (`--results`).
 *
 * Usage: node scripts/bench.js [--quick] [--name value ...]   (node scripts/bench.js --help)
 * `--cases faults,capacity` measures only those cases and prints their JSON (no tables, no RESULTS.md).
 * Exit code: 0 whether targets are met or missed; 2 when the bench itself broke (a contender crashed,
 * lost or doubled results, or a request failed against the fault-free simulator).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASE_NAMES, parseBenchArgs, USAGE } from './bench-args.js';
import {
  capacityCase,
  estimateCase,
  faultsCase,
  latencyCase,
  memoryCase,
  startupCase,
  throughputCase,
} from './bench-cases.js';
import { BENCH_ENV, measureRun } from './bench-contenders.js';
import { judgeTargets, printTables, writeResultsFile } from './bench-report.js';
import { killChildren } from './bench-spawn.js';
import { writeRequestsFile } from './bench-util.js';

const log = (text) => process.stderr.write(`${text}\n`);
const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let opts;
try {
  opts = parseBenchArgs(argv);
} catch (error) {
  log(`bench: ${error.message}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'lp-batch-bench-'));
const cleanUp = () => {
  killChildren();
  rmSync(dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`bench: ${signal}, stopping`);
    cleanUp();
    // A script, not src/: the only way to stop whatever is still awaiting.
    process.exit(2);
  });
}

const inputs = new Map();
const ctx = {
  opts,
  env: BENCH_ENV,
  log,
  path: (name) => join(dir, name),
  remove: (name) => rmSync(join(dir, name), { force: true }),
  /** The generated input of `n` lines (written once, shared by every case that needs that size). */
  input: async (n) => {
    if (!inputs.has(n)) {
      const path = join(dir, `requests-${n}.jsonl`);
      log(`bench: writing ${n} requests to ${path}`);
      await writeRequestsFile(path, n);
      inputs.set(n, path);
    }
    return inputs.get(n);
  },
  /** One measured run of a contender; a run gets a minute plus 2 ms per request unless told otherwise. */
  measure: async (name, sim, n, c, extra = {}) =>
    measureRun(name, {
      sim,
      input: await ctx.input(n),
      output: extra.output ?? join(dir, 'results.jsonl'),
      n,
      c,
      timeoutMs: extra.timeoutMs ?? 60_000 + 2 * n,
      rusageFile: join(dir, 'rusage.json'),
      faults: extra.faults ?? false,
      resume: extra.resume ?? false,
    }),
};

try {
  const started = performance.now();
  const loadStart = loadavg()[0];
  log(
    `bench: ${opts.quick ? 'quick run' : 'full run'}, node ${process.version}, ${cpus().length} cores, load ${loadStart.toFixed(2)}`,
  );
  const result = {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
      date: new Date().toISOString(),
      load_start: round2(loadStart),
      load_end: 0,
    },
    quick: opts.quick,
  };
  const cases = {
    throughput: throughputCase,
    latency: latencyCase,
    faults: faultsCase,
    capacity: capacityCase,
    memory: memoryCase,
    startup: startupCase,
    estimate: estimateCase,
  };
  const selected = opts.cases === 'all' ? CASE_NAMES : opts.cases.split(',');
  for (const name of selected) result[name] = await cases[name](ctx);
  result.machine.load_end = round2(loadavg()[0]);
  result.bench_s = round2((performance.now() - started) / 1000);
  if (selected.length < CASE_NAMES.length) {
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    log(`bench: ${result.bench_s} s; only ${selected.join(', ')}: ${opts.results} left as it is`);
  } else {
    result.targets = judgeTargets(result);
    printTables(result, (text) => process.stdout.write(text));
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    writeResultsFile(
      opts.results,
      result,
      ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    );
    log(`bench: ${result.bench_s} s; results in ${opts.results}`);
  }
} catch (error) {
  log(`bench: broke: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  cleanUp();
}

function round2(value) {
  return Math.round(value * 100) / 100;
}
