/**
 * The prompt cache's fixed rules, as data: the smallest cacheable prefix per model and the TTLs.
 * Sources: PROTOCOL.md "Prompt caching" (Anthropic's prompt-caching guide).
 */
import { DEFAULT_PRICES } from '../pricing/price-table.js';

/** Most `cache_control` breakpoints one request may carry; more is a 400. */
export const MAX_BREAKPOINTS = 4;

/** How long an entry lives after its write or its last read. */
export const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;

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
 * A model the table does not know gets the largest minimum: the mock then never caches a prefix
 * the real model might refuse, and it agrees with lp-batch's `--cache auto`, which assumes the same.
 */
export const UNKNOWN_MODEL_MINIMUM = 4096;

/** The smallest prefix, in tokens, that `model` caches. */
export function cacheMinimumTokens(model: string): number {
  return MINIMUM_BY_MODEL[DEFAULT_PRICES.resolve(model)] ?? UNKNOWN_MODEL_MINIMUM;
}
