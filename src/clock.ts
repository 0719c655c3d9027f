/** Time and chance, passed in so that decisions are testable and tests never sleep for real. */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Monotonic ms, for durations. */
  now(): number;
  /** Wall-clock epoch ms, for HTTP dates. */
  nowEpochMs(): number;
  /** Uniform in [0, 1). */
  random(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  nowEpochMs: () => Date.now(),
  random: () => Math.random(),
  sleep: async (ms, signal) => {
    if (ms <= 0) {
      signal?.throwIfAborted();
      return;
    }
    await delay(ms, undefined, signal ? { signal } : {});
  },
};
