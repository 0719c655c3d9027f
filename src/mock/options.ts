/**
 * Every option of the simulator, defined once: the type with its defaults (JSDoc `@default`, so
 * `lp-batch mock-server` can derive its flags from it), the default values as data, and the check
 * that turns a user's options into the resolved set the server runs with.
 */
import { UsageError } from '../errors.js';
import type { Fault } from './faults.js';
import type { RecordedRequest } from './recorded.js';

/** A source of wall-clock time in epoch ms. Inject one to drive TTLs, batches and `rpm` without sleeping. */
export interface MockClock {
  now(): number;
}

/** What a batch request becomes when its batch is processed (`batchOutcome`). */
export type BatchOutcome =
  | 'succeeded'
  | 'errored'
  | 'canceled'
  | 'expired'
  /** Errored with this error instead of the default `api_error`. */
  | { errorType: string; message: string };

/** What `batchOutcome` is asked about: one request of a batch. */
export interface BatchRequestInfo {
  batchId: string;
  /** 0-based position in the batch as submitted. */
  index: number;
  custom_id: string;
  params: unknown;
}

/** Every option may also be given as `undefined`, meaning its default (as an unset CLI flag gives). */
export interface MockServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number | undefined;
  /** Wait this long before answering each request (faults included, capacity 529s excepted). @default 0 */
  latencyMs?: number | undefined;
  /** Add a uniform random wait in [0, jitterMs] to each latency (from the seeded generator). @default 0 */
  jitterMs?: number | undefined;
  /** Share of requests answered 529 overloaded_error, 0 to 1. @default 0 */
  overloadRate?: number | undefined;
  /** Share of requests answered 429 rate_limit_error with `retry-after: 1`, 0 to 1. @default 0 */
  rateLimitRate?: number | undefined;
  /** Share of requests answered 500 api_error, 0 to 1. @default 0 */
  errorRate?: number | undefined;
  /** Share of requests whose socket is destroyed without an answer, 0 to 1. @default 0 */
  dropRate?: number | undefined;
  /** Share of streamed 200 responses that end with `event: error` (overloaded_error) mid-stream, 0 to 1. @default 0 */
  midstreamErrorRate?: number | undefined;
  /**
   * Requests per minute `/v1/messages` accepts: a bucket of `rpm` requests refilled continuously;
   * beyond it, 429 with `retry-after` and the `anthropic-ratelimit-requests-*` headers. No limit when unset.
   * @default undefined
   */
  rpm?: number | undefined;
  /**
   * Answer 529 overloaded_error to a `/v1/messages` request that arrives while this many are being
   * answered. Requests answered by a fault take no slot. No limit when unset.
   * @default undefined
   */
  maxConcurrent?: number | undefined;
  /** Seed of the one generator behind every random choice: the same seed gives the same faults. @default 0 */
  seed?: number | string | undefined;
  /** Consulted for every request before anything else; a fault returned replaces the normal answer. */
  fault?: ((request: RecordedRequest) => Fault | undefined) | undefined;
  /** Keep every request in `requests`. Turn off to keep memory flat in benchmarks. @default true */
  record?: boolean | undefined;
  /** Wall-clock time source (epoch ms) for cache TTLs, batches and `rpm`. @default Date.now */
  clock?: MockClock | undefined;
  /**
   * Smallest cacheable prefix in tokens, for every model; by default each model's own minimum
   * (see `cacheMinimumTokens` in cache-rules.ts). Lower it to test caching with short prompts.
   * @default undefined
   */
  cacheMinTokens?: number | undefined;
  /** How long a Message Batch takes from creation until it ends, ms. @default 1000 */
  batchProcessingMs?: number | undefined;
  /** How long a canceled batch stays `canceling` before it ends, ms. @default 0 */
  batchCancelMs?: number | undefined;
  /** Share of batch requests whose result is `errored` (api_error), 0 to 1. @default 0 */
  batchErrorRate?: number | undefined;
  /** Share of batch requests whose result is `expired`, 0 to 1. @default 0 */
  batchExpireRate?: number | undefined;
  /** Decide a batch request's result (undefined: by the rates and the params). Consulted before the rates. */
  batchOutcome?: ((request: BatchRequestInfo) => BatchOutcome | undefined) | undefined;
  /** Most requests one batch may hold. @default 100000 */
  batchMaxRequests?: number | undefined;
  /** Largest batch creation body, bytes. @default 268435456 (256 MB) */
  batchMaxBytes?: number | undefined;
}

/** The defaults of every option that has one, as data. */
export const MOCK_SERVER_DEFAULTS = {
  port: 0,
  latencyMs: 0,
  jitterMs: 0,
  overloadRate: 0,
  rateLimitRate: 0,
  errorRate: 0,
  dropRate: 0,
  midstreamErrorRate: 0,
  seed: 0,
  record: true,
  batchProcessingMs: 1000,
  batchCancelMs: 0,
  batchErrorRate: 0,
  batchExpireRate: 0,
  batchMaxRequests: 100_000,
  batchMaxBytes: 256 * 1024 * 1024,
} as const;

type Defaulted = keyof typeof MOCK_SERVER_DEFAULTS;

/** The options with every default filled in and every value checked. */
export type ResolvedMockOptions = Omit<MockServerOptions, Defaulted | 'clock'> & {
  [K in Defaulted]-?: NonNullable<MockServerOptions[K]>;
} & { clock: MockClock };

const RATES = [
  'overloadRate',
  'rateLimitRate',
  'errorRate',
  'dropRate',
  'midstreamErrorRate',
  'batchErrorRate',
  'batchExpireRate',
] as const;
const DURATIONS = ['latencyMs', 'jitterMs', 'batchProcessingMs', 'batchCancelMs'] as const;
const COUNTS = ['rpm', 'maxConcurrent', 'batchMaxRequests', 'batchMaxBytes'] as const;

const systemClock: MockClock = { now: () => Date.now() };

/**
 * Fill in the defaults and check every value, throwing a UsageError that names the option and the
 * value (`Expected \`overloadRate\` to be a number from 0 to 1, got \`2\``).
 */
export function resolveMockOptions(options: MockServerOptions = {}): ResolvedMockOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...MOCK_SERVER_DEFAULTS, clock: systemClock, ...defined } as ResolvedMockOptions;
  for (const name of RATES) {
    const value = resolved[name];
    if (!(typeof value === 'number' && value >= 0 && value <= 1)) fail(name, 'a number from 0 to 1', value);
  }
  for (const name of DURATIONS) {
    const value = resolved[name];
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      fail(name, 'a non-negative number of ms', value);
    }
  }
  for (const name of COUNTS) {
    const value = resolved[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      fail(name, 'a positive integer', value);
  }
  const { port, seed, cacheMinTokens } = resolved;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535))
    fail('port', 'an integer from 0 to 65535', port);
  if (!(typeof seed === 'string' || Number.isFinite(seed))) fail('seed', 'a number or a string', seed);
  if (cacheMinTokens !== undefined && !(Number.isInteger(cacheMinTokens) && cacheMinTokens >= 1)) {
    fail('cacheMinTokens', 'a positive integer', cacheMinTokens);
  }
  const overall = RATES.slice(0, 4).reduce((sum, name) => sum + resolved[name], 0);
  if (overall > 1) {
    throw new UsageError(
      `Expected \`overloadRate + rateLimitRate + errorRate + dropRate\` to be at most 1, got \`${overall}\``,
    );
  }
  if (resolved.batchErrorRate + resolved.batchExpireRate > 1) {
    throw new UsageError(
      `Expected \`batchErrorRate + batchExpireRate\` to be at most 1, got \`${resolved.batchErrorRate + resolved.batchExpireRate}\``,
    );
  }
  return resolved;
}

function fail(name: string, expected: string, value: unknown): never {
  throw new UsageError(`Expected \`${name}\` to be ${expected}, got \`${String(value)}\``);
}
