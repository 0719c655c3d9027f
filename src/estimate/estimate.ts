/**
 * `estimate()`, the library's cost dry run, and `lp-batch estimate`'s (and `run --dry-run`'s): read
 * the input with the run's own reader and checks, count each request's input tokens (offline, or by
 * the gateway), and price the lot per model. Sends no request unless `countTokens: 'api'`.
 */
import pLimit from 'p-limit';
import { resolve } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { Transport } from '../client/transport.js';
import { type InputSource, inputSource, readInputBatches, readInputLines } from '../input/input-source.js';
import { estimateInputTokens } from '../limits/estimate-tokens.js';
import { resolveOptions } from '../options/define.js';
import { ESTIMATE_OPTIONS, type EstimateOptions, type EstimateSettings } from '../options/estimate.js';
import { SENDING_OPTIONS } from '../options/shared.js';
import { createRedactor } from '../output/redact.js';
import { loadPriceTable } from '../pricing/price-file.js';
import type { PriceTable } from '../pricing/price-table.js';
import { connect } from '../run/connect.js';
import { LineIntake } from '../run/intake.js';
import { PriorResults } from '../run/prior-results.js';
import { packageVersion } from '../version.js';
import { TokenCounter } from './count-tokens.js';
import { expectedOutputOf } from './expected-output.js';
import { type EstimateReport, EstimateTally } from './tally.js';

/** What `estimate` takes: the input file, and every option of `lp-batch estimate`. */
export interface EstimateFileOptions extends EstimateOptions {
  /** The JSONL file of requests. A relative path is relative to the current folder. */
  inputPath: string;
  /**
   * The API key, for `countTokens: 'api'` only. When absent it is read from the environment as the
   * CLI reads it: the variable named by `apiKeyEnv`, else `LP_API_KEY`, else `ANTHROPIC_API_KEY`.
   */
  apiKey?: string | undefined;
  /** Told of each warning (unknown parameters, a gateway without count_tokens, ...), redacted. */
  onWarning?: ((message: string) => void) | undefined;
}

/** What only lp-batch itself passes in: the CLI's environment, folder and stdin; tests' clocks. */
export interface EstimateInternals {
  env?: NodeJS.ProcessEnv;
  /** Relative paths are relative to this folder. Default: the process's. */
  cwd?: string;
  /** Standard input, for an input of `-`; asked for only then. Default: the process's. */
  stdin?: () => NodeJS.ReadableStream;
  /** The waits between retries of `count_tokens`. */
  clock?: Clock;
}

/**
 * Estimate what running `inputPath` would cost: requests, input tokens and the sum of `max_tokens`
 * per model and in total, and the cost from input only (`min`) to every `max_tokens` used (`max`),
 * with `expected` from an assumed or observed output. Invalid lines are listed, never counted;
 * models without a price are named, never priced at $0. Resolves with what `--json` prints; throws a
 * UsageError only when it cannot start (a bad option, a missing file, a refused key).
 */
export async function estimate(options: EstimateFileOptions): Promise<EstimateReport> {
  return (await estimateWith(options, {})).report;
}

/** `estimate` with lp-batch's own hooks; also gives the price table it used, for the CLI's table. */
export async function estimateWith(
  options: EstimateFileOptions,
  internals: EstimateInternals,
): Promise<{ report: EstimateReport; prices: PriceTable }> {
  const settings = resolveOptions(ESTIMATE_OPTIONS, options);
  const cwd = internals.cwd ?? process.cwd();
  const input = inputSource(options.inputPath, cwd, internals.stdin ?? (() => process.stdin));
  const prices = await loadPriceTable({ file: settings.pricing, cwd, tier: settings.priceTier });
  let redact = (text: string) => text;
  const warn = (message: string) => options.onWarning?.(redact(message));
  const calibrate = settings.calibrate;
  const expected = await expectedOutputOf(
    {
      assumeOutputTokens: settings.assumeOutputTokens,
      assumeOutputRatio: settings.assumeOutputRatio,
      calibrate: calibrate === undefined ? undefined : { path: resolve(cwd, calibrate), shown: calibrate },
    },
    prices,
    warn,
  );
  const tally = new EstimateTally(prices, expected);
  const intake = new LineIntake({
    file: input.shown,
    path: input.kind === 'file' ? input.path : undefined,
    defaults: { model: settings.model, maxTokens: settings.maxTokens },
    prior: PriorResults.none(),
    skipErrored: false,
  });
  if (settings.countTokens === 'heuristic') {
    await tallyOffline(input, intake, tally, warn);
    return { report: tally.report('heuristic'), prices };
  }

  const connection = await connect({
    ...settings,
    apiKey: options.apiKey,
    env: internals.env ?? process.env,
    userAgent: `lp-batch/${packageVersion()}`,
  });
  redact = createRedactor(connection.secrets);
  const transport = new Transport({
    endpoint: connection.endpoint,
    connections: settings.concurrency,
    timeoutMs: secondsToMs(settings.timeout),
    idleTimeoutMs: secondsToMs(settings.timeout),
    // A token count is a few bytes: the run's default limit on a response is more than enough.
    maxResponseBytes: SENDING_OPTIONS.maxResponseBytes.default,
    redact,
  });
  try {
    const counter = new TokenCounter({
      transport,
      retry: { maxRetries: settings.maxRetries, maxRetryWaitMs: secondsToMs(settings.maxRetryWait) },
      clock: internals.clock ?? systemClock,
      keySource: connection.keySource,
      warn,
    });
    await tallyCounted(input, intake, tally, counter, settings, warn);
    return { report: tally.report(counter.finish()), prices };
  } finally {
    await transport.close();
    await connection.close();
  }
}

/** Every line checked and estimated offline, a chunk of lines at a time: no promise per line. */
async function tallyOffline(
  input: InputSource,
  intake: LineIntake,
  tally: EstimateTally,
  warn: (message: string) => void,
): Promise<void> {
  for await (const batch of readInputBatches(input, new AbortController().signal)) {
    for (const { line, text, invalidUtf8 } of batch) {
      const checked = intake.check(text, line, warn, invalidUtf8);
      if (checked.kind === 'invalid') tally.invalid(checked);
      else tally.add(checked.req.params, estimateInputTokens(checked.req.params));
    }
  }
}

/**
 * Every line checked, and each valid one counted by the gateway, `concurrency` at a time, reading no
 * further ahead than that. A request it cannot count is estimated offline. A refused key stops it:
 * what is in flight is awaited, then the error is thrown.
 */
async function tallyCounted(
  input: InputSource,
  intake: LineIntake,
  tally: EstimateTally,
  counter: TokenCounter,
  settings: EstimateSettings,
  warn: (message: string) => void,
): Promise<void> {
  const { concurrency } = settings;
  const limit = pLimit(concurrency);
  const pending = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const slotFreed = () => new Promise<void>((done) => (wake = done));
  for await (const { line, text, invalidUtf8 } of readInputLines(input, new AbortController().signal)) {
    if (failure !== null) break;
    const checked = intake.check(text, line, warn, invalidUtf8);
    if (checked.kind === 'invalid') {
      tally.invalid(checked);
      continue;
    }
    while (limit.activeCount + limit.pendingCount >= concurrency) await slotFreed();
    const { params } = checked.req;
    const task: Promise<void> = limit(() => counter.count(params))
      .then((tokens) => tally.add(params, tokens ?? estimateInputTokens(params)))
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        pending.delete(task);
        wake?.();
      });
    pending.add(task);
  }
  while (pending.size > 0) await Promise.all(pending);
  if (failure !== null) throw (failure as { error: unknown }).error;
}

function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}
