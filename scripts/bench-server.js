/**
 * The simulator in its own process, so that its CPU does not share the benchmarked client's event
 * loop. Prints one JSON line `{"url": ...}` once it listens. Each line `stats` on stdin is answered
 * with one JSON line: what the server saw since the previous `stats` (requests, statuses, 529s for
 * want of capacity, its own CPU time, the first and the last arrival as epoch ms). Stops when stdin closes or on
 * SIGTERM (so it never outlives the benchmark, even when the parent is killed).
 *
 * Usage: node scripts/bench-server.js [any flag of lp-batch mock-server but --port, e.g. --latency-ms N
 *          --overload-rate R --rate-limit-rate R --max-concurrent N --seed S]
 */
import { createInterface } from 'node:readline';
import { startMockServer } from '../dist/mock/server.js';
import { MOCK_SERVER_OPTIONS } from '../dist/options/mock-server.js';

/**
 * The only place that turns the bench's simulator flags into startMockServer options: any flag of
 * `lp-batch mock-server` (`--latency-ms 50`, `--overload-rate 0.2`, ...), checked by the simulator's
 * own option table. The random 529s and 429s (retry-after 1 s) are the simulator's own, drawn from
 * its seeded generator (seed 1 unless given), so two runs of a case draw the same faults. The
 * `fault` callback only notes arrival times, never a fault.
 */
function simulatorOptions(argv, onArrival) {
  const given = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = (argv[i] ?? '').replace(/^--/, '').replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
    if (!(name in MOCK_SERVER_OPTIONS) || argv[i + 1] === undefined) {
      throw new Error(
        `bench-server: expected --flag value pairs of lp-batch mock-server's flags, got ${argv[i]}`,
      );
    }
    given[name] = Number(argv[i + 1]);
  }
  return {
    seed: 1,
    ...given,
    // record: false keeps the server's memory flat over a million requests.
    record: false,
    fault: () => {
      onArrival();
      return undefined;
    },
  };
}

const epochMs = () => performance.timeOrigin + performance.now();
let window = { firstAt: 0, lastAt: 0 };
const server = await startMockServer(
  simulatorOptions(process.argv.slice(2), () => {
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
