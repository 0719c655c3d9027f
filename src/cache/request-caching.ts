/**
 * `--cache MODE` for one request, before it is sent: under `auto`, the breakpoint added at the end
 * of a tools+system prefix other lines share; under `schedule` and `auto`, the cacheable prefixes
 * the schedule groups it by. `off` leaves every request as it is, unscheduled.
 */
import type { CacheMode } from '../options/run.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { BatchRequest, MessageParams } from '../types.js';
import { cacheMinimumTokens, MAX_BREAKPOINTS } from './cache-rules.js';
import type { PrefixUsage } from './prefix-usage.js';
import {
  type CachePrefix,
  type PromptHead,
  type PromptPrefixes,
  promptHead,
  promptPrefixes,
} from './prompt-prefixes.js';
import type { SharedHeads } from './shared-heads.js';

/** What is sent for a request, and how the schedule groups it. */
export interface PreparedRequest {
  params: MessageParams;
  /** `params` as JSON: the body. */
  json: string;
  /** Its cacheable prefixes, shortest first; null when it has none (it goes unscheduled). */
  prefixes: CachePrefix[] | null;
}

/** The breakpoint `--cache auto` adds: the default 5-minute TTL. */
const AUTO_BREAKPOINT = { type: 'ephemeral' } as const;

export interface RequestCachingOptions {
  mode: CacheMode;
  /** Under `auto`: which heads other lines share. */
  heads: SharedHeads | null;
  /** Aliases resolve through it to find a model's minimum. */
  prices: PriceTable;
  /** Told of requests whose breakpoints are all too short to cache. */
  usage: PrefixUsage;
}

export class RequestCaching {
  readonly #opts: RequestCachingOptions;
  /** Lines `auto` marked. */
  marked = 0;

  constructor(opts: RequestCachingOptions) {
    this.#opts = opts;
  }

  /** What to send for `req`, whose params are `json` as written; null: as written, unscheduled (most requests). */
  prepare(req: BatchRequest, json: string): PreparedRequest | null {
    const { mode } = this.#opts;
    const { params } = req;
    // Most requests ask for no caching: one native scan of their JSON tells.
    const hasBreakpoints = json.includes('"cache_control"');
    if (mode === 'off' || (mode === 'schedule' && !hasBreakpoints)) return null;
    const minimum = cacheMinimumTokens(params.model, this.#opts.prices);
    if (!hasBreakpoints) {
      // `auto` on a request with no breakpoint of its own: only its head can be cached.
      const head = promptHead(params);
      return this.#marksHead(head, minimum) ? this.#marked(params, head, []) : null;
    }
    const found = promptPrefixes(params, minimum);
    if (mode === 'auto' && found.breakpoints < MAX_BREAKPOINTS && this.#marksHead(found.head, minimum)) {
      return this.#marked(params, found.head, found.prefixes);
    }
    return { params, json, prefixes: this.#scheduled(found, req) };
  }

  /** Whether `auto` marks this head: long enough, not marked yet, and another line has it. */
  #marksHead(head: PromptHead | null, minimum: number): head is PromptHead {
    if (head === null || head.marked || head.tokens < minimum) return false;
    return this.#opts.heads?.shared(head.key) === true;
  }

  /** `params` with its head marked, and its prefixes with the head's among them. */
  #marked(params: MessageParams, head: PromptHead, others: readonly CachePrefix[]): PreparedRequest {
    this.marked += 1;
    const marked = markHead(params);
    const prefixes = [
      ...others.filter((prefix) => prefix.inHead),
      { key: head.key, ttl: '5m' as const, tokens: head.tokens, inHead: true },
      ...others.filter((prefix) => !prefix.inHead),
    ];
    return { params: marked, json: JSON.stringify(marked), prefixes };
  }

  /** The prefixes to schedule, or null; a request whose every breakpoint is too short is told of. */
  #scheduled(found: PromptPrefixes, req: BatchRequest): CachePrefix[] | null {
    if (found.prefixes.length > 0) return found.prefixes;
    if (found.breakpoints > 0 && found.breakpoints <= MAX_BREAKPOINTS) this.#opts.usage.belowMinimum(req);
    return null;
  }
}

/**
 * `params` with `cache_control` on the last block of its tools+system: the last system block (a
 * string `system` becomes the one text block it stands for), else the last tool. Nothing else changes.
 */
export function markHead(params: MessageParams): MessageParams {
  const { system, tools } = params;
  if (typeof system === 'string' && system !== '') {
    return { ...params, system: [{ type: 'text', text: system, cache_control: AUTO_BREAKPOINT }] };
  }
  if (Array.isArray(system) && system.length > 0) {
    return { ...params, system: withLastMarked(system) };
  }
  if (Array.isArray(tools) && tools.length > 0) return { ...params, tools: withLastMarked(tools) };
  return params;
}

function withLastMarked(blocks: readonly unknown[]): unknown[] {
  const last = blocks.at(-1) as Record<string, unknown>;
  return [...blocks.slice(0, -1), { ...last, cache_control: AUTO_BREAKPOINT }];
}
