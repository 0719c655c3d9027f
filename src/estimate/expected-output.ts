/**
 * What an estimate expects a request to write: `--assume-output-tokens N`, `--assume-output-ratio R`
 * of its `max_tokens`, or what each model wrote per request in an earlier results file
 * (`--calibrate FILE`). Never more than the request's `max_tokens`.
 */
import { UsageError } from '../errors.js';
import type { PriceTable } from '../pricing/price-table.js';
import { readCalibration } from './calibrate.js';

/** Expected output tokens of one request of `model` with `maxTokens`. */
export type ExpectedOutput = (model: string, maxTokens: number) => number;

export interface ExpectationOptions {
  assumeOutputTokens: number | undefined;
  assumeOutputRatio: number | undefined;
  /** A results file: its path, and how messages name it. */
  calibrate: { path: string; shown: string } | undefined;
}

/** The expectation the options ask for, null for none. Throws a UsageError when more than one is given. */
export async function expectedOutputOf(
  opts: ExpectationOptions,
  prices: PriceTable,
  warn: (message: string) => void,
): Promise<ExpectedOutput | null> {
  const given = [
    opts.assumeOutputTokens !== undefined && '--assume-output-tokens',
    opts.assumeOutputRatio !== undefined && '--assume-output-ratio',
    opts.calibrate !== undefined && '--calibrate',
  ].filter((flag) => flag !== false);
  if (given.length > 1) {
    throw new UsageError(`${given.join(' and ')} both say what to expect of the output: give one of them`);
  }
  const { assumeOutputTokens: tokens, assumeOutputRatio: ratio, calibrate } = opts;
  if (tokens !== undefined) return (_model, maxTokens) => Math.min(tokens, maxTokens);
  if (ratio !== undefined) return (_model, maxTokens) => ratio * maxTokens;
  if (calibrate === undefined) return null;

  const calibration = await readCalibration(calibrate.path, calibrate.shown, prices, warn);
  const unseen = new Set<string>();
  return (model, maxTokens) => {
    const mean = calibration.byModel.get(prices.resolve(model));
    if (mean !== undefined) return Math.min(mean, maxTokens);
    if (!unseen.has(model)) {
      unseen.add(model);
      warn(
        `${calibrate.shown} has no result of model "${model}": its output is expected at the mean of all models (${calibration.overall.toFixed(1)} tokens a request)`,
      );
    }
    return Math.min(calibration.overall, maxTokens);
  };
}
