/**
 * The summary's `cache`: what prompt caching did over the results, from the summed usage and the
 * saving each result was priced with (src/pricing/price-table.ts `cacheSavingNanos`).
 */
import { nanosToUsd } from '../pricing/cost.js';

/** Prompt caching over the results: its tokens, how often a cacheable prefix was read, and the money. */
export interface CacheSummary {
  /** Tokens written to the cache (`cache_creation_input_tokens`), both TTLs. */
  write_tokens: number;
  /** Tokens read from the cache (`cache_read_input_tokens`). */
  read_tokens: number;
  /** read / (read + write), to 4 decimals; null when nothing was cached. */
  hit_rate: number | null;
  /**
   * What the cached tokens would have cost at the plain input price, less what they cost (writes at
   * 1.25x / 2x, reads at 0.1x): negative when writes were not read enough. Over the priced models.
   */
  saved_usd: number;
}

/** The cache figures of `usage` summed over the results, `savedNanos` the sum of their savings. */
export function cacheSummary(
  usage: { cache_creation_input_tokens: number; cache_read_input_tokens: number },
  savedNanos: number,
): CacheSummary {
  const written = usage.cache_creation_input_tokens;
  const read = usage.cache_read_input_tokens;
  return {
    write_tokens: written,
    read_tokens: read,
    hit_rate: written + read === 0 ? null : Math.round((read / (written + read)) * 10_000) / 10_000,
    saved_usd: nanosToUsd(savedNanos),
  };
}
