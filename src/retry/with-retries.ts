/**
 * One request's attempts under the retry policy, driven by p-retry: `retries` from `--max-retries`,
 * `shouldRetry` from `classify`, and the wait from the policy (p-retry's own backoff is off).
 */
import pRetry from 'p-retry';
import type { Clock } from '../clock.js';
import { classify, retryWaitMs } from './policy.js';

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Cap on any single wait, server-given or not, in ms. */
  maxRetryWaitMs: number;
  /** Wall clock (for `retry-after` dates), jitter and the waits themselves. */
  clock: Clock;
  /**
   * Aborts a wait between attempts: the request is cut off, not failed. The attempt itself must
   * listen to it too; p-retry does not get it, so that an attempt that succeeds as the signal
   * aborts still counts (its result is paid for).
   */
  signal?: AbortSignal | undefined;
  /** Told of every retry before its wait. */
  onRetry?: ((error: unknown, waitMs: number) => void) | undefined;
  /** Asked at each congestion retry whether its backoff grows (see `retryWaitMs`); default true. */
  escalate?: (() => boolean) | undefined;
}

export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; error: unknown; attempts: number; aborted: boolean };

/**
 * Run `attempt` until it succeeds, fails for good, or the signal aborts a wait. Never throws. The
 * first attempt runs outside p-retry: most requests succeed at once, and p-retry (its options copied
 * and checked, a loop of awaits) is then only set up for a request that failed.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  opts: RetryOptions,
): Promise<RetryOutcome<T>> {
  try {
    return { ok: true, value: await attempt(), attempts: 1 };
  } catch (error) {
    return retryAfter(error, attempt, opts);
  }
}

/** The attempts after a first one that failed with `first`, p-retry deciding on it as on the others. */
async function retryAfter<T>(
  first: unknown,
  attempt: () => Promise<T>,
  opts: RetryOptions,
): Promise<RetryOutcome<T>> {
  const { clock, signal } = opts;
  let attempts = 1;
  try {
    const value = await pRetry(
      (attemptNumber) => {
        if (attemptNumber === 1) throw first;
        attempts += 1;
        return attempt();
      },
      {
        retries: opts.maxRetries,
        minTimeout: 0,
        randomize: false,
        shouldRetry: async ({ error, retriesConsumed }) => {
          const classification = classify(error, clock.nowEpochMs());
          if (!classification.retry || signal?.aborted) return false;
          const waitMs = retryWaitMs(classification, retriesConsumed + 1, {
            maxWaitMs: opts.maxRetryWaitMs,
            random: () => clock.random(),
            escalate: opts.escalate?.(),
          });
          opts.onRetry?.(error, waitMs);
          await clock.sleep(waitMs, signal);
          return true;
        },
      },
    );
    return { ok: true, value, attempts };
  } catch (error) {
    return { ok: false, error, attempts, aborted: signal?.aborted === true };
  }
}
