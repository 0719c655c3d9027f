/**
 * The `--max-cost USD` budget: reserve a request's worst case before sending, settle with its real
 * cost after. Amounts are kept in integer micro-dollars so thousands of small costs add up exactly.
 */
import { UsageError } from '../errors.js';

const MICROS_PER_USD = 1_000_000;

/** A held amount of the budget, handed back to {@link Budget.settle} exactly once. */
export interface BudgetReservation {
  /** The worst case held, in micro-dollars (rounded up). */
  readonly micros: number;
}

/**
 * Why a reservation was refused:
 * - `over_budget`: spent + reserved + this worst case would pass the limit. When nothing is reserved,
 *   the request can never fit; otherwise it may fit once requests in flight settle below their worst case.
 * - `unknown_price`: the model has no price, so its cost cannot be bounded; under `--max-cost` it is
 *   refused rather than run on hope.
 */
export type BudgetRefusal = 'over_budget' | 'unknown_price';

export type BudgetDecision =
  { ok: true; reservation: BudgetReservation } | { ok: false; reason: BudgetRefusal };

/**
 * The limit holds for what is known when a request is sent: spent + reserved never passes it after a
 * successful {@link Budget.reserve}. A settlement above its reservation (the worst case was not the
 * worst) is still recorded as spent, so `spent` can end above the limit; `exhausted` then says stop.
 */
export class Budget {
  readonly #limitMicros: number;
  #spentMicros = 0;
  #reservedMicros = 0;
  readonly #open = new WeakSet<BudgetReservation>();

  /** @param limitUsd The most the run may spend, in USD: a non-negative finite number. */
  constructor(limitUsd: number) {
    if (typeof limitUsd !== 'number' || !Number.isFinite(limitUsd) || limitUsd < 0) {
      throw new UsageError(
        `Expected \`--max-cost\` to be a non-negative number of USD, got \`${String(limitUsd)}\``,
      );
    }
    // Down: the budget never allows a fraction of a micro-dollar more than asked.
    this.#limitMicros = toMicros(limitUsd, 'down');
  }

  /** The limit in USD (to the micro-dollar). */
  get limit(): number {
    return this.#limitMicros / MICROS_PER_USD;
  }

  /** USD recorded by settlements. */
  get spent(): number {
    return this.#spentMicros / MICROS_PER_USD;
  }

  /** USD held by requests in flight. */
  get reserved(): number {
    return this.#reservedMicros / MICROS_PER_USD;
  }

  /** USD still free for new reservations (0 when spent has passed the limit). */
  get remaining(): number {
    return Math.max(0, this.#limitMicros - this.#spentMicros - this.#reservedMicros) / MICROS_PER_USD;
  }

  /** True once settled spending has reached the limit: no further request can be paid for. */
  get exhausted(): boolean {
    return this.#spentMicros >= this.#limitMicros;
  }

  /**
   * Hold `worstCaseUsd` (the cost if the request used all its input estimate and `max_tokens`), or
   * refuse. `null` means the model's price is unknown: refused with `unknown_price`.
   */
  reserve(worstCaseUsd: number | null): BudgetDecision {
    if (worstCaseUsd === null) return { ok: false, reason: 'unknown_price' };
    const micros = toMicros(checkUsd(worstCaseUsd, 'worstCaseUsd'), 'up');
    if (this.#spentMicros + this.#reservedMicros + micros > this.#limitMicros) {
      return { ok: false, reason: 'over_budget' };
    }
    this.#reservedMicros += micros;
    const reservation: BudgetReservation = Object.freeze({ micros });
    this.#open.add(reservation);
    return { ok: true, reservation };
  }

  /**
   * Release `reservation` and record what the request really cost. `null` (a cost that cannot be
   * computed, e.g. usage missing) records the reserved worst case: the budget cannot prove it was less.
   * A request that failed before any tokens were billed settles with 0.
   */
  settle(reservation: BudgetReservation, actualUsd: number | null): void {
    if (!this.#open.delete(reservation)) {
      throw new Error('Budget.settle: this reservation was not made here or is already settled');
    }
    this.#reservedMicros -= reservation.micros;
    // Up: a budget may over-count by under a micro-dollar per request, never under-count.
    this.#spentMicros +=
      actualUsd === null ? reservation.micros : toMicros(checkUsd(actualUsd, 'actualUsd'), 'up');
  }
}

function checkUsd(usd: number, name: string): number {
  if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) {
    throw new RangeError(
      `Expected \`${name}\` to be a non-negative finite number of USD, got \`${String(usd)}\``,
    );
  }
  return usd;
}

/**
 * USD to integer micro-dollars. A product such as `3 / 1e6 * 1000` is 0.0030000000000000005, whose
 * plain `Math.ceil` would be one micro-dollar too many, so values within 1e-6 micro of an integer snap
 * to it before rounding in the asked direction.
 */
function toMicros(usd: number, direction: 'up' | 'down'): number {
  const scaled = usd * MICROS_PER_USD;
  const nearest = Math.round(scaled);
  if (Math.abs(scaled - nearest) < 1e-6) return nearest;
  return direction === 'up' ? Math.ceil(scaled) : Math.floor(scaled);
}
