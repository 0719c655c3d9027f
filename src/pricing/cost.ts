/**
 * Money as lp-batch counts it: integer nano-dollars, so that summing a million results does not
 * drift. Prices and the cost of a usage are the price table's (./price-table.ts).
 */

/** Nano-dollars per USD. */
const NANOS_PER_USD = 1_000_000_000;

/** Nano-dollars as USD (exact to the nano-dollar). */
export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/**
 * USD as whole nano-dollars, rounded down (a limit never allows more than it says). A product such as
 * `0.3 * 1e9` is 299999999.99999994: values within a millionth of a nano-dollar of a whole one snap to it.
 */
export function usdToNanos(usd: number): number {
  const scaled = usd * NANOS_PER_USD;
  const nearest = Math.round(scaled);
  return Math.abs(scaled - nearest) < 1e-6 ? nearest : Math.floor(scaled);
}
