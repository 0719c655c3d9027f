/**
 * The prompt cache's fixed rules, as data: the breakpoint limit, the TTLs and the smallest cacheable
 * prefix per model. One table for lp-batch (`--cache`, the estimate) and the simulator, so the two
 * agree on what is cached. Source: Anthropic's prompt-caching guide (PROTOCOL.md "Prompt caching").
 */
import { DEFAULT_PRICES, type PriceTable } from '../pricing/price-table.js';

/** Most `cache_control` breakpoints one request may carry; more is a 400. */
export const MAX_BREAKPOINTS = 4;

/** How long an entry lives after its write or its last read. */
export const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;

/** A breakpoint's TTL. */
export type CacheTtl = keyof typeof TTL_MS;

/**
 * Minimum prefix per dated model id (aliases and Little Pig's names resolve through the price
 * table). Sonnet 4.6 is listed at 2,048 after one report; Sonnet 3 is assumed like Sonnet 3.5.
 */
const MINIMUM_BY_MODEL: Readonly<Record<string, number>> = {
  'claude-opus-4-6': 4096,
  'claude-opus-4-5-20251101': 4096,
  'claude-haiku-4-5-20251001': 4096,
  'claude-sonnet-4-6': 2048,
  'claude-3-5-haiku-20241022': 2048,
  'claude-3-haiku-20240307': 2048,
  'claude-opus-4-1-20250805': 1024,
  'claude-opus-4-20250514': 1024,
  'claude-sonnet-4-5-20250929': 1024,
  'claude-sonnet-4-20250514': 1024,
  'claude-3-7-sonnet-20250219': 1024,
  'claude-3-5-sonnet-20241022': 1024,
  'claude-3-5-sonnet-20240620': 1024,
  'claude-3-opus-20240229': 1024,
  'claude-3-sonnet-20240229': 1024,
};

/**
 * A model the table does not know gets the largest minimum: `--cache auto` then never marks a prefix
 * the real model might ignore, and the simulator never caches one.
 */
export const UNKNOWN_MODEL_MINIMUM = 4096;

/**
 * The smallest prefix, in tokens, that `model` caches. Aliases and Little Pig's names resolve
 * through `prices` (default: the built-in table).
 */
export function cacheMinimumTokens(model: string, prices: PriceTable = DEFAULT_PRICES): number {
  return MINIMUM_BY_MODEL[prices.resolve(model)] ?? UNKNOWN_MODEL_MINIMUM;
}

/** The TTL a `cache_control` value asks for: `1h` when it says so, else the default 5 minutes. */
export function ttlOf(cacheControl: { ttl?: unknown }): CacheTtl {
  return cacheControl.ttl === '1h' ? '1h' : '5m';
}
