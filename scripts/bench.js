/**
 * `npm run bench`: lp-batch's throughput against a bare undici loop, and its memory on a small and a
 * big input, all against the simulator in a child process on 127.0.0.1 (latency 0). Every measured
 * run is a fresh child process, so no run inherits another's heap, timers or JIT state.
 *
 * Usage: node scripts/bench.js [--n 20000] [--c 32] [--small 20000] [--big 200000]
 * Exit code: 0 pass; 1 lp-batch < 0.7x bare, or peak heap on the big run > 3x the small run;
 * 2 a request failed or the bench broke; 3 the whole bench took longer than 5 minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './bench-table.js';
import { formatInt, formatMb, parseNumberArgs, spawnJsonChild, writeRequestsFile } from './bench-util.js';

const TIME_LIMIT_MS = 5 * 60_000;
const MIN_RATIO = 0.7;
const MAX_HEAP_GROWTH = 3;
const ROUNDS = 2;

const opts = parseNumberArgs(process.argv.slice(2), { n: 20_000, c: 32, small: 20_000, big: 200_000 });
const script = (name) => fileURLToPath(new URL(name, import.meta.url));
const deadline = performance.now() + TIME_LIMIT_MS;
const dir = mkdtempSync(join(tmpdir(), 'lp-batch-bench-'));
const children = new Set();
const log = (text) => process.stderr.write(`${text}\n`);

/** Runs one child script to its JSON answer, within what is left of the time limit. */
const measure = async (name, args) => {
  const { value } = await spawnJsonChild(script(name), args, {
    timeoutMs: Math.max(1, deadline - performance.now()),
    children,
  });
  return value;
};

const cleanUp = () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
const timer = setTimeout(() => {
  log(`bench: aborted after ${TIME_LIMIT_MS / 60_000} min`);
  cleanUp();
  // A script, not src/: the only way to stop whatever is still awaiting.
  process.exit(3);
}, TIME_LIMIT_MS);

try {
  const server = await spawnJsonChild(script('bench-server.js'), [], { timeoutMs: 10_000, children });
  const baseUrl = server.value.url;
  log(`bench: simulator at ${baseUrl} (pid ${server.child.pid}), n ${opts.n}, concurrency ${opts.c}`);

  const inputs = {
    throughput: { path: join(dir, 'throughput.jsonl'), lines: opts.n },
    small: { path: join(dir, 'small.jsonl'), lines: opts.small },
    big: { path: join(dir, 'big.jsonl'), lines: opts.big },
  };
  for (const input of Object.values(inputs)) input.bytes = await writeRequestsFile(input.path, input.lines);

  // Alternate so that warm-up of the server and the noise of other processes hit both alike; keep the best.
  const bare = [];
  const lp = [];
  const common = [baseUrl, String(opts.n), String(opts.c)];
  for (let round = 1; round <= ROUNDS; round++) {
    bare.push(await measure('bench-throughput.js', ['bare', ...common]));
    log(`bench: round ${round} bare     ${formatInt(bare.at(-1).reqPerSec)} req/s`);
    const output = join(dir, 'throughput.results.jsonl');
    lp.push(await measure('bench-throughput.js', ['lp-batch', ...common, inputs.throughput.path, output]));
    log(`bench: round ${round} lp-batch ${formatInt(lp.at(-1).reqPerSec)} req/s`);
  }
  const best = (runs) => runs.reduce((a, b) => (b.reqPerSec > a.reqPerSec ? b : a));
  const ratio = best(lp).reqPerSec / best(bare).reqPerSec;

  const memory = {};
  for (const name of ['small', 'big']) {
    const output = join(dir, `${name}.results.jsonl`);
    const run = await measure('bench-memory.js', [inputs[name].path, output, baseUrl, String(opts.c)]);
    rmSync(output, { force: true });
    memory[name] = { lines: inputs[name].lines, inputBytes: inputs[name].bytes, ...run };
    log(`bench: memory ${name} peak heap ${formatMb(run.peakHeap)} in ${formatInt(run.wallMs)} ms`);
  }
  const heapGrowth = memory.big.peakHeap / memory.small.peakHeap;
  const rssGrowth = memory.big.peakRss / memory.small.peakRss;

  const failed = [...bare, ...lp, memory.small, memory.big].some((r) => r.errored > 0 || r.succeeded === 0);
  const pass = ratio >= MIN_RATIO && heapGrowth <= MAX_HEAP_GROWTH;
  printTable({
    bare,
    lp,
    ratio,
    memory,
    heapGrowth,
    rssGrowth,
    minRatio: MIN_RATIO,
    maxHeapGrowth: MAX_HEAP_GROWTH,
  });
  const mb = (bytes) => round3(bytes / 1e6);
  const result = {
    n: opts.n,
    concurrency: opts.c,
    bare_req_s: Math.round(best(bare).reqPerSec),
    lp_batch_req_s: Math.round(best(lp).reqPerSec),
    ratio: round3(ratio),
    bare_runs_req_s: bare.map((r) => Math.round(r.reqPerSec)),
    lp_batch_runs_req_s: lp.map((r) => Math.round(r.reqPerSec)),
    bare_cpu_us_per_req: round3(Math.min(...bare.map((r) => r.cpuUsPerReq))),
    lp_batch_cpu_us_per_req: round3(Math.min(...lp.map((r) => r.cpuUsPerReq))),
    memory: Object.fromEntries(
      Object.entries(memory).map(([name, m]) => [
        name,
        {
          lines: m.lines,
          input_mb: mb(m.inputBytes),
          peak_rss_mb: mb(m.peakRss),
          peak_heap_mb: mb(m.peakHeap),
          baseline_rss_mb: mb(m.baselineRss),
          baseline_heap_mb: mb(m.baselineHeap),
          req_s: Math.round(m.reqPerSec),
        },
      ]),
    ),
    heap_growth: round3(heapGrowth),
    rss_growth: round3(rssGrowth),
    failed_requests: failed,
    pass,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  process.exitCode = failed ? 2 : pass ? 0 : 1;
} catch (error) {
  log(`bench: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 2;
} finally {
  clearTimeout(timer);
  cleanUp();
}

function round3(value) {
  return Math.round(value * 1000) / 1000;
}
