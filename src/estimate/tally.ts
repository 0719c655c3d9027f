/**
 * Sums an estimate as the input is read: per model and in total, requests, input tokens, the sum of
 * `max_tokens` and three costs in nano-dollars (min: input only; max: the worst case the budget
 * holds; expected: input plus the expected output). Invalid lines are listed, unpriced models named.
 */
import { worstCaseUsage } from '../limits/attempt-estimate.js';
import { nanosToUsd } from '../pricing/cost.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { InvalidLine } from '../run/intake.js';
import type { MessageParams } from '../types.js';
import { CacheEstimate, type CacheEstimateReport } from './cache-estimate.js';
import type { ExpectedOutput } from './expected-output.js';

/**
 * USD: `min` is the input alone, `max` the input plus every `max_tokens`, `expected` the input plus
 * the expected output. `min` and `expected` price a prompt-cache group as one write, then reads;
 * `max` prices every request that asks for caching as a 1-hour write of all its input.
 */
export interface CostRange {
  min: number | null;
  max: number | null;
  /** null without `--assume-output-tokens`, `--assume-output-ratio` or `--calibrate`. */
  expected: number | null;
}

/** One model's share of an estimate; its costs are null when the model has no price. */
export interface ModelEstimate {
  requests: number;
  input_tokens: number;
  /** The sum of the requests' `max_tokens`. */
  max_output_tokens: number;
  cost_usd: CostRange;
}

/** A line the estimate does not count, as a run would write it: errored, never sent. */
export interface InvalidLineReport {
  line: number;
  custom_id: string;
  /** `file:line: field: what is wrong`. */
  message: string;
}

/**
 * How the input tokens were counted:
 * - `heuristic`: offline (src/limits/estimate-tokens.ts);
 * - `count_tokens_api`: by the gateway's `count_tokens`, every request;
 * - `count_tokens_api+heuristic`: by the gateway, except requests it could not count (a warning says how many);
 * - `heuristic_fallback`: `count_tokens` was asked for, but the gateway does not offer it.
 */
export type EstimateMethod =
  'heuristic' | 'count_tokens_api' | 'count_tokens_api+heuristic' | 'heuristic_fallback';

/** What `estimate()` resolves with, and what `lp-batch estimate --json` prints. */
export interface EstimateReport {
  /** Requests that would be sent (invalid lines aside). */
  requests: number;
  input_tokens: number;
  max_output_tokens: number;
  /** Totals over the priced models; `unpriced_models` are left out. */
  cost_usd: { min: number; max: number; expected: number | null };
  by_model: Record<string, ModelEstimate>;
  invalid_lines: InvalidLineReport[];
  /** Models with no price: their requests are counted, never priced (not even at $0). */
  unpriced_models: string[];
  method: EstimateMethod;
  /** The prompt cache: what the input's breakpoints save, and what `--cache auto` would. */
  cache: CacheEstimateReport;
}

interface ModelTally {
  requests: number;
  inputTokens: number;
  maxOutputTokens: number;
  minNanos: number;
  maxNanos: number;
  expectedNanos: number;
  priced: boolean;
}

export class EstimateTally {
  readonly #prices: PriceTable;
  readonly #expected: ExpectedOutput | null;
  readonly #models = new Map<string, ModelTally>();
  readonly #invalid: InvalidLineReport[] = [];
  readonly #cache: CacheEstimate;

  /** `expected`: what a request is expected to write; null for no expected cost. */
  constructor(prices: PriceTable, expected: ExpectedOutput | null) {
    this.#prices = prices;
    this.#expected = expected;
    this.#cache = new CacheEstimate(prices);
  }

  /** A request that would be sent, with its input tokens (estimated or counted). */
  add(params: MessageParams, inputTokens: number): void {
    const { model, max_tokens: maxTokens } = params;
    let t = this.#models.get(model);
    if (t === undefined) {
      t = this.#tallyOf(model);
      this.#models.set(model, t);
    }
    t.requests += 1;
    t.inputTokens += inputTokens;
    t.maxOutputTokens += maxTokens;
    // Every line is seen by the cache, priced or not: a group's first line writes for the others.
    const input = this.#cache.inputUsage(params, inputTokens);
    if (!t.priced) return;
    const prices = this.#prices;
    t.minNanos += prices.costNanos(model, { ...input, output_tokens: 0 }) ?? 0;
    t.maxNanos += prices.costNanos(model, worstCaseUsage(params, inputTokens)) ?? 0;
    if (this.#expected === null) return;
    const output = this.#expected(model, maxTokens);
    t.expectedNanos += prices.costNanos(model, { ...input, output_tokens: output }) ?? 0;
  }

  /** A line that would not be sent. */
  invalid(line: InvalidLine): void {
    this.#invalid.push({ line: line.line, custom_id: line.custom_id, message: line.message });
  }

  report(method: EstimateMethod): EstimateReport {
    const by_model: Record<string, ModelEstimate> = {};
    const total = emptyTally(true);
    const unpriced: string[] = [];
    for (const [model, t] of this.#models) {
      total.requests += t.requests;
      total.inputTokens += t.inputTokens;
      total.maxOutputTokens += t.maxOutputTokens;
      if (t.priced) {
        total.minNanos += t.minNanos;
        total.maxNanos += t.maxNanos;
        total.expectedNanos += t.expectedNanos;
      } else unpriced.push(model);
      by_model[model] = {
        ...this.#sizes(t),
        cost_usd: t.priced ? this.#costs(t) : { min: null, max: null, expected: null },
      };
    }
    return {
      ...this.#sizes(total),
      cost_usd: this.#costs(total),
      by_model,
      invalid_lines: this.#invalid,
      unpriced_models: unpriced,
      method,
      cache: this.#cache.report(),
    };
  }

  #sizes(t: ModelTally): { requests: number; input_tokens: number; max_output_tokens: number } {
    return { requests: t.requests, input_tokens: t.inputTokens, max_output_tokens: t.maxOutputTokens };
  }

  #costs(t: ModelTally): { min: number; max: number; expected: number | null } {
    return {
      min: nanosToUsd(t.minNanos),
      max: nanosToUsd(t.maxNanos),
      expected: this.#expected === null ? null : nanosToUsd(t.expectedNanos),
    };
  }

  #tallyOf(model: string): ModelTally {
    return emptyTally(this.#prices.priceOf(model) !== null);
  }
}

function emptyTally(priced: boolean): ModelTally {
  return {
    requests: 0,
    inputTokens: 0,
    maxOutputTokens: 0,
    minNanos: 0,
    maxNanos: 0,
    expectedNanos: 0,
    priced,
  };
}
