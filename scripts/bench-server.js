/**
 * The simulator in its own process, so that its CPU does not share the benchmarked client's event
 * loop. Prints one JSON line `{"url": ...}` once it listens; stops when stdin closes or on SIGTERM
 * (so it never outlives the benchmark, even when the parent is killed).
 *
 * Usage: node scripts/bench-server.js [--latency MS]
 */
import { startMockServer } from '../dist/mock/server.js';

const latencyIndex = process.argv.indexOf('--latency');
const latencyMs = latencyIndex === -1 ? 0 : Number(process.argv[latencyIndex + 1]);

// record: false keeps the server's memory flat over hundreds of thousands of requests.
const server = await startMockServer({ record: false, latencyMs });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.stderr.write(
    `bench-server: ${server.stats.received} requests, by status ${JSON.stringify(server.stats.byStatus)}\n`,
  );
  process.exitCode = 0;
  process.stdin.destroy();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
