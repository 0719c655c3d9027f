import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Budget, type BudgetDecision, type BudgetReservation } from '../../src/limits/budget.js';

function reservationOf(decision: BudgetDecision): BudgetReservation {
  if (!decision.ok) throw new Error(`expected a reservation, got ${decision.reason}`);
  return decision.reservation;
}

describe('Budget', () => {
  it('holds worst cases until they would pass the limit', () => {
    const budget = new Budget(1);
    reservationOf(budget.reserve(0.6));
    reservationOf(budget.reserve(0.4));
    expect(budget.reserve(0.000001)).toEqual({ ok: false, reason: 'over_budget' });
    expect(budget.reserved).toBe(1);
    expect(budget.spent).toBe(0);
    expect(budget.remaining).toBe(0);
    expect(budget.exhausted).toBe(false);
  });

  it('adds decimal amounts without float drift', () => {
    // In floats 0.1 + 0.2 > 0.3, which would refuse the second reservation.
    const budget = new Budget(0.3);
    reservationOf(budget.reserve(0.1));
    reservationOf(budget.reserve(0.2));
    expect(budget.reserved).toBe(0.3);
    // 1,000 tokens at $3 per million, computed the usual way, is 0.0030000000000000005.
    const tiny = new Budget(0.003);
    reservationOf(tiny.reserve((3 / 1e6) * 1000));
  });

  it('settles with the real cost, freeing the rest of the worst case', () => {
    const budget = new Budget(1);
    const first = reservationOf(budget.reserve(0.8));
    expect(budget.reserve(0.5)).toEqual({ ok: false, reason: 'over_budget' });
    budget.settle(first, 0.25);
    expect(budget.spent).toBe(0.25);
    expect(budget.reserved).toBe(0);
    expect(budget.remaining).toBe(0.75);
    reservationOf(budget.reserve(0.5));
  });

  it('records the worst case when the real cost is unknown', () => {
    const budget = new Budget(1);
    budget.settle(reservationOf(budget.reserve(0.4)), null);
    expect(budget.spent).toBe(0.4);
    expect(budget.reserved).toBe(0);
  });

  it('records a cost above its reservation and then reports the budget exhausted', () => {
    const budget = new Budget(1);
    budget.settle(reservationOf(budget.reserve(0.9)), 1.2);
    expect(budget.spent).toBe(1.2);
    expect(budget.exhausted).toBe(true);
    expect(budget.remaining).toBe(0);
    expect(budget.reserve(0)).toEqual({ ok: false, reason: 'over_budget' });
  });

  it('refuses a request of unknown price with its own reason, holding nothing', () => {
    const budget = new Budget(100);
    expect(budget.reserve(null)).toEqual({ ok: false, reason: 'unknown_price' });
    expect(budget.reserved).toBe(0);
  });

  it('rounds worst cases up and real costs up to the micro-dollar', () => {
    const budget = new Budget(0.000002);
    const held = reservationOf(budget.reserve(0.0000011));
    expect(held.micros).toBe(2);
    budget.settle(held, 0.0000001);
    expect(budget.spent).toBe(0.000001);
  });

  it('refuses to settle twice, and rejects bad amounts', () => {
    const budget = new Budget(1);
    const held = reservationOf(budget.reserve(0.1));
    budget.settle(held, 0);
    expect(() => budget.settle(held, 0)).toThrow('already settled');
    expect(() => budget.reserve(-1)).toThrow(RangeError);
    expect(() => budget.reserve(Number.NaN)).toThrow(RangeError);
    expect(() => new Budget(-1)).toThrow(UsageError);
    expect(() => new Budget(Number.POSITIVE_INFINITY)).toThrow(
      'Expected `--max-cost` to be a non-negative number of USD, got `Infinity`',
    );
  });

  it('never lets spent + reserved pass the limit when costs stay within their worst case (property)', () => {
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        usd: fc.option(fc.double({ min: 0, max: 2, noNaN: true })),
      }),
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
          const open: { reservation: BudgetReservation; usd: number }[] = [];
          let accepted = 0;
          let settled = 0;
          for (const op of ops) {
            if (op.kind === 'reserve') {
              const decision = budget.reserve(op.usd);
              if (op.usd === null) expect(decision).toEqual({ ok: false, reason: 'unknown_price' });
              if (decision.ok) {
                accepted += 1;
                open.push({ reservation: decision.reservation, usd: op.usd ?? 0 });
              }
            } else if (open.length > 0) {
              const [held] = open.splice(op.pick % open.length, 1);
              if (held) {
                budget.settle(held.reservation, op.share === null ? null : held.usd * op.share);
                settled += 1;
              }
            }
            expect(budget.spent + budget.reserved).toBeLessThanOrEqual(budget.limit + 1e-9);
          }
          expect(open).toHaveLength(accepted - settled);
          const heldMicros = open.reduce((sum, held) => sum + held.reservation.micros, 0);
          expect(Math.round(budget.reserved * 1e6)).toBe(heldMicros);
        },
      ),
      { numRuns: 300 },
    );
  });
});
