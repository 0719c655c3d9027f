/**
 * What one attempt's answer says about the load on the server, as pure decisions: whether it was
 * congestion (cut concurrency), and how long all dispatching must pause.
 */
import { ApiError, RequestError, type ResponseHeaders } from '../errors.js';
import { parseRateLimitHeaders, pauseFromRateLimitHeaders } from '../limits/rate-limit-headers.js';
import { isSpendCap, serverRetryAfterMs } from '../retry/policy.js';

/**
 * A 529 or 429, or the same inside a 200 stream (`event: error`). The spend cap is a 429 too but says
 * nothing about load: the run stops on it instead.
 */
export function isCongestion(error: unknown): boolean {
  if (!(error instanceof RequestError)) return false;
  if (error instanceof ApiError && isSpendCap(error)) return false;
  return (
    error.status === 529 ||
    error.status === 429 ||
    error.type === 'overloaded_error' ||
    error.type === 'rate_limit_error'
  );
}

/**
 * Ms to pause everyone after a failed attempt: a 429's `retry-after-ms` / `retry-after`, or the reset
 * of an `anthropic-ratelimit-*` limit near zero, whichever is later, at most `maxPauseMs`; 0 for none.
 * A 529's retry-after is left to that request's own retry: overload is handled by the concurrency cut.
 */
export function pauseAfterFailureMs(error: unknown, nowEpochMs: number, maxPauseMs: number): number {
  if (!(error instanceof ApiError)) return 0;
  const asked = error.status === 429 ? (serverRetryAfterMs(error, nowEpochMs) ?? 0) : 0;
  return Math.max(
    Math.min(Math.ceil(asked), maxPauseMs),
    pauseFromHeadersMs(error.headers, nowEpochMs, maxPauseMs),
  );
}

/** Ms to pause everyone because a rate limit in `headers` is near zero (until its reset); 0 for none. */
export function pauseFromHeadersMs(headers: ResponseHeaders, nowEpochMs: number, maxPauseMs: number): number {
  return pauseFromRateLimitHeaders(parseRateLimitHeaders(headers), nowEpochMs, { maxPauseMs });
}
