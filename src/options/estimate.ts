/**
 * The options of an estimate, shared by `lp-batch estimate`, `lp-batch run --dry-run` and
 * `estimate()`: the fill-ins and prices a run has, what to expect of the output, and how to count
 * input tokens (offline, or by the gateway with the connection and retries of a run).
 */
import { PRICE_TIERS } from '../pricing/price-table.js';
import { option, type OptionValues, type ResolvedOptions } from './define.js';
import { CONNECTION_OPTIONS, LINE_OPTIONS, PRICING_OPTIONS, SENDING_OPTIONS } from './shared.js';

/** What of a run's sending options counting by the gateway uses (a Pick, so each keeps its JSDoc). */
const COUNTING_OPTIONS: Pick<
  typeof SENDING_OPTIONS,
  'concurrency' | 'maxRetries' | 'maxRetryWait' | 'timeout'
> = {
  concurrency: SENDING_OPTIONS.concurrency,
  maxRetries: SENDING_OPTIONS.maxRetries,
  maxRetryWait: SENDING_OPTIONS.maxRetryWait,
  timeout: SENDING_OPTIONS.timeout,
};

/** How input tokens are counted: offline, or by the gateway's `POST /v1/messages/count_tokens`. */
export const COUNT_TOKENS_MODES = ['heuristic', 'api'] as const;
export type CountTokensMode = (typeof COUNT_TOKENS_MODES)[number];

export const ESTIMATE_OPTIONS = {
  ...LINE_OPTIONS,
  ...PRICING_OPTIONS,
  /**
   * Which prices: `standard` (the Messages API) or `batch` (the Message Batches API, 50 % of all).
   * @default 'standard'
   */
  priceTier: option.choice({
    choices: PRICE_TIERS,
    arg: 'TIER',
    default: 'standard',
    describe: '`standard` (the Messages API) or `batch` (the Message Batches API: 50 % of every price)',
  }),
  /**
   * Expected output: this many tokens a request (at most its `max_tokens`).
   * @default no expected cost
   */
  assumeOutputTokens: option.count({
    min: 0,
    describe: 'Expected output: N tokens a request (at most its `max_tokens`)',
  }),
  /**
   * Expected output: this share (0 to 1) of each request's `max_tokens`.
   * @default no expected cost
   */
  assumeOutputRatio: option.fraction({
    arg: 'R',
    describe: "Expected output: this share (0 to 1) of each request's `max_tokens`",
  }),
  /**
   * Expected output: per model, the mean output tokens per succeeded request in an earlier results
   * file (at most each request's `max_tokens`).
   * @default no expected cost
   */
  calibrate: option.string({
    arg: 'FILE',
    describe: 'Expected output: per model, the mean output tokens of the succeeded results in FILE',
  }),
  /**
   * How input tokens are counted: `heuristic` (offline, no key, no network) or `api` (the gateway's
   * `count_tokens`, with the key, concurrency and retries of a run).
   * @default 'heuristic'
   */
  countTokens: option.choice({
    choices: COUNT_TOKENS_MODES,
    arg: 'MODE',
    default: 'heuristic',
    describe:
      "Input tokens: `heuristic` (offline, no key) or `api` (the gateway's `count_tokens`, with the key and the options below)",
  }),
  ...CONNECTION_OPTIONS,
  ...COUNTING_OPTIONS,
};

/** Every option of an estimate, as the library takes them; `undefined` means the default. */
export type EstimateOptions = OptionValues<typeof ESTIMATE_OPTIONS>;

/** An estimate's options with their defaults filled in and checked. */
export type EstimateSettings = ResolvedOptions<typeof ESTIMATE_OPTIONS>;
