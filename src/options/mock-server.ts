/**
 * The simulator's options, defined once (see ./define.ts): `startMockServer(options)` takes them under
 * these names, `lp-batch mock-server` as flags (`--overload-rate`), and the README's table lists them.
 * What only a program can pass (functions, a clock) is typed in src/mock/options.ts.
 */
import { option, type OptionValues, type ResolvedOptions } from './define.js';

/** Options a program and `lp-batch mock-server` both take. */
export const MOCK_SERVER_OPTIONS = {
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  port: option.port({ default: 0, describe: 'Port on 127.0.0.1 (0: a free one)' }),
  /**
   * Wait this long before answering each request (faults included, capacity 529s excepted), ms.
   * @default 0
   */
  latencyMs: option.ms({ default: 0, describe: 'Wait before each answer, ms' }),
  /**
   * Add a uniform random wait in [0, jitterMs] to each latency (from the seeded generator), ms.
   * @default 0
   */
  jitterMs: option.ms({ default: 0, describe: 'Plus a random extra wait in [0, N], ms' }),
  /**
   * Share of requests answered 529 overloaded_error, 0 to 1.
   * @default 0
   */
  overloadRate: option.fraction({
    arg: 'R',
    default: 0,
    describe: 'Share of requests answered `529 overloaded_error`',
  }),
  /**
   * Share of requests answered 429 rate_limit_error with `retry-after: 1`, 0 to 1.
   * @default 0
   */
  rateLimitRate: option.fraction({
    arg: 'R',
    default: 0,
    describe: 'Share answered `429 rate_limit_error` with `retry-after: 1`',
  }),
  /**
   * Share of requests answered 500 api_error, 0 to 1.
   * @default 0
   */
  errorRate: option.fraction({ arg: 'R', default: 0, describe: 'Share answered `500 api_error`' }),
  /**
   * Share of requests whose socket is destroyed without an answer, 0 to 1.
   * @default 0
   */
  dropRate: option.fraction({
    arg: 'R',
    default: 0,
    describe: 'Share whose socket is closed without an answer',
  }),
  /**
   * Share of streamed 200 responses that end with `event: error` (overloaded_error) mid-stream, 0 to 1.
   * @default 0
   */
  midstreamErrorRate: option.fraction({
    arg: 'R',
    default: 0,
    describe: 'Share of streams that send `event: error` (overloaded_error) after HTTP 200',
  }),
  /**
   * Requests per minute `/v1/messages` accepts: a bucket of `rpm` requests refilled continuously;
   * beyond it, 429 with `retry-after` and the `anthropic-ratelimit-requests-*` headers.
   * @default no limit
   */
  rpm: option.count({
    min: 1,
    describe:
      'A real request limit on `/v1/messages`: a bucket of N requests refilled continuously; past it `429` with `retry-after` (whole seconds) and `anthropic-ratelimit-requests-{limit,remaining,reset}` on every answer',
  }),
  /**
   * Answer 529 overloaded_error to a `/v1/messages` request that arrives while this many are being
   * answered. Requests answered by a fault take no slot.
   * @default no limit
   */
  maxConcurrent: option.count({
    min: 1,
    describe: '`529` to a `/v1/messages` request arriving while N are being answered',
  }),
  /**
   * Seed of the one generator behind every random choice (faults, jitter, batch outcomes and result
   * order): the same seed and the same requests give the same faults.
   * @default 0
   */
  seed: option.seed({
    default: 0,
    describe:
      'Seed of the one generator behind every random choice (faults, jitter, batch outcomes and result order): the same seed and the same requests give the same faults',
  }),
  /**
   * Smallest cacheable prefix in tokens, for every model; by default each model's own minimum.
   * Lower it to test caching with short prompts.
   * @default per model
   */
  cacheMinTokens: option.count({
    min: 1,
    defaultText: 'per model',
    describe: 'The smallest cacheable prefix for every model (lower it to test caching with short prompts)',
  }),
  /**
   * How long a Message Batch takes from creation until it ends, ms.
   * @default 1000
   */
  batchProcessingMs: option.ms({ default: 1000, describe: "Time from a batch's creation to its end, ms" }),
  /**
   * How long a canceled batch stays `canceling` before it ends, ms.
   * @default 0
   */
  batchCancelMs: option.ms({ default: 0, describe: 'Time a canceled batch stays `canceling`, ms' }),
  /**
   * Share of batch requests whose result is `errored` (api_error), 0 to 1.
   * @default 0
   */
  batchErrorRate: option.fraction({
    arg: 'R',
    default: 0,
    describe: 'Share of batch requests whose result is `errored` (api_error)',
  }),
  /**
   * Share of batch requests whose result is `expired`, 0 to 1.
   * @default 0
   */
  batchExpireRate: option.fraction({
    arg: 'R',
    default: 0,
    describe: 'Share of batch requests whose result is `expired`',
  }),
  /**
   * Most requests one batch may hold.
   * @default 100000
   */
  batchMaxRequests: option.count({ min: 1, default: 100_000, describe: 'What one batch may hold, requests' }),
  /**
   * Largest batch creation body, bytes.
   * @default 268435456
   */
  batchMaxBytes: option.count({
    min: 1,
    default: 256 * 1024 * 1024,
    describe: 'Largest batch creation body, bytes (256 MB)',
  }),
};

/** Options only a program passes (the command never keeps what it received: it runs for long). */
export const MOCK_LIBRARY_OPTIONS = {
  /**
   * Keep every request in `server.requests`. Turn off to keep memory flat in long runs.
   * @default true
   */
  record: option.boolean({
    default: true,
    describe: 'Keep every request in `server.requests` (turn off for long runs)',
  }),
};

/**
 * The flags of `lp-batch mock-server`: the same options, with a fixed default port so that the URL
 * to point a client at is known in advance.
 */
export const MOCK_SERVER_COMMAND_OPTIONS = {
  ...MOCK_SERVER_OPTIONS,
  port: { ...MOCK_SERVER_OPTIONS.port, default: 8787 },
};

export type MockServerValues = OptionValues<typeof MOCK_SERVER_OPTIONS & typeof MOCK_LIBRARY_OPTIONS>;
export type MockServerSettings = ResolvedOptions<typeof MOCK_SERVER_OPTIONS & typeof MOCK_LIBRARY_OPTIONS>;
