/**
 * The price table: USD per million tokens per model (input, output, cache writes by TTL, cache
 * reads), the aliases that name the same model, and the cost of a usage in integer nano-dollars.
 * The built-in data is prices.json; `--pricing FILE` lays a file of the same shape over it
 * (./price-file.ts). A table is immutable: a run, an estimate or a batch job holds the one it uses.
 */
import type { Usage } from '../types.js';
import builtIn from './prices.json' with { type: 'json' };

/** USD per million tokens of one model. */
export interface ModelPrice {
  input: number;
  output: number;
  /** A cache write with the 5-minute TTL (the default). */
  cache_write_5m: number;
  /** A cache write with the 1-hour TTL. */
  cache_write_1h: number;
  /** A cache read (a hit or a refresh). */
  cache_read: number;
}

/** A table as data: the shape of prices.json and of `lp-batch pricing --json`. */
export interface PriceData {
  /** When the prices were last compared with their sources (YYYY-MM-DD). */
  checked: string;
  models: Record<string, ModelPrice>;
  /** Another name → the model it stands for (`claude_37_sonnet` → `claude-3-7-sonnet-20250219`). */
  aliases: Record<string, string>;
}

/**
 * `standard`: the prices of the Messages API. `batch`: the Message Batches API's, 50 % of every
 * standard price (input, output and cache alike).
 */
export type PriceTier = 'standard' | 'batch';

export const PRICE_TIERS: readonly PriceTier[] = ['standard', 'batch'];

const TIER_FACTOR: Readonly<Record<PriceTier, number>> = { standard: 1, batch: 0.5 };

/** The cost of one result, and the model name it was priced by. */
export interface Priced {
  /** Nano-dollars; null when neither name has a price. */
  nanos: number | null;
  pricedAs: string;
}

/** USD per million tokens → nano-dollars per token. */
const NANOS_PER_TOKEN_PER_USD_PER_MILLION = 1000;

export class PriceTable {
  /** When the prices were last compared with their sources (YYYY-MM-DD). */
  readonly checked: string;
  readonly tier: PriceTier;
  /** The prices as given, before the tier: what `toData` gives back. */
  readonly #data: PriceData;
  /** The prices of the tier, by model. */
  readonly #models: ReadonlyMap<string, ModelPrice>;
  readonly #aliases: ReadonlyMap<string, string>;

  /** `data` is trusted: check a user's file with `parsePriceFile` first. */
  constructor(data: PriceData, tier: PriceTier = 'standard') {
    this.#data = data;
    this.checked = data.checked;
    this.tier = tier;
    const factor = TIER_FACTOR[tier];
    this.#models = new Map(
      Object.entries(data.models).map(([model, price]) => [model, scalePrice(price, factor)]),
    );
    this.#aliases = new Map(Object.entries(data.aliases));
  }

  /** The same prices at another tier. */
  withTier(tier: PriceTier): PriceTable {
    return tier === this.tier ? this : new PriceTable(this.#data, tier);
  }

  /** The model a name stands for (`claude_37_sonnet` → `claude-3-7-sonnet-20250219`), or the name itself. */
  resolve(model: string): string {
    return this.#aliases.get(model) ?? model;
  }

  /** The price of a model or alias at this table's tier, or null when the table does not know it. */
  priceOf(model: string): ModelPrice | null {
    return this.#models.get(this.resolve(model)) ?? null;
  }

  /**
   * Cost of one usage in nano-dollars, or null when the model has no price (an unknown price is
   * never $0). Cache writes are charged at the 5-minute price, except the part `usage.cache_creation`
   * puts on the 1-hour TTL; cache reads at the cache-read price.
   */
  costNanos(model: string, usage: Usage): number | null {
    const price = this.priceOf(model);
    if (price === null) return null;
    return (
      tokensCost(price.input, usage.input_tokens) +
      cacheCost(price, usage) +
      tokensCost(price.output, usage.output_tokens)
    );
  }

  /**
   * What prompt caching saved on one usage, in nano-dollars: its cached tokens (written and read) at
   * the plain input price, less what they cost. Negative when the write premium outweighs the reads;
   * null when the model has no price.
   */
  cacheSavingNanos(model: string, usage: Usage): number | null {
    const price = this.priceOf(model);
    if (price === null) return null;
    const cached = (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
    return cached === 0 ? 0 : tokensCost(price.input, cached) - cacheCost(price, usage);
  }

  /**
   * The cost of a message's `usage`: priced by the model the request asked for, or, when the table
   * does not know that name, by the model the gateway answered with (gateways may answer with
   * another spelling of the same model). Computed once per result, then used by the result line, the
   * summary and the budget alike.
   */
  priceUsage(usage: Usage, asked: string, answered: string | null | undefined): Priced {
    const pricedAs = this.priceOf(asked) || !answered ? asked : answered;
    return { nanos: this.costNanos(pricedAs, usage), pricedAs };
  }

  /** The table as data, in the shape `--pricing FILE` reads (standard prices, whatever the tier). */
  toData(): PriceData {
    return this.#data;
  }
}

/** The built-in table (prices.json) at the standard tier. */
export const DEFAULT_PRICES = new PriceTable(withoutComment(builtIn));

/**
 * The cache's part of a usage: writes at the 5-minute price, except the part `usage.cache_creation`
 * puts on the 1-hour TTL, and reads at the read price.
 */
function cacheCost(price: ModelPrice, usage: Usage): number {
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const oneHour = Math.min(usage.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheWrite);
  return (
    tokensCost(price.cache_write_5m, cacheWrite - oneHour) +
    tokensCost(price.cache_write_1h, oneHour) +
    tokensCost(price.cache_read, usage.cache_read_input_tokens ?? 0)
  );
}

/** Nano-dollars of `tokens` at `usdPerMillion`, rounded to the nano-dollar. */
function tokensCost(usdPerMillion: number, tokens: number): number {
  return Math.round(tokens * usdPerMillion * NANOS_PER_TOKEN_PER_USD_PER_MILLION);
}

function scalePrice(price: ModelPrice, factor: number): ModelPrice {
  if (factor === 1) return price;
  return {
    input: price.input * factor,
    output: price.output * factor,
    cache_write_5m: price.cache_write_5m * factor,
    cache_write_1h: price.cache_write_1h * factor,
    cache_read: price.cache_read * factor,
  };
}

function withoutComment(data: PriceData & { $comment?: string }): PriceData {
  const { $comment: _comment, ...rest } = data;
  return rest;
}
