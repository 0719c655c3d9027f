/**
 * A token bucket that refills continuously and holds at most one second's worth of tokens, so a run
 * never sends more than `rate / 60` per second plus that one-second burst.
 */
import { UsageError } from '../errors.js';

/**
 * Internal resolution: one token is 60,000 units, so the refill is exactly `ratePerMinute` units per ms
 * and integer rates, costs and times never accumulate float drift.
 */
const UNITS_PER_TOKEN = 60_000;

/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens (or requests) allowed per minute: a positive finite number (a CLI flag such as `--rpm`). */
  ratePerMinute: number;
  /** Creation time in ms. The bucket starts full at this instant. */
  now: number;
  /**
   * The largest burst, as ms of refill. The simulator's server-side `rpm` holds a minute's worth.
   * @default 1000 (one second's worth)
   */
  burstMs?: number;
}

/**
 * Continuous-refill token bucket. Capacity is `ratePerMinute / 60` (one second's burst, unless
 * `burstMs` says otherwise); it refills `ratePerMinute / 60000` per ms. The level may go below zero (debt) through {@link TokenBucket.take}
 * of an oversize cost or {@link TokenBucket.adjust}; refill repays the debt before anything else goes.
 *
 * All methods take the current time; a time earlier than one already seen refills nothing.
 */
export class TokenBucket {
  readonly ratePerMinute: number;
  /** Largest burst, in tokens: one second's worth unless `burstMs` says otherwise. */
  readonly capacity: number;
  readonly #capacityUnits: number;
  #levelUnits: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    const { ratePerMinute, now, burstMs = 1000 } = options;
    if (typeof ratePerMinute !== 'number' || !Number.isFinite(ratePerMinute) || ratePerMinute <= 0) {
      throw new UsageError(
        `Expected \`ratePerMinute\` to be a positive finite number, got \`${String(ratePerMinute)}\``,
      );
    }
    this.ratePerMinute = ratePerMinute;
    this.capacity = (ratePerMinute * burstMs) / 60_000;
    this.#capacityUnits = ratePerMinute * burstMs;
    this.#levelUnits = this.#capacityUnits;
    this.#updatedAt = now;
  }

  /** Tokens available at `now`; negative while in debt. */
  level(now: number): number {
    this.#refill(now);
    return this.#levelUnits / UNITS_PER_TOKEN;
  }

  /**
   * Milliseconds until `cost` may be taken; 0 means now. A cost larger than the capacity would never
   * fit, so it waits only for a full bucket and then goes alone (leaving the bucket in debt).
   */
  waitMs(cost: number, now: number): number {
    this.#refill(now);
    const needed = Math.min(toUnits(cost, 'cost'), this.#capacityUnits);
    const missing = needed - this.#levelUnits;
    return missing <= 0 ? 0 : Math.ceil(missing / this.ratePerMinute);
  }

  /**
   * Charge `cost` unconditionally. Call it once {@link TokenBucket.waitMs} returned 0 for the same
   * cost; `RateLimiter.reserve` does both in one step.
   */
  take(cost: number, now: number): void {
    this.#refill(now);
    this.#levelUnits -= toUnits(cost, 'cost');
  }

  /**
   * Correct an earlier charge: a positive `delta` charges more (the real usage was higher than the
   * estimate; the level may fall below zero, a debt repaid by refill), a negative one refunds
   * (never above capacity: unused reservations do not buy a bigger burst).
   */
  adjust(delta: number, now: number): void {
    if (typeof delta !== 'number' || !Number.isFinite(delta)) {
      throw new RangeError(`Expected \`delta\` to be a finite number, got \`${String(delta)}\``);
    }
    this.#refill(now);
    this.#levelUnits = Math.min(this.#capacityUnits, this.#levelUnits - delta * UNITS_PER_TOKEN);
  }

  #refill(now: number): void {
    const elapsed = now - this.#updatedAt;
    if (!(elapsed > 0)) return;
    this.#levelUnits = Math.min(this.#capacityUnits, this.#levelUnits + elapsed * this.ratePerMinute);
    this.#updatedAt = now;
  }
}

function toUnits(tokens: number, name: string): number {
  if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0) {
    throw new RangeError(
      `Expected \`${name}\` to be a non-negative finite number, got \`${String(tokens)}\``,
    );
  }
  return tokens * UNITS_PER_TOKEN;
}
