/**
 * `lp-batch summarize`: the summary of a results file alone, built by the run's own SummaryBuilder
 * from the final line of each custom_id, so its numbers are the ones the run printed. What a results
 * file does not hold stays unknown (null), never guessed: the wall time, why each retry happened,
 * why the run stopped.
 */
import { DEFAULT_PRICES } from '../pricing/price-table.js';
import type { ShownPath } from '../types.js';
import { type FinalResultsIndex, forEachFinalResult, indexFinalResults } from './final-results.js';
import type { ResultsIndexOptions } from './results-index.js';
import type { ResultRecord } from './results-parse.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from './summary.js';

export interface FileSummary {
  summary: RunSummary;
  /** Where the file's final lines are: read again for a JUnit report. */
  index: FinalResultsIndex;
}

/**
 * Summarizes the results file `file` in two streaming passes (memory: a lean index entry per
 * custom_id; `options.fingerprint`: see ./results-index.ts).
 * @throws UsageError when it does not exist; ResultsFileError when a line is not lp-batch output
 */
export async function summarizeResultsFile(
  file: ShownPath,
  options: Pick<ResultsIndexOptions, 'fingerprint'> = {},
): Promise<FileSummary> {
  const index = await indexFinalResults(file, options);
  const builder = new SummaryBuilder();
  await forEachFinalResult(index, (record) => addResult(builder, record));
  return { summary: builder.build(null, null), index };
}

/**
 * A result as a results file holds it, counted as the run that wrote it counted it: under the model
 * it asked for, at the `cost_usd` it was written with, its retries from its `attempts`.
 */
export function addResult(builder: SummaryBuilder, record: ResultRecord): void {
  const model = modelOfResult(record);
  if (record.attempts > 1) builder.addRetries(record.attempts - 1);
  if (record.type === 'errored') {
    builder.addErrored(model, record.error_type ?? 'api_error', record.error_kind ?? 'internal');
    return;
  }
  if (record.type === 'canceled' || record.type === 'expired') {
    builder.addNotRun(model, record.type);
    return;
  }
  // `cost_usd` is a whole number of nano-dollars divided by 1e9: rounding gives those back exactly.
  const nanos = record.cost_usd === null ? null : Math.round(record.cost_usd * 1e9);
  const usage = record.usage ?? { input_tokens: 0, output_tokens: 0 };
  const tier = record.batch ? 'batch' : 'standard';
  // The file keeps a result's cost, not the prices it was priced at: the built-in table prices what
  // caching saved, at the tier of the engine that ran it (a batch_id: the Message Batches price).
  const prices = DEFAULT_PRICES.withTier(tier);
  const pricedAs = prices.priceUsage(usage, model, record.model).pricedAs;
  const saved = nanos === null ? null : prices.cacheSavingNanos(pricedAs, usage);
  const timing = {
    ...(record.latency_ms === null ? {} : { latencyMs: record.latency_ms }),
    ttftMs: record.ttft_ms ?? undefined,
    tier,
  } as const;
  builder.addSucceeded(model, usage, nanos, timing, saved);
}

/**
 * The model a result is counted under: the one its request asked for, as the run counted it. Files
 * of an older lp-batch do not say: a succeeded line then counts under the model that answered.
 */
export function modelOfResult(record: ResultRecord): string {
  if (record.asked_model !== undefined) return record.asked_model ?? NO_MODEL;
  return record.model ?? NO_MODEL;
}
