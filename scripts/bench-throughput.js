/**
 * One throughput run in a fresh process, against the simulator in another: either a bare undici loop
 * (the honest floor of what HTTP costs) or runBatch on a JSONL file. A fresh process per run so that
 * neither contender inherits the other's heap, timers or JIT state. Prints one JSON line: counts,
 * wall time, req/s and the client's CPU time per request (steadier than req/s on a busy machine).
 *
 * Usage: node scripts/bench-throughput.js bare BASE_URL N CONCURRENCY
 *        node scripts/bench-throughput.js lp-batch BASE_URL N CONCURRENCY INPUT OUTPUT
 */
import { rmSync } from 'node:fs';
import { Pool } from 'undici';
import { runBatch } from '../dist/index.js';
import { benchEndpoint, requestParams } from './bench-util.js';

/**
 * `n` POSTs through one undici Pool of `concurrency` connections, `concurrency` workers pulling the
 * next index; every body is read and JSON.parse-d, like lp-batch does. No retries, no output file.
 */
async function runBare({ baseUrl, n, concurrency }) {
  const { url, headers } = benchEndpoint(baseUrl);
  // Serialized up front: the floor is the HTTP cost alone.
  const bodies = Array.from({ length: n }, (_, i) => JSON.stringify(requestParams(i)));
  const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
  const requestHeaders = { ...headers, accept: 'application/json' };
  let next = 0;
  let succeeded = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const res = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: requestHeaders,
        body: bodies[i],
      });
      const message = JSON.parse(await res.body.text());
      if (res.statusCode !== 200) {
        throw new Error(`bare: request ${i} got ${res.statusCode}: ${message.error?.message}`);
      }
      if (typeof message.usage?.output_tokens !== 'number') throw new Error(`bare: request ${i}: no usage`);
      succeeded += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
  return { succeeded, errored: n - succeeded };
}

/** runBatch on `inputPath` into a fresh `outputPath`, progress off; the output is removed after. */
async function runLpBatch({ baseUrl, concurrency, inputPath, outputPath }) {
  rmSync(outputPath, { force: true });
  let warnings = 0;
  const report = await runBatch({
    inputPath,
    outputPath,
    // The same endpoint as the bare baseline (benchEndpoint): the simulator, an x-api-key.
    provider: 'anthropic',
    baseUrl,
    apiKey: 'bench-key',
    concurrency,
    onWarning: (message) => {
      // A warning per line would be a benchmark of stderr; show the first few only.
      if (++warnings <= 3) process.stderr.write(`bench-throughput: warning: ${message}\n`);
    },
  });
  rmSync(outputPath, { force: true });
  return { succeeded: report.summary.requests.succeeded, errored: report.summary.requests.errored };
}

const [kind, baseUrl, nText, concurrencyText, inputPath, outputPath] = process.argv.slice(2);
const n = Number(nText);
const concurrency = Number(concurrencyText);
if (
  !['bare', 'lp-batch'].includes(kind) ||
  !baseUrl ||
  !(n > 0) ||
  !(concurrency > 0) ||
  (kind === 'lp-batch' && !(inputPath && outputPath))
) {
  throw new Error(
    'Usage: node scripts/bench-throughput.js bare|lp-batch BASE_URL N CONCURRENCY [INPUT OUTPUT]',
  );
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
const counts =
  kind === 'bare'
    ? await runBare({ baseUrl, n, concurrency })
    : await runLpBatch({ baseUrl, concurrency, inputPath, outputPath });
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    kind,
    ...counts,
    wallMs,
    reqPerSec: (counts.succeeded / wallMs) * 1000,
    cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, counts.succeeded),
  })}\n`,
);
