/**
 * The ceiling: the least a client must do to send a JSONL file's requests at a given concurrency.
 * `concurrency` workers pull the next line, POST its params through one undici Pool, read the body
 * and JSON.parse it. No validation, no retries, no output file: whatever lp-batch costs beyond this
 * is the price of its guarantees. Prints one JSON line `{ succeeded, errored }`.
 *
 * Usage: ANTHROPIC_API_KEY=... node scripts/bench-bare.js INPUT BASE_URL CONCURRENCY
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

const [inputPath, baseUrl, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
if (!inputPath || !baseUrl || !(concurrency > 0)) {
  throw new Error('Usage: node scripts/bench-bare.js INPUT BASE_URL CONCURRENCY');
}

const lines = readFileSync(inputPath, 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const url = new URL('/v1/messages', baseUrl);
const headers = {
  'x-api-key': process.env.ANTHROPIC_API_KEY ?? '',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
  accept: 'application/json',
};
const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
let next = 0;
let succeeded = 0;
let errored = 0;
const worker = async () => {
  for (let i = next++; i < lines.length; i = next++) {
    const res = await pool.request({
      path: url.pathname,
      method: 'POST',
      headers,
      body: JSON.stringify(JSON.parse(lines[i]).params),
    });
    const message = JSON.parse(await res.body.text());
    if (res.statusCode === 200 && typeof message.usage?.output_tokens === 'number') succeeded++;
    else errored++;
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
await pool.close();
process.stdout.write(`${JSON.stringify({ succeeded, errored })}\n`);
