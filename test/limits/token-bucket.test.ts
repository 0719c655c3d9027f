import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { TokenBucket } from '../../src/limits/token-bucket.js';

interface Sent {
  at: number;
  cost: number;
}

/** Dispatch `requests` in order the way a runner would: wait what the bucket says, then take. */
function dispatch(bucket: TokenBucket, requests: { gapMs: number; cost: number }[]): Sent[] {
  const sent: Sent[] = [];
  let now = 0;
  for (const { gapMs, cost } of requests) {
    now += gapMs;
    for (let wait = bucket.waitMs(cost, now); wait > 0; wait = bucket.waitMs(cost, now)) now += wait;
    // An oversize request may only go into a full bucket.
    if (cost > bucket.capacity) expect(bucket.level(now)).toBe(bucket.capacity);
    bucket.take(cost, now);
    sent.push({ at: now, cost });
  }
  return sent;
}

describe('TokenBucket', () => {
  it('starts full with one second of the rate as capacity and refills rate/60000 per ms', () => {
    const bucket = new TokenBucket({ ratePerMinute: 600, now: 1000 });
    expect(bucket.capacity).toBe(10);
    expect(bucket.level(1000)).toBe(10);
    bucket.take(10, 1000);
    expect(bucket.level(1000)).toBe(0);
    expect(bucket.level(1500)).toBe(5);
    expect(bucket.level(9000)).toBe(10);
  });

  it('says how long until a cost fits, rounded up to whole ms', () => {
    const bucket = new TokenBucket({ ratePerMinute: 60_000, now: 0 });
    bucket.take(1000, 0);
    expect(bucket.waitMs(250, 0)).toBe(250);
    expect(bucket.waitMs(250, 249)).toBe(1);
    expect(bucket.waitMs(250, 250)).toBe(0);
    const slow = new TokenBucket({ ratePerMinute: 7, now: 0 });
    slow.take(slow.capacity, 0);
    // 0.1 token at 7/60000 per ms is 857.14 ms.
    expect(slow.waitMs(0.1, 0)).toBe(858);
    expect(slow.waitMs(0.1, 858)).toBe(0);
  });

  it('paces 120 one-request costs at 60 rpm to one a second after the first', () => {
    const bucket = new TokenBucket({ ratePerMinute: 60, now: 0 });
    const sent = dispatch(
      bucket,
      Array.from({ length: 120 }, () => ({ gapMs: 0, cost: 1 })),
    );
    expect(sent).toHaveLength(120);
    expect(sent.map((s) => s.at)).toEqual(Array.from({ length: 120 }, (_, i) => i * 1000));
  });

  it('lets a request larger than the capacity go alone when the bucket is full, then repays the debt', () => {
    // 30 rpm holds half a request: each request is oversize and goes every 2 s.
    const bucket = new TokenBucket({ ratePerMinute: 30, now: 0 });
    const sent = dispatch(bucket, [
      { gapMs: 0, cost: 1 },
      { gapMs: 0, cost: 1 },
      { gapMs: 0, cost: 1 },
    ]);
    expect(sent.map((s) => s.at)).toEqual([0, 2000, 4000]);
    expect(bucket.level(4000)).toBe(-0.5);
  });

  it('makes an oversize request wait only until full, not forever', () => {
    const bucket = new TokenBucket({ ratePerMinute: 6000, now: 0 });
    bucket.take(60, 0);
    expect(bucket.level(0)).toBe(40);
    expect(bucket.waitMs(1_000_000, 0)).toBe(600);
    expect(bucket.waitMs(1_000_000, 600)).toBe(0);
  });

  it('goes into debt when adjust charges more than is left, and refill repays it first', () => {
    const bucket = new TokenBucket({ ratePerMinute: 60_000, now: 0 });
    bucket.take(1000, 0);
    bucket.adjust(500, 0);
    expect(bucket.level(0)).toBe(-500);
    expect(bucket.waitMs(100, 0)).toBe(600);
    expect(bucket.level(600)).toBe(100);
  });

  it('refunds with a negative adjust, never above capacity', () => {
    const bucket = new TokenBucket({ ratePerMinute: 6000, now: 0 });
    bucket.take(100, 0);
    bucket.adjust(-60, 0);
    expect(bucket.level(0)).toBe(60);
    expect(bucket.waitMs(60, 0)).toBe(0);
    bucket.adjust(-1000, 0);
    expect(bucket.level(0)).toBe(100);
  });

  it('refills nothing for a time earlier than one already seen', () => {
    const bucket = new TokenBucket({ ratePerMinute: 60_000, now: 5000 });
    bucket.take(1000, 5000);
    expect(bucket.level(4000)).toBe(0);
    expect(bucket.level(5100)).toBe(100);
  });

  it('rejects a rate that is not a positive finite number, and a negative cost', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TokenBucket({ ratePerMinute: rate, now: 0 })).toThrow(UsageError);
    }
    expect(() => new TokenBucket({ ratePerMinute: 0, now: 0 })).toThrow(
      'Expected `ratePerMinute` to be a positive finite number, got `0`',
    );
    const bucket = new TokenBucket({ ratePerMinute: 60, now: 0 });
    expect(() => bucket.take(-1, 0)).toThrow(RangeError);
    expect(() => bucket.waitMs(Number.NaN, 0)).toThrow(RangeError);
    expect(() => bucket.adjust(Number.NaN, 0)).toThrow(RangeError);
  });

  it('never lets more than capacity + rate * t through in any window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600_000 }),
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 0, max: 3000 }),
            costShare: fc.double({ min: 0, max: 2, noNaN: true }),
          }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (ratePerMinute, draws) => {
          const bucket = new TokenBucket({ ratePerMinute, now: 0 });
          // Costs up to twice the capacity, so oversize requests are part of the mix.
          const requests = draws.map((d) => ({
            gapMs: d.gapMs,
            cost: Math.round(d.costShare * bucket.capacity),
          }));
          const sent = dispatch(bucket, requests);
          expect(sent).toHaveLength(requests.length);
          for (let i = 0; i < sent.length; i += 1) {
            let total = 0;
            for (let j = i; j < sent.length; j += 1) {
              const last = sent[j] as Sent;
              total += last.cost;
              const elapsed = last.at - (sent[i] as Sent).at;
              // Only the last request of a window may overshoot, and only by what it exceeds the capacity.
              const bound =
                bucket.capacity +
                (ratePerMinute * elapsed) / 60_000 +
                Math.max(0, last.cost - bucket.capacity);
              expect(total).toBeLessThanOrEqual(bound + 1e-9 * bound);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
