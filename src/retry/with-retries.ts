/**
 * One request's attempts under the retry policy, driven by p-retry. p-retry's own backoff is switched
 * off (minTimeout 0): the wait comes from the policy in ./policy.ts, which obeys the server first.
 */
import pRetry from 'p-retry';
import { RequestError } from '../errors.js';
import { isRetryable, retryDelayMs } from './policy.js';

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Cap on any single wait, server-given or not, in ms. */
  maxRetryWaitMs: number;
  /** Wall clock in epoch ms, for `retry-after` HTTP dates. */
  nowEpochMs: () => number;
  /** Source of jitter in [0, 1). */
  random: () => number;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborts the attempt in flight and any wait: the request is cut off, not failed. */
  signal?: AbortSignal | undefined;
  /** Told of every retry before its wait. */
  onRetry?: (error: RequestError, delayMs: number, retry: number) => void;
}

export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; error: unknown; attempts: number; aborted: boolean };

/**
 * Run `attempt` until it succeeds, fails for good, or the signal aborts. Never throws.
 * The first attempt runs directly (most requests succeed at once, and p-retry's bookkeeping is
 * measurable per request); p-retry drives the retries after a first failure worth retrying.
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal | undefined) => Promise<T>,
  opts: RetryOptions,
): Promise<RetryOutcome<T>> {
  let attempts = 1;
  const failed = (error: unknown): RetryOutcome<T> => ({
    ok: false,
    error,
    attempts,
    aborted: opts.signal?.aborted === true,
  });
  /** Whether to retry after the `retry`-th failure, waiting first when so. */
  const retryAfter = async (error: unknown, retry: number): Promise<boolean> => {
    if (opts.signal?.aborted || !(error instanceof RequestError) || !isRetryable(error)) return false;
    const delay = retryDelayMs(error, retry, {
      maxWaitMs: opts.maxRetryWaitMs,
      nowEpochMs: opts.nowEpochMs(),
      random: opts.random,
    });
    opts.onRetry?.(error, delay, retry);
    await opts.sleep(delay, opts.signal);
    return true;
  };

  try {
    return { ok: true, value: await attempt(opts.signal), attempts };
  } catch (error) {
    if (opts.maxRetries === 0) return failed(error);
    try {
      if (!(await retryAfter(error, 1))) return failed(error);
    } catch (abort) {
      return failed(opts.signal?.aborted ? abort : error);
    }
  }
  try {
    const value = await pRetry(
      () => {
        attempts += 1;
        return attempt(opts.signal);
      },
      {
        retries: opts.maxRetries - 1,
        minTimeout: 0,
        factor: 1,
        randomize: false,
        ...(opts.signal ? { signal: opts.signal } : {}),
        // retriesConsumed counts p-retry's own retries; the first retry happened above.
        shouldRetry: ({ error, retriesConsumed }) => retryAfter(error, retriesConsumed + 2),
      },
    );
    return { ok: true, value, attempts };
  } catch (error) {
    return failed(error);
  }
}
