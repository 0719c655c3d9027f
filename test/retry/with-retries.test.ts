/** The p-retry loop on its own: attempts, waits from the policy, and what aborting does. */
import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError } from '../../src/errors.js';
import { type RetryOptions, withRetries } from '../../src/retry/with-retries.js';
import type { AnthropicErrorType } from '../../src/types.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

function apiError(status: number, type: AnthropicErrorType, headers: Record<string, string> = {}): ApiError {
  return new ApiError({ status, type, message: 'm', requestId: null, headers });
}
const overloaded = () => apiError(529, 'overloaded_error');
const connection = () => new ConnectionError({ reason: 'ECONNRESET' });

/** An attempt that throws each of `failures` in turn, then returns 'ok'; counts its calls. */
function scripted(failures: Error[]) {
  let calls = 0;
  const attempt = () => {
    const failure = failures[calls];
    calls += 1;
    return failure === undefined ? Promise.resolve('ok') : Promise.reject(failure);
  };
  return { attempt, calls: () => calls };
}

function options(clock: VirtualClock, extra: Partial<RetryOptions> = {}): RetryOptions {
  return { maxRetries: 8, maxRetryWaitMs: 60_000, clock, ...extra };
}

describe('withRetries', () => {
  it('retries what the policy retries and counts every attempt', async () => {
    const clock = new VirtualClock();
    const { attempt, calls } = scripted([overloaded(), connection()]);
    expect(await withRetries(attempt, options(clock))).toEqual({ ok: true, value: 'ok', attempts: 3 });
    expect(calls()).toBe(3);
  });

  it('waits the backoff between attempts (random() is 0.5: 12.5 % off), then the server-given wait', async () => {
    const clock = new VirtualClock();
    const waits: number[] = [];
    const { attempt } = scripted([
      overloaded(),
      overloaded(),
      apiError(429, 'rate_limit_error', { 'retry-after-ms': '1234' }),
    ]);
    await withRetries(attempt, options(clock, { onRetry: (_error, ms) => waits.push(ms) }));
    expect(waits).toEqual([438, 875, 1234]);
    expect(clock.sleeps).toEqual(waits);
    expect(clock.now()).toBe(438 + 875 + 1234);
  });

  it('caps every wait at maxRetryWaitMs', async () => {
    const clock = new VirtualClock();
    const { attempt } = scripted([apiError(429, 'rate_limit_error', { 'retry-after': '3600' })]);
    await withRetries(attempt, options(clock, { maxRetryWaitMs: 5000 }));
    expect(clock.sleeps).toEqual([5000]);
  });

  it('gives up after maxRetries, and at once on what is not retried', async () => {
    const clock = new VirtualClock();
    const many = scripted(new Array(10).fill(0).map(overloaded));
    const outcome = await withRetries(many.attempt, options(clock, { maxRetries: 2 }));
    expect(outcome).toMatchObject({ ok: false, attempts: 3, aborted: false });
    expect(many.calls()).toBe(3);

    const bad = scripted([apiError(400, 'invalid_request_error'), overloaded()]);
    const refused = await withRetries(bad.attempt, options(clock));
    expect(refused).toMatchObject({ ok: false, attempts: 1, aborted: false });
    expect((refused as { error: ApiError }).error.status).toBe(400);
    const none = scripted([overloaded()]);
    expect(await withRetries(none.attempt, options(clock, { maxRetries: 0 }))).toMatchObject({ attempts: 1 });
    expect(clock.sleeps).toEqual([438, 875]);
  });

  it('cuts a wait short when the signal aborts, and tries no more', async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    const { attempt, calls } = scripted([overloaded(), overloaded()]);
    const outcome = await withRetries(
      attempt,
      options(clock, { signal: stop.signal, onRetry: () => stop.abort() }),
    );
    expect(outcome).toMatchObject({ ok: false, attempts: 1, aborted: true });
    expect(calls()).toBe(1);
  });

  it('keeps the result of an attempt that succeeds as the signal aborts: it is paid for', async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    const attempt = () => {
      stop.abort();
      return Promise.resolve('paid');
    };
    const outcome = await withRetries(attempt, options(clock, { signal: stop.signal }));
    expect(outcome).toEqual({ ok: true, value: 'paid', attempts: 1 });
  });
});
