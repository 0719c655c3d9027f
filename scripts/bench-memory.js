/**
 * One runBatch in a fresh process, with its memory sampled every 50 ms: a fresh process so that the
 * small and the big run start from the same baseline (RSS never shrinks back within a process).
 * Prints one JSON line: peaks of RSS and heapUsed, the baseline before the run, wall time, counts.
 *
 * Usage: node scripts/bench-memory.js INPUT OUTPUT BASE_URL CONCURRENCY
 * Also the target of `node --cpu-prof scripts/bench-memory.js ...` when lp-batch needs profiling.
 */
import { runBatch } from '../dist/index.js';

const [inputPath, outputPath, baseUrl, concurrencyText] = process.argv.slice(2);
if (!inputPath || !outputPath || !baseUrl || !concurrencyText) {
  throw new Error('Usage: node scripts/bench-memory.js INPUT OUTPUT BASE_URL CONCURRENCY');
}

const SAMPLE_MS = 50;
const before = process.memoryUsage();
const peak = { rss: before.rss, heapUsed: before.heapUsed };
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  if (rss > peak.rss) peak.rss = rss;
  if (heapUsed > peak.heapUsed) peak.heapUsed = heapUsed;
};
const sampler = setInterval(sample, SAMPLE_MS);

const started = performance.now();
const report = await runBatch({
  inputPath,
  outputPath,
  // The same endpoint as the bare baseline (benchEndpoint): the simulator, an x-api-key.
  provider: 'anthropic',
  baseUrl,
  apiKey: 'bench-key',
  concurrency: Number(concurrencyText),
  onWarning: (message) => process.stderr.write(`bench-memory: warning: ${message}\n`),
});
const wallMs = performance.now() - started;
sample();
clearInterval(sampler);

process.stdout.write(
  `${JSON.stringify({
    succeeded: report.summary.requests.succeeded,
    errored: report.summary.requests.errored,
    wallMs,
    reqPerSec: (report.summary.requests.succeeded / wallMs) * 1000,
    baselineRss: before.rss,
    baselineHeap: before.heapUsed,
    peakRss: peak.rss,
    peakHeap: peak.heapUsed,
  })}\n`,
);
