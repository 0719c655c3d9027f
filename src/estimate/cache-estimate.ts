/**
 * The prompt cache in an estimate. A request with breakpoints is priced as `--cache schedule` has
 * it billed: the first request of each prefix group writes it, the others read it (by the plan the
 * simulator bills with, src/cache/cache-plan.ts, against the prefixes earlier lines wrote; the run is
 * assumed to keep each group within its TTL). On lines with no breakpoint, the tools+system prefixes
 * they share are counted, for what `--cache auto` would save by marking them: one write at the
 * 5-minute price, then reads, instead of every line at the plain input price.
 */
import { type CacheUsage, planCache } from '../cache/cache-plan.js';
import { cacheMinimumTokens } from '../cache/cache-rules.js';
import { promptHead, promptPrefixes } from '../cache/prompt-prefixes.js';
import { MAX_COUNTED_HEADS } from '../cache/shared-heads.js';
import { hasCacheControl } from '../limits/attempt-estimate.js';
import { nanosToUsd } from '../pricing/cost.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { MessageParams } from '../types.js';

/** What the estimate says of the prompt cache. */
export interface CacheEstimateReport {
  /** Prefix groups the input's breakpoints make: each priced as one write, then reads. */
  groups: number;
  /** Tokens priced as cache writes (one per group and prefix). */
  write_tokens: number;
  /** Tokens priced as cache reads. */
  read_tokens: number;
  /** What caching saves against the same input at the plain input price (USD, priced models; in `min` and `expected`). */
  saved_usd: number;
  /**
   * What `--cache auto` would save more (USD, priced models): lines with no breakpoint that share a
   * tools+system prefix at least as long as their model's minimum, each group one write, then reads.
   */
  auto_saves_usd: number;
  /** The lines `--cache auto` would mark. */
  auto_requests: number;
}

/** Prefixes remembered as written; one first seen beyond is priced as a write each time (never under the cost). */
const MAX_WRITTEN_PREFIXES = 100_000;

/** A tools+system prefix lines without breakpoints share. */
interface Head {
  model: string;
  tokens: number;
  lines: number;
}

export class CacheEstimate {
  readonly #prices: PriceTable;
  readonly #written = new Set<string>();
  readonly #heads = new Map<string, Head>();
  #groups = 0;
  #writeTokens = 0;
  #readTokens = 0;
  #savedNanos = 0;

  constructor(prices: PriceTable) {
    this.#prices = prices;
  }

  /** The input part of the usage `params` (of `inputTokens` input) is expected to be billed. */
  inputUsage(params: MessageParams, inputTokens: number): CacheUsage | { input_tokens: number } {
    const plain = { input_tokens: inputTokens };
    const { model } = params;
    const minimum = cacheMinimumTokens(model, this.#prices);
    if (!hasCacheControl(params)) {
      this.#countHead(params, minimum, inputTokens);
      return plain;
    }
    // Estimated prefixes are cut at the input counted (the gateway's count may be the smaller).
    const prefixes = promptPrefixes(params, minimum).prefixes.map((prefix) => ({
      ...prefix,
      tokens: Math.min(prefix.tokens, inputTokens),
    }));
    if (prefixes.length === 0) return plain;
    const plan = planCache(prefixes, inputTokens, minimum, (key) => this.#written.has(key));
    for (const { key } of plan.writes) {
      if (this.#written.has(key) || this.#written.size >= MAX_WRITTEN_PREFIXES) continue;
      this.#written.add(key);
      this.#groups += 1;
    }
    const { usage } = plan;
    this.#writeTokens += usage.cache_creation_input_tokens;
    this.#readTokens += usage.cache_read_input_tokens;
    const saved = this.#prices.cacheSavingNanos(model, { ...usage, output_tokens: 0 });
    this.#savedNanos += saved ?? 0;
    return usage;
  }

  report(): CacheEstimateReport {
    let autoNanos = 0;
    let autoRequests = 0;
    for (const { model, tokens, lines } of this.#heads.values()) {
      if (lines < 2) continue;
      const usage = {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: tokens,
        cache_read_input_tokens: tokens * (lines - 1),
      };
      const saved = this.#prices.cacheSavingNanos(model, usage);
      if (saved === null || saved <= 0) continue;
      autoNanos += saved;
      autoRequests += lines;
    }
    return {
      groups: this.#groups,
      write_tokens: this.#writeTokens,
      read_tokens: this.#readTokens,
      saved_usd: nanosToUsd(this.#savedNanos),
      auto_saves_usd: nanosToUsd(autoNanos),
      auto_requests: autoRequests,
    };
  }

  /** A line with no breakpoint: its tools+system prefix, when long enough to cache, is one more of its group. */
  #countHead(params: MessageParams, minimum: number, inputTokens: number): void {
    // A prefix is never longer than the whole input: a request below the minimum has nothing to
    // cache, and is not hashed (most lines of most files; estimate reads 200,000 lines a second).
    if (inputTokens < minimum) return;
    const head = promptHead(params);
    if (head === null || head.tokens < minimum) return;
    const seen = this.#heads.get(head.key);
    if (seen !== undefined) seen.lines += 1;
    else if (this.#heads.size < MAX_COUNTED_HEADS) {
      const tokens = Math.min(head.tokens, inputTokens);
      this.#heads.set(head.key, { model: params.model, tokens, lines: 1 });
    }
  }
}
