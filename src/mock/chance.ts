/**
 * The random part of answering one request, decided in one place: which injected fault (by the
 * rates), where a mid-stream error falls, and how much jitter. Every request draws exactly four
 * numbers whatever it gets, so the same seed and the same requests give the same faults.
 */
import { type Fault, faults } from './faults.js';
import type { Random } from './random.js';

export interface ChanceRates {
  overloadRate: number;
  rateLimitRate: number;
  errorRate: number;
  dropRate: number;
  midstreamErrorRate: number;
  jitterMs: number;
}

export interface Chance {
  /** An HTTP-level fault to answer with instead of the normal response. */
  fault: Fault | undefined;
  /** For a stream that gets no other fault: where to put `event: error`, as a fraction of its events. */
  midstreamAt: number | undefined;
  /** Extra latency, ms. */
  jitterMs: number;
}

/**
 * Draw the chance of one request. The HTTP faults share one draw: 529 for the first
 * `overloadRate` of [0, 1), then 429 (retry-after 1 s), 500 and a dropped socket, in that order.
 */
export function drawChance(rates: ChanceRates, random: Random): Chance {
  const which = random();
  const midstream = random();
  const where = random();
  const jitter = random();
  const bands: [number, () => Fault][] = [
    [rates.overloadRate, () => faults.overloaded()],
    [rates.rateLimitRate, () => faults.rateLimited({ retryAfter: 1 })],
    [rates.errorRate, () => faults.internalError()],
    [rates.dropRate, () => faults.drop()],
  ];
  let edge = 0;
  let fault: Fault | undefined;
  for (const [rate, make] of bands) {
    edge += rate;
    if (fault === undefined && which < edge) fault = make();
  }
  return {
    fault,
    midstreamAt: fault === undefined && midstream < rates.midstreamErrorRate ? where : undefined,
    jitterMs: jitter * rates.jitterMs,
  };
}

/**
 * How many events of a stream of `eventCount` go out before a mid-stream error at `at` (in [0, 1)):
 * at least `message_start`, never `message_stop`.
 */
export function midstreamErrorAfter(at: number, eventCount: number): number {
  return 1 + Math.floor(at * Math.max(1, eventCount - 2));
}
