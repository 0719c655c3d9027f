/**
 * The retry policy as pure functions: which failures are worth another attempt, which stop the whole
 * run, and how long to wait. No I/O and no clock of its own: `now` and `random` come in.
 */
import { ApiError, ConnectionError, InvalidResponseError, type RequestError } from '../errors.js';

/** Backoff without a server-given wait: BASE * 2^(retry-1), at most MAX, minus up to JITTER of it. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 32_000;
export const BACKOFF_JITTER = 0.25;

/** Statuses retried whatever the body says (plus any other 5xx). */
const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/** Error types retried when they arrive as `event: error` inside a 200 stream. */
const RETRYABLE_STREAM_TYPES = new Set([
  'overloaded_error',
  'api_error',
  'rate_limit_error',
  'timeout_error',
  'request_timeout',
]);

/** Why the whole run must stop dispatching: every later request would fail the same way. */
export type StopReason = 'auth' | 'spend_cap';

/** The spend cap: a 429 without retry-after whose `error.details.error_code` says so. */
export function isSpendCap(error: ApiError): boolean {
  if (error.status !== 429 || error.headers['retry-after'] !== undefined) return false;
  const details = error.details as { error_code?: unknown } | null;
  return details?.error_code === 'enforced_spend_limit_reached';
}

/** Whether a failure means the run must stop: 401/403 (bad key) or the spend cap. */
export function stopReasonOf(error: unknown): StopReason | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 401 || error.status === 403) return 'auth';
  if (isSpendCap(error)) return 'spend_cap';
  return null;
}

/**
 * Whether one failed attempt is worth another. `x-should-retry` from the server decides first;
 * then the status (or, inside a stream, the error type); connection failures and 2xx bodies that are
 * not JSON (cut or garbled) are always retried.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  if (error instanceof InvalidResponseError) return error.kind === 'not_json';
  if (!(error instanceof ApiError)) return false;
  if (stopReasonOf(error) !== null) return false;
  const hint = error.headers['x-should-retry'];
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  if (error.status < 300) return RETRYABLE_STREAM_TYPES.has(error.type);
  return RETRYABLE_STATUSES.has(error.status) || error.status >= 500;
}

/** The wait the server asked for, in ms, from `retry-after-ms`, else `retry-after` (seconds or HTTP date). */
export function serverRetryAfterMs(error: RequestError, nowEpochMs: number): number | null {
  if (!(error instanceof ApiError)) return null;
  const ms = Number.parseFloat(error.headers['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = error.headers['retry-after'];
  if (raw === undefined) return null;
  const seconds = Number(raw.trim());
  if (raw.trim() !== '' && Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - nowEpochMs);
}

/** Exponential backoff with jitter for the `retry`-th retry (1-based). `random()` is in [0, 1). */
export function backoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_BASE_MS * 2 ** (retry - 1), BACKOFF_MAX_MS);
  return Math.round(ceiling * (1 - BACKOFF_JITTER * random()));
}

/** How long to wait before the `retry`-th retry: the server's word if it gave one, capped by `maxWaitMs`. */
export function retryDelayMs(
  error: RequestError,
  retry: number,
  opts: { maxWaitMs: number; nowEpochMs: number; random: () => number },
): number {
  const asked = serverRetryAfterMs(error, opts.nowEpochMs);
  return Math.min(asked ?? backoffMs(retry, opts.random), opts.maxWaitMs);
}
