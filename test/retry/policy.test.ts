import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, InvalidResponseError } from '../../src/errors.js';
import { backoffMs, classify, retryWaitMs } from '../../src/retry/policy.js';
import type { AnthropicErrorType } from '../../src/types.js';

const NOW = Date.parse('2026-11-22T00:00:00Z');
const isRetryable = (error: unknown) => classify(error, NOW).retry;
const stopReasonOf = (error: unknown) => classify(error, NOW).stop;
const congestionOf = (error: unknown) => classify(error, NOW).congestion;
const serverRetryAfterMs = (error: unknown, now: number) => classify(error, now).serverWaitMs;

function apiError(
  status: number,
  type: AnthropicErrorType = 'api_error',
  headers: Record<string, string> = {},
  details: unknown = null,
) {
  return new ApiError({
    status,
    type,
    message: 'm',
    requestId: null,
    headers,
    details,
  });
}

describe('retry policy', () => {
  it('retries 408, 409, 429, 5xx and 529, and no other 4xx', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504, 529, 599])
      expect(isRetryable(apiError(status)), `${status}`).toBe(true);
    for (const status of [400, 401, 402, 403, 404, 413, 422])
      expect(isRetryable(apiError(status)), `${status}`).toBe(false);
  });

  it('retries connection errors and 200s that are not JSON, but not JSON of the wrong shape', () => {
    expect(isRetryable(new ConnectionError({ reason: 'ECONNRESET' }))).toBe(true);
    const bad = (kind: 'not_json' | 'not_a_message') =>
      new InvalidResponseError({ status: 200, kind, reason: 'rate_limit_error', requestId: null });
    expect(isRetryable(bad('not_json'))).toBe(true);
    expect(isRetryable(bad('not_a_message'))).toBe(false);
    expect(isRetryable(new Error('bug'))).toBe(false);
  });

  it('classifies a mid-stream error event by its type', () => {
    expect(isRetryable(apiError(200, 'overloaded_error'))).toBe(true);
    expect(isRetryable(apiError(200, 'api_error'))).toBe(true);
    expect(isRetryable(apiError(200, 'invalid_request_error'))).toBe(false);
  });

  it('lets x-should-retry decide first', () => {
    expect(isRetryable(apiError(529, 'overloaded_error', { 'x-should-retry': 'false' }))).toBe(false);
    expect(isRetryable(apiError(400, 'invalid_request_error', { 'x-should-retry': 'true' }))).toBe(true);
  });

  it('stops the run on 401/403 and on the spend cap, never on a 429 with retry-after', () => {
    const cap = { error_code: 'enforced_spend_limit_reached' };
    expect(stopReasonOf(apiError(401))).toBe('auth');
    expect(stopReasonOf(apiError(403))).toBe('auth');
    expect(stopReasonOf(apiError(429, 'rate_limit_error', {}, cap))).toBe('spend_cap');
    expect(stopReasonOf(apiError(429, 'rate_limit_error', { 'retry-after': '5' }, cap))).toBeNull();
    expect(stopReasonOf(apiError(429, 'rate_limit_error'))).toBeNull();
    expect(isRetryable(apiError(429, 'rate_limit_error', {}, cap))).toBe(false);
    expect(isRetryable(apiError(401, 'authentication_error', { 'x-should-retry': 'true' }))).toBe(false);
  });

  it('reads retry-after-ms before retry-after, and retry-after as seconds or an HTTP date', () => {
    const now = NOW;
    expect(
      serverRetryAfterMs(
        apiError(429, 'rate_limit_error', { 'retry-after-ms': '250.5', 'retry-after': '9' }),
        now,
      ),
    ).toBe(250.5);
    expect(serverRetryAfterMs(apiError(429, 'rate_limit_error', { 'retry-after': '1.5' }), now)).toBe(1500);
    expect(
      serverRetryAfterMs(
        apiError(429, 'rate_limit_error', { 'retry-after': 'Sun, 22 Nov 2026 00:00:30 GMT' }),
        now,
      ),
    ).toBe(30_000);
    expect(
      serverRetryAfterMs(
        apiError(429, 'rate_limit_error', { 'retry-after': 'Sun, 21 Nov 2026 00:00:00 GMT' }),
        now,
      ),
    ).toBe(0);
    expect(serverRetryAfterMs(apiError(429, 'rate_limit_error', { 'retry-after': 'soon' }), now)).toBeNull();
    expect(serverRetryAfterMs(apiError(529), now)).toBeNull();
  });

  it('caps every wait at maxWaitMs', () => {
    const opts = { maxWaitMs: 5000, random: () => 0 };
    const wait = (error: ApiError, retry: number) => retryWaitMs(classify(error, 0), retry, opts);
    expect(wait(apiError(429, 'rate_limit_error', { 'retry-after': '3600' }), 1)).toBe(5000);
    expect(wait(apiError(529), 20)).toBe(5000);
    expect(wait(apiError(429, 'rate_limit_error', { 'retry-after-ms': '0' }), 1)).toBe(0);
  });

  it('calls 529, 429 and their stream types congestion, but not the spend cap, a 401 or a 500', () => {
    expect(congestionOf(apiError(529, 'overloaded_error'))).toBe('overloaded');
    expect(congestionOf(apiError(200, 'overloaded_error'))).toBe('overloaded');
    expect(congestionOf(apiError(429, 'rate_limit_error', { 'retry-after': '1' }))).toBe('rate_limited');
    expect(congestionOf(apiError(200, 'rate_limit_error'))).toBe('rate_limited');
    // A 529 stays overload even when the server forbids a retry: the load is real.
    expect(congestionOf(apiError(529, 'overloaded_error', { 'x-should-retry': 'false' }))).toBe('overloaded');
    const cap = { error_code: 'enforced_spend_limit_reached' };
    expect(congestionOf(apiError(429, 'rate_limit_error', {}, cap))).toBeNull();
    expect(congestionOf(apiError(401, 'authentication_error'))).toBeNull();
    expect(congestionOf(apiError(500, 'api_error'))).toBeNull();
    expect(congestionOf(new ConnectionError({ reason: 'ECONNRESET' }))).toBeNull();
  });

  it('backs off 0.5 s doubling to 32 s, less up to 25 % jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 32000, 32000,
    ]);
    expect(backoffMs(1, () => 0.999_999)).toBe(375);
  });

  it('stops escalating the backoff of 529s and 429s, and only theirs, when told they do not follow load', () => {
    const at = (error: ApiError, retry: number, escalate: boolean) =>
      retryWaitMs(classify(error, 0), retry, { maxWaitMs: 60_000, random: () => 0, escalate });
    expect([1, 4, 8].map((n) => at(apiError(529), n, true))).toEqual([500, 4000, 32_000]);
    expect([1, 4, 8].map((n) => at(apiError(529), n, false))).toEqual([500, 500, 500]);
    expect(at(apiError(429, 'rate_limit_error'), 5, false)).toBe(500);
    // The server's own word stands; other failures back off as ever.
    expect(at(apiError(429, 'rate_limit_error', { 'retry-after': '2' }), 5, false)).toBe(2000);
    expect(at(apiError(500, 'api_error'), 4, false)).toBe(4000);
  });
});
