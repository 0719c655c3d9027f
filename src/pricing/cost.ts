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
export const NANOS_PER_USD = 1_000_000_000;

/** The dated model id a name stands for (`claude_37_sonnet` → `claude-3-7-sonnet-20250219`), or the name itself. */
export function resolveModel(model: string): string {
  return aliases[model] ?? model;
}

/** The price of a model or alias, or null when the table does not know it (an unknown price is never $0). */
export function priceOf(model: string): ModelPrice | null {
  return models[resolveModel(model)] ?? null;
}

/** Every model id and alias the table prices. */
export function pricedModelNames(): string[] {
  return [...Object.keys(models), ...Object.keys(aliases)];
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

/** Nano-dollars as USD, rounded to the nano-dollar. */
export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}
