import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Budget, type BudgetDecision, type BudgetReservation } from '../../src/limits/budget.js';

/** Nano-dollars in one USD. */
const USD = 1_000_000_000;

function reservationOf(decision: BudgetDecision): BudgetReservation {
  if (!decision.ok) throw new Error(`expected a reservation, got ${decision.reason}`);
  return decision.reservation;
}

describe('Budget', () => {
  it('holds worst cases until they would pass the limit', () => {
    const budget = new Budget(1);
    reservationOf(budget.reserve(0.6 * USD));
    reservationOf(budget.reserve(0.4 * USD));
    expect(budget.reserve(1)).toEqual({ ok: false, reason: 'in_flight' });
    expect(budget.reservedNanos).toBe(USD);
    expect(budget.spentNanos).toBe(0);
  });

  it('takes a limit in USD to the nano-dollar, without float drift', () => {
    // In floats 0.3 * 1e9 is 299999999.99999994, which would refuse a reservation of exactly $0.3.
    const budget = new Budget(0.3);
    expect(budget.limitNanos).toBe(300_000_000);
    reservationOf(budget.reserve(100_000_000));
    reservationOf(budget.reserve(200_000_000));
    expect(new Budget(0.000_000_001_9).limitNanos).toBe(1);
  });

  it('settles with the real cost, freeing the rest of the worst case', () => {
    const budget = new Budget(1);
    const first = reservationOf(budget.reserve(800_000_000));
    expect(budget.reserve(500_000_000)).toEqual({ ok: false, reason: 'in_flight' });
    budget.settle(first, 250_000_000);
    expect(budget.spentNanos).toBe(250_000_000);
    expect(budget.reservedNanos).toBe(0);
    reservationOf(budget.reserve(500_000_000));
  });

  it('refuses for good a worst case that does not fit what is left, in flight or not', () => {
    const budget = new Budget(1);
    const held = reservationOf(budget.reserve(300_000_000));
    expect(budget.reserve(1_000_000_001)).toEqual({ ok: false, reason: 'over_budget' });
    budget.settle(held, 300_000_000);
    expect(budget.reserve(700_000_001)).toEqual({ ok: false, reason: 'over_budget' });
    reservationOf(budget.reserve(700_000_000));
  });

  it('records the worst case when the real cost is unknown', () => {
    const budget = new Budget(1);
    budget.settle(reservationOf(budget.reserve(400_000_000)), null);
    expect(budget.spentNanos).toBe(400_000_000);
    expect(budget.reservedNanos).toBe(0);
  });

  it('records a cost above its reservation, and then refuses everything', () => {
    const budget = new Budget(1);
    budget.settle(reservationOf(budget.reserve(900_000_000)), 1_200_000_000);
    expect(budget.spentNanos).toBe(1_200_000_000);
    expect(budget.reserve(0)).toEqual({ ok: false, reason: 'over_budget' });
  });

  it('refuses a request of unknown price with its own reason, holding nothing', () => {
    const budget = new Budget(100);
    expect(budget.reserve(null)).toEqual({ ok: false, reason: 'unknown_price' });
    expect(budget.reservedNanos).toBe(0);
  });

  it('refuses to settle twice, and rejects bad amounts', () => {
    const budget = new Budget(1);
    const held = reservationOf(budget.reserve(100));
    budget.settle(held, 0);
    expect(() => budget.settle(held, 0)).toThrow('already settled');
    expect(() => budget.reserve(-1)).toThrow(RangeError);
    expect(() => budget.reserve(0.5)).toThrow('whole number of nano-dollars');
    expect(() => budget.reserve(Number.NaN)).toThrow(RangeError);
    expect(() => new Budget(-1)).toThrow(UsageError);
    expect(() => new Budget(Number.POSITIVE_INFINITY)).toThrow(
      'Expected `--max-cost` to be a non-negative number of USD, got `Infinity`',
    );
  });

  it('never lets spent + reserved pass the limit when costs stay within their worst case (property)', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), nanos: fc.option(fc.nat({ max: 2 * USD })) }),
      fc.record({
        kind: fc.constant('settle' as const),
        pick: fc.nat(),
        share: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      }),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.array(operation, { maxLength: 200 }),
        (limit, ops) => {
          const budget = new Budget(limit);
          const open: BudgetReservation[] = [];
          let accepted = 0;
          let settled = 0;
          for (const op of ops) {
            if (op.kind === 'reserve') {
              const decision = budget.reserve(op.nanos);
              if (op.nanos === null) expect(decision).toEqual({ ok: false, reason: 'unknown_price' });
              if (decision.ok) {
                accepted += 1;
                open.push(decision.reservation);
              }
            } else if (open.length > 0) {
              const [held] = open.splice(op.pick % open.length, 1);
              if (held) {
                budget.settle(held, op.share === null ? null : Math.floor(held.nanos * op.share));
                settled += 1;
              }
            }
            expect(budget.spentNanos + budget.reservedNanos).toBeLessThanOrEqual(budget.limitNanos);
          }
          expect(open).toHaveLength(accepted - settled);
          expect(budget.reservedNanos).toBe(open.reduce((sum, held) => sum + held.nanos, 0));
        },
      ),
      { numRuns: 300 },
    );
  });
});
