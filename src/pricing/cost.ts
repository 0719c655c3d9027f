/**
 * Money: the price table (data in prices.json), alias resolution, and the cost of one usage.
 * Amounts are computed in integer nano-dollars so that summing a million results does not drift.
 */
import type { Usage } from '../types.js';
import table from './prices.json' with { type: 'json' };

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

const models: Readonly<Record<string, ModelPrice>> = table.models;
const aliases: Readonly<Record<string, string>> = table.aliases;
const {
  cache_write_5m: CACHE_WRITE_5M,
  cache_write_1h: CACHE_WRITE_1H,
  cache_read: CACHE_READ,
} = table.multipliers;

/** Nano-dollars per USD. */
const NANOS_PER_USD = 1_000_000_000;

/** The dated model id a name stands for (`claude_37_sonnet` → `claude-3-7-sonnet-20250219`), or the name itself. */
export function resolveModel(model: string): string {
  return aliases[model] ?? model;
}

/** The price of a model or alias, or null when the table does not know it (an unknown price is never $0). */
export function priceOf(model: string): ModelPrice | null {
  return models[resolveModel(model)] ?? null;
}

/**
 * Cost of one usage in nano-dollars, or null when the model has no price.
 * Cache writes are charged at 1.25x input, or 2x for the part `usage.cache_creation` puts on the 1 h TTL;
 * cache reads at 0.1x input.
 */
export function costNanos(model: string, usage: Usage): number | null {
  const price = priceOf(model);
  if (price === null) return null;
  const perToken = (usdPerMillion: number, tokens: number) => Math.round(tokens * usdPerMillion * 1000);
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const oneHour = Math.min(usage.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheWrite);
  return (
    perToken(price.input, usage.input_tokens) +
    perToken(price.input * CACHE_WRITE_5M, cacheWrite - oneHour) +
    perToken(price.input * CACHE_WRITE_1H, oneHour) +
    perToken(price.input * CACHE_READ, usage.cache_read_input_tokens ?? 0) +
    perToken(price.output, usage.output_tokens)
  );
}

/** The cost of one result, and the model name it was priced by. */
export interface Priced {
  /** Nano-dollars; null when neither name has a price. */
  nanos: number | null;
  pricedAs: string;
}

/**
 * The cost of a message's `usage`: priced by the model the request asked for, or, when the table does
 * not know that name, by the model the gateway answered with (gateways may answer with another
 * spelling of the same model). Computed once per result, then used by the result line, the summary
 * and the budget alike.
 */
export function priceUsage(usage: Usage, asked: string, answered: string | null | undefined): Priced {
  const pricedAs = priceOf(asked) || !answered ? asked : answered;
  return { nanos: costNanos(pricedAs, usage), pricedAs };
}

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
