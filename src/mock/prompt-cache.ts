/**
 * The simulator's prompt cache: prefixes by key, each readable until its TTL runs out, a read
 * refreshing it. Time comes from the caller (the injected clock), so tests move it by hand.
 * Entries are only ever added by `commit`, which the caller makes once the writing response has
 * begun: requests that arrive before that each miss, and each write, as with the real API.
 */
import type { MessageParams } from '../types.js';
import { type CachePlan, planCache } from '../cache/cache-plan.js';
import { type CachePrefix, cachePrefixes } from './cache-plan.js';
import { cacheMinimumTokens, TTL_MS } from '../cache/cache-rules.js';
import { promptBlocks } from './tokens.js';

interface Entry {
  ttlMs: number;
  expiresAt: number;
}

/** Remove dead entries once this many commits have passed, so memory follows the live entries. */
const SWEEP_EVERY = 1024;

export class PromptCache {
  readonly #entries = new Map<string, Entry>();
  readonly #minimumTokens: ((model: string) => number) | undefined;
  #commits = 0;

  /** @param minimumTokens one minimum for every model; default: each model's own (src/cache/cache-rules.ts) */
  constructor(minimumTokens?: number) {
    this.#minimumTokens = minimumTokens === undefined ? undefined : () => minimumTokens;
  }

  /** Live entries now. */
  size(now: number): number {
    let live = 0;
    for (const entry of this.#entries.values()) if (entry.expiresAt > now) live++;
    return live;
  }

  /**
   * The cache's part of a request at `now`: a 400 message when it has too many breakpoints, else
   * the plan. The prefix it reads is refreshed at once; its writes wait for `commit`.
   */
  consult(
    params: MessageParams,
    now: number,
  ): { ok: true; plan: CachePlan<CachePrefix> } | { ok: false; message: string } {
    const blocks = promptBlocks(params);
    const found = cachePrefixes(params, blocks);
    if (!found.ok) return found;
    const total = blocks.reduce((sum, block) => sum + block.tokens, 0);
    const minimum = (this.#minimumTokens ?? cacheMinimumTokens)(params.model);
    const plan = planCache(found.prefixes, total, minimum, (key) => this.#isLive(key, now));
    if (plan.read) this.#refresh(plan.read, now);
    return { ok: true, plan };
  }

  /** Make prefixes readable from `now` (the writing response has begun). */
  commit(writes: readonly CachePrefix[], now: number): void {
    for (const prefix of writes) this.#refresh(prefix, now);
    this.#commits += writes.length;
    if (this.#commits >= SWEEP_EVERY) {
      this.#commits = 0;
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  #isLive(key: string, now: number): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > now;
  }

  /** A read or a write: the entry lives its TTL from now; the longer TTL wins when two meet. */
  #refresh(prefix: CachePrefix, now: number): void {
    const old = this.#entries.get(prefix.key);
    const alive = old !== undefined && old.expiresAt > now;
    const ttlMs = Math.max(TTL_MS[prefix.ttl], alive ? old.ttlMs : 0);
    this.#entries.set(prefix.key, { ttlMs, expiresAt: now + ttlMs });
  }
}
