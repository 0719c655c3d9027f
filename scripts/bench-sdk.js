/**
 * The peer: the official SDK with p-limit, the way a user writes a batch script from their READMEs
 * (one client, `messages.create` per line, `Promise.all` over limited tasks, the SDK's default
 * retries), writing the same kind of result lines as lp-batch (`{custom_id, result}`) to OUTPUT.
 *
 * Usage: ANTHROPIC_API_KEY=... node scripts/bench-sdk.js INPUT OUTPUT BASE_URL CONCURRENCY
 */
import Anthropic from '@anthropic-ai/sdk';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import pLimit from 'p-limit';

const [inputPath, outputPath, baseURL, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
if (!inputPath || !outputPath || !baseURL || !(concurrency > 0)) {
  throw new Error('Usage: node scripts/bench-sdk.js INPUT OUTPUT BASE_URL CONCURRENCY');
}

// The key comes from ANTHROPIC_API_KEY, the SDK's default.
const client = new Anthropic({ baseURL });
const limit = pLimit(concurrency);
const output = createWriteStream(outputPath, { flags: 'a' });

const send = async ({ custom_id, params }) => {
  try {
    const message = await client.messages.create(params);
    output.write(`${JSON.stringify({ custom_id, result: { type: 'succeeded', message } })}\n`);
  } catch (error) {
    const body = error instanceof Anthropic.APIError ? error.error : undefined;
    output.write(
      `${JSON.stringify({ custom_id, result: { type: 'errored', error: body ?? { type: 'error', error: { type: 'api_error', message: String(error) } } } })}\n`,
    );
  }
};

const tasks = [];
for await (const line of createInterface({ input: createReadStream(inputPath), crlfDelay: Infinity })) {
  if (line.trim() !== '') tasks.push(limit(() => send(JSON.parse(line))));
}
await Promise.all(tasks);
output.end();
await once(output, 'finish');
