/**
 * The `--max-cost USD` budget: reserve a request's worst case before sending, settle with its real
 * cost after. Amounts are integer nano-dollars, the unit of every cost lp-batch computes, so the
 * budget's spending is exactly the sum of the results' costs.
 */
import { UsageError } from '../errors.js';
import { usdToNanos } from '../pricing/cost.js';

/** A held amount of the budget, handed back to {@link Budget.settle} exactly once. */
export interface BudgetReservation {
  /** The worst case held, in nano-dollars. */
  readonly nanos: number;
}

/**
 * Why a reservation was refused:
 * - `over_budget`: spent + this worst case would pass the limit. Spending only grows, so the request
 *   can never fit this run: it is skipped, and smaller requests go on.
 * - `in_flight`: it fits what is left, but not beside the reservations of requests in flight; it may
 *   fit once they settle below their worst case.
 * - `unknown_price`: the model has no price, so its cost cannot be bounded; under `--max-cost` it is
 *   refused rather than run on hope.
 */
export type BudgetRefusal = 'over_budget' | 'in_flight' | 'unknown_price';

export type BudgetDecision =
  { ok: true; reservation: BudgetReservation } | { ok: false; reason: BudgetRefusal };

/**
 * The limit holds for what is known when a request is sent: spent + reserved never passes it after a
 * successful {@link Budget.reserve}. A settlement above its reservation (the worst case was not the
 * worst) is still recorded as spent, so `spentNanos` can end above the limit.
 */
export class Budget {
  readonly limitNanos: number;
  #spentNanos = 0;
  #reservedNanos = 0;
  readonly #open = new WeakSet<BudgetReservation>();

  /** @param limitUsd The most the run may spend, in USD: a non-negative finite number. */
  constructor(limitUsd: number) {
    if (typeof limitUsd !== 'number' || !Number.isFinite(limitUsd) || limitUsd < 0) {
      throw new UsageError(
        `Expected \`--max-cost\` to be a non-negative number of USD, got \`${String(limitUsd)}\``,
      );
    }
    this.limitNanos = usdToNanos(limitUsd);
  }

  /** Nano-dollars recorded by settlements. */
  get spentNanos(): number {
    return this.#spentNanos;
  }

  /** Nano-dollars held by requests in flight. */
  get reservedNanos(): number {
    return this.#reservedNanos;
  }

  /**
   * Hold `worstCaseNanos` (the cost if the request used all its input estimate and `max_tokens`), or
   * refuse (see BudgetRefusal). `null` means the model's price is unknown: refused with `unknown_price`.
   */
  reserve(worstCaseNanos: number | null): BudgetDecision {
    if (worstCaseNanos === null) return { ok: false, reason: 'unknown_price' };
    const nanos = checkNanos(worstCaseNanos, 'worstCaseNanos');
    if (this.#spentNanos + nanos > this.limitNanos) return { ok: false, reason: 'over_budget' };
    if (this.#spentNanos + this.#reservedNanos + nanos > this.limitNanos) {
      return { ok: false, reason: 'in_flight' };
    }
    this.#reservedNanos += nanos;
    const reservation: BudgetReservation = Object.freeze({ nanos });
    this.#open.add(reservation);
    return { ok: true, reservation };
  }

  /**
   * Release `reservation` and record what the request really cost. `null` (a cost that cannot be
   * computed, e.g. usage missing) records the reserved worst case: the budget cannot prove it was less.
   * A request that failed before any tokens were billed settles with 0.
   */
  settle(reservation: BudgetReservation, actualNanos: number | null): void {
    if (!this.#open.delete(reservation)) {
      throw new Error('Budget.settle: this reservation was not made here or is already settled');
    }
    this.#reservedNanos -= reservation.nanos;
    this.#spentNanos += actualNanos === null ? reservation.nanos : checkNanos(actualNanos, 'actualNanos');
  }
}

function checkNanos(nanos: number, name: string): number {
  if (!Number.isSafeInteger(nanos) || nanos < 0) {
    throw new RangeError(
      `Expected \`${name}\` to be a non-negative whole number of nano-dollars, got \`${String(nanos)}\``,
    );
  }
  return nanos;
}
