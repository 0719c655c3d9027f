/**
 * `--calibrate RESULTS.jsonl`: the output tokens per request observed per model in an earlier
 * results file, read as a stream (one line at a time, whatever the file's size). Any results file
 * in Anthropic's Message Batches format will do: lp-batch's own, or one from the Batches API.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readJsonlLines } from '../input/jsonl-reader.js';
import type { PriceTable } from '../pricing/price-table.js';
import { isRecord } from '../is-record.js';

/** Mean output tokens per succeeded request, by model (as the price table resolves its name). */
export interface Calibration {
  /** Model → mean output tokens per request. */
  byModel: ReadonlyMap<string, number>;
  /** The mean over every succeeded result, for models the file has not seen. */
  overall: number;
  /** Succeeded results read. */
  results: number;
}

/**
 * Reads `path` (named `shown` in messages). Only succeeded results count: `result.message.model`
 * and the output tokens of `usage` (the line's own, else the message's). Lines that are not results
 * are skipped and counted in one warning; a file without one succeeded result is refused, since
 * there is nothing to learn from it.
 */
export async function readCalibration(
  path: string,
  shown: string,
  prices: PriceTable,
  warn: (message: string) => void,
): Promise<Calibration> {
  if (!existsSync(path)) throw new UsageError(`--calibrate: file not found: ${shown}`);
  const sums = new Map<string, { tokens: number; results: number }>();
  let total = 0;
  let results = 0;
  let skipped = 0;
  let firstSkipped = 0;
  for await (const { line, text } of readJsonlLines(path)) {
    const observed = outputOf(text);
    if (observed === 'skip') {
      skipped += 1;
      firstSkipped ||= line;
      continue;
    }
    if (observed === null) continue;
    const model = prices.resolve(observed.model);
    const sum = sums.get(model) ?? { tokens: 0, results: 0 };
    sum.tokens += observed.tokens;
    sum.results += 1;
    sums.set(model, sum);
    total += observed.tokens;
    results += 1;
  }
  if (skipped > 0) {
    const lines =
      skipped === 1 ? '1 line is not a result and was' : `${skipped} lines are not results and were`;
    warn(`${shown}: ${lines} skipped (the first: line ${firstSkipped})`);
  }
  if (results === 0) {
    throw new UsageError(
      `--calibrate ${shown}: no succeeded result with a model and its usage to learn from`,
    );
  }
  const byModel = new Map([...sums].map(([model, sum]) => [model, sum.tokens / sum.results]));
  return { byModel, overall: total / results, results };
}

/** What one line says: a succeeded result's model and output tokens, null for another result, 'skip' for a non-result. */
function outputOf(text: string): { model: string; tokens: number } | null | 'skip' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'skip';
  }
  const result = isRecord(value) ? value.result : undefined;
  if (!isRecord(value) || !isRecord(result) || typeof result.type !== 'string') return 'skip';
  if (result.type !== 'succeeded') return null;
  const message = isRecord(result.message) ? result.message : {};
  const usage = isRecord(value.usage) ? value.usage : isRecord(message.usage) ? message.usage : {};
  const tokens = usage.output_tokens;
  if (typeof message.model !== 'string' || typeof tokens !== 'number' || !(tokens >= 0)) return 'skip';
  return { model: message.model, tokens };
}
