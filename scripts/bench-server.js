/**
 * The simulator in its own process, so that its CPU does not share the benchmarked client's event
 * loop. Prints one JSON line `{"url": ...}` once it listens. Each line `stats` on stdin is answered
 * with one JSON line: what the server saw since the previous `stats` (requests, statuses, 529s for
 * want of capacity, its own CPU time, the first and the last arrival as epoch ms). Stops when stdin closes or on
 * SIGTERM (so it never outlives the benchmark, even when the parent is killed).
 *
 * Usage: node scripts/bench-server.js [--latency-ms N] [--overload-rate R] [--rate-limit-rate R]
 *          [--retry-after S] [--max-concurrent N] [--seed S]
 */
import { createInterface } from 'node:readline';
import { startMockServer } from '../dist/mock/server.js';

const FLAGS = {
  'latency-ms': 0,
  'overload-rate': 0,
  'rate-limit-rate': 0,
  'retry-after': 1,
  'max-concurrent': 0,
  seed: 1,
};

/**
 * The only place that turns the bench's simulator flags into startMockServer options. Random 529s
 * and 429s go through the server's `fault` callback with a seeded generator, so two runs of a case
 * draw the same faults. Once the simulator takes overloadRate, rateLimitRate and seed itself, pass
 * them through here and keep only the arrival bookkeeping in `fault`.
 */
function simulatorOptions(flags, onArrival) {
  const random = mulberry32(flags.seed);
  const overloaded = { kind: 'api-error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' };
  const rateLimited = {
    kind: 'api-error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'Number of requests has exceeded your rate limit',
    headers: { 'retry-after': String(flags['retry-after']) },
  };
  return {
    // record: false keeps the server's memory flat over a million requests.
    record: false,
    latencyMs: flags['latency-ms'],
    ...(flags['max-concurrent'] > 0 ? { maxConcurrent: flags['max-concurrent'] } : {}),
    fault: () => {
      onArrival();
      const draw = random();
      if (draw < flags['overload-rate']) return overloaded;
      if (draw < flags['overload-rate'] + flags['rate-limit-rate']) return rateLimited;
      return undefined;
    },
  };
}

/** A small, seedable PRNG (Mulberry32): uniform in [0, 1). */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseFlags(argv) {
  const flags = { ...FLAGS };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!(name in FLAGS) || !Number.isFinite(value) || value < 0) {
      throw new Error(`bench-server: expected --flag value with a flag of ${Object.keys(FLAGS).join(', ')}`);
    }
    flags[name] = value;
  }
  return flags;
}

const epochMs = () => performance.timeOrigin + performance.now();
let window = { firstAt: 0, lastAt: 0 };
const server = await startMockServer(
  simulatorOptions(parseFlags(process.argv.slice(2)), () => {
    const now = epochMs();
    if (window.firstAt === 0) window.firstAt = now;
    window.lastAt = now;
  }),
);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

let previous = { received: 0, overCapacity: 0, byStatus: {}, cpu: process.cpuUsage() };
const snapshot = () => {
  const { received, overCapacity, byStatus } = server.stats;
  const byStatusSince = {};
  for (const [status, count] of Object.entries(byStatus)) {
    const since = count - (previous.byStatus[status] ?? 0);
    if (since > 0) byStatusSince[status] = since;
  }
  const cpu = process.cpuUsage(previous.cpu);
  const answer = {
    received: received - previous.received,
    // The simulator's own CPU: near a whole core, it (not the client) sets the pace.
    cpuUs: cpu.user + cpu.system,
    overCapacity: overCapacity - previous.overCapacity,
    byStatus: byStatusSince,
    ...window,
  };
  previous = { received, overCapacity, byStatus: { ...byStatus }, cpu: process.cpuUsage() };
  window = { firstAt: 0, lastAt: 0 };
  return answer;
};

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exitCode = 0;
  process.stdin.destroy();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify(snapshot())}\n`);
});
commands.on('close', stop);
