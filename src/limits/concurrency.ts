/**
 * Adaptive concurrency (AIMD): halve on overload, grow back by one after a full round of successes.
 */
import { UsageError } from '../errors.js';

/** Options of {@link ConcurrencyController}. */
export interface ConcurrencyOptions {
  /** Upper bound and starting point (`--concurrency`): a positive integer. */
  max: number;
  /** Lower bound. Default 1: one request always stays allowed, or the run could never finish. */
  min?: number;
  /** Factor applied on overload, in (0, 1). Default 0.5, TCP's multiplicative decrease. */
  decreaseFactor?: number;
  /**
   * Least time between two cuts, ms. Default 1,000. Overloads reported without `sentAt` (or sent
   * after the last cut) within this time of the last cut are the same congestion event.
   */
  cooldownMs?: number;
}

/**
 * How many requests may be in flight. On a 529 `overloaded_error` or a 429 the limit is cut
 * multiplicatively, at most once per congestion event; after `current` successes in a row (about one
 * round trip of the whole window) it grows by one, never above `max` nor below `min`.
 *
 * One congestion event: when 32 requests in flight all get a 529, only the first cuts. The later
 * ones were sent before that cut, so they say nothing about the new, smaller limit. Callers that
 * know when the request was sent pass `sentAt`; `cooldownMs` covers callers that do not.
 */
export class ConcurrencyController {
  readonly max: number;
  readonly min: number;
  readonly decreaseFactor: number;
  readonly cooldownMs: number;
  #current: number;
  #successesInARow = 0;
  #lastCutAt = Number.NEGATIVE_INFINITY;

  constructor(options: ConcurrencyOptions) {
    const { max, min = 1, decreaseFactor = 0.5, cooldownMs = 1000 } = options;
    if (!Number.isInteger(max) || max < 1) {
      throw new UsageError(`Expected \`max\` to be a positive integer, got \`${String(max)}\``);
    }
    if (!Number.isInteger(min) || min < 1 || min > max) {
      throw new UsageError(`Expected \`min\` to be an integer from 1 to ${max}, got \`${String(min)}\``);
    }
    if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
      throw new UsageError(
        `Expected \`decreaseFactor\` to be between 0 and 1, got \`${String(decreaseFactor)}\``,
      );
    }
    if (!(cooldownMs >= 0)) {
      throw new UsageError(
        `Expected \`cooldownMs\` to be a non-negative number, got \`${String(cooldownMs)}\``,
      );
    }
    this.max = max;
    this.min = min;
    this.decreaseFactor = decreaseFactor;
    this.cooldownMs = cooldownMs;
    this.#current = max;
  }

  /** Requests allowed in flight now. */
  get current(): number {
    return this.#current;
  }

  /**
   * A request failed with 529 or 429 at `now`. `sentAt` (ms), when known, is when that request was
   * sent. Returns true when this overload cut the limit.
   */
  onOverload(now: number, sentAt?: number): boolean {
    this.#successesInARow = 0;
    if (sentAt !== undefined && sentAt < this.#lastCutAt) return false;
    if (now - this.#lastCutAt < this.cooldownMs) return false;
    this.#lastCutAt = now;
    const next = Math.max(this.min, Math.floor(this.#current * this.decreaseFactor));
    const cut = next < this.#current;
    this.#current = next;
    return cut;
  }

  /** A request succeeded. After `current` successes in a row the limit grows by one. */
  onSuccess(): void {
    if (this.#current >= this.max) return;
    this.#successesInARow += 1;
    if (this.#successesInARow >= this.#current) {
      this.#current += 1;
      this.#successesInARow = 0;
    }
  }
}
