/**
 * The simulator in its own process, so that its CPU does not share the benchmarked client's event
 * loop. Prints one JSON line `{"url": ...}` once it listens. Each line `stats` on stdin is answered
 * with one JSON line: what the server saw since the previous `stats` (requests, statuses, 529s for
 * want of capacity, its own CPU time, the first and the last arrival as epoch ms). Stops when stdin closes or on
 * SIGTERM (so it never outlives the benchmark, even when the parent is killed).
 *
 * Usage: node scripts/bench-server.js [--latency-ms N] [--overload-rate R] [--rate-limit-rate R]
 *          [--max-concurrent N] [--seed S]
 */
import { createInterface } from 'node:readline';
import { startMockServer } from '../dist/mock/server.js';

const FLAGS = {
  'latency-ms': 0,
  'overload-rate': 0,
  'rate-limit-rate': 0,
  'max-concurrent': 0,
  seed: 1,
};

/**
 * The only place that turns the bench's simulator flags into startMockServer options. The random
 * 529s and 429s (retry-after 1 s) are the simulator's own, drawn from its seeded generator, so two
 * runs of a case draw the same faults. The `fault` callback only notes arrival times, never a fault.
 */
function simulatorOptions(flags, onArrival) {
  return {
    // record: false keeps the server's memory flat over a million requests.
    record: false,
    latencyMs: flags['latency-ms'],
    overloadRate: flags['overload-rate'],
    rateLimitRate: flags['rate-limit-rate'],
    maxConcurrent: flags['max-concurrent'] > 0 ? flags['max-concurrent'] : undefined,
    seed: flags.seed,
    fault: () => {
      onArrival();
      return undefined;
    },
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
