/**
 * `--cache schedule` as a pure state machine on a clock passed in: which request of a prefix group
 * goes alone to write the cache (the warm-up), which wait for its response to begin, and when they
 * may go. A cache entry is readable only once the response that wrote it has begun, so requests
 * sent together each pay for a write; sent after, each reads.
 *
 * Each prefix key is unknown, `warming` (claimed by one request, its owner, until its response
 * begins) or `warm` (readable until its TTL runs out since its last use). Before each attempt a
 * request asks `next`: it looks for the longest of its prefixes that is known and not its own. When
 * that prefix is warming under another owner, it waits for it; otherwise it goes. Either way it
 * claims its longer prefixes that nobody knows: it is their warm-up, and later requests wait for
 * it. So a request with a shared system prompt and a question of its own waits for the system
 * prompt's warm-up and then writes only its question's part.
 *
 * No request waits forever: the owners of the keys a waiting request owns are all longer than the
 * one it waits for, so a chain of waits ends with a request that is going; and an owner whose
 * attempt fails before its response begins hands each key it owns to the next request waiting on
 * it (a warm-up that fails hands the role over).
 */
import { TTL_MS } from './cache-rules.js';
import type { CachePrefix } from './prompt-prefixes.js';

/** How many warm keys are remembered; the least recently used is forgotten beyond (it is warmed again if it comes back). */
export const MAX_WARM_KEYS = 10_000;

/**
 * A warm entry counts as gone this share of its TTL early: its last use is taken from when a request
 * was sent, and a request released now may wait a while for a slot or a rate limit before the
 * server sees it.
 */
const EXPIRY_MARGIN = 0.1;

type KeyState =
  { kind: 'warming'; owner: number; waiters: number[] } | { kind: 'warm'; usedAt: number; ttlMs: number };

interface Entry {
  prefixes: readonly CachePrefix[];
  /** The prefix its response reads (the longest known at its last `next`), or 0 when none is: from it on, its response reads or writes. */
  from: number;
  /** Whether `from` names a prefix that was known (warm or warming) at its last `next`. */
  readsFrom: boolean;
  /** The key it waits on, or null. */
  waitingOn: string | null;
}

export class CacheSchedule {
  readonly #keys = new Map<string, KeyState>();
  readonly #requests = new Map<number, Entry>();
  readonly #maxWarmKeys: number;
  #warmKeys = 0;

  /** @param maxWarmKeys warm keys remembered at most (default {@link MAX_WARM_KEYS}) */
  constructor(maxWarmKeys = MAX_WARM_KEYS) {
    this.#maxWarmKeys = maxWarmKeys;
  }

  /** A request with these cacheable prefixes (shortest first, at least one) is under way as `id`. */
  add(id: number, prefixes: readonly CachePrefix[]): void {
    this.#requests.set(id, { prefixes, from: 0, readsFrom: false, waitingOn: null });
  }

  /**
   * Before each attempt of `id`: `go`, or `wait` until it is released (by `begun`, `failed` or
   * `remove` of another), then ask again.
   */
  next(id: number, now: number): 'go' | 'wait' {
    const entry = this.#entry(id);
    const { prefixes } = entry;
    let known = -1;
    let state: KeyState | undefined;
    for (let i = prefixes.length - 1; i >= 0; i -= 1) {
      state = this.#live((prefixes[i] as CachePrefix).key, now);
      if (state === undefined || (state.kind === 'warming' && state.owner === id)) continue;
      known = i;
      break;
    }
    for (let i = known + 1; i < prefixes.length; i += 1) {
      const { key } = prefixes[i] as CachePrefix;
      if (!this.#keys.has(key)) this.#keys.set(key, { kind: 'warming', owner: id, waiters: [] });
    }
    entry.from = Math.max(known, 0);
    entry.readsFrom = known >= 0;
    const waitFor = known >= 0 && state?.kind === 'warming' ? (prefixes[known] as CachePrefix).key : null;
    // Asked again while waiting (not released): it keeps its one place in the line.
    if (entry.waitingOn !== waitFor) {
      this.#stopWaiting(id, entry);
      if (waitFor !== null && state?.kind === 'warming') {
        state.waiters.push(id);
        entry.waitingOn = waitFor;
      }
    }
    return waitFor === null ? 'go' : 'wait';
  }

  /**
   * The response of `id`'s attempt sent at `sentAt` has begun: what it read and wrote is readable now
   * (used at `sentAt`). Returns the requests released.
   */
  begun(id: number, sentAt: number): number[] {
    const entry = this.#entry(id);
    const released: number[] = [];
    for (let i = entry.from; i < entry.prefixes.length; i += 1) {
      const { key, ttl } = entry.prefixes[i] as CachePrefix;
      const state = this.#keys.get(key);
      if (state?.kind === 'warming') released.push(...this.#release(state.waiters));
      const alive = state?.kind === 'warm' && sentAt < expiresAt(state);
      const usedAt = alive ? Math.max(state.usedAt, sentAt) : sentAt;
      const ttlMs = Math.max(TTL_MS[ttl], alive ? state.ttlMs : 0);
      if (state?.kind === 'warm') {
        this.#keys.delete(key); // re-inserted last: the map's order is least recently used first
      } else this.#warmKeys += 1;
      this.#keys.set(key, { kind: 'warm', usedAt, ttlMs });
    }
    this.#forgetBeyondLimit();
    return released;
  }

  /** An attempt of `id` ended before its response began: the keys it owns go to their next waiter. Returns the requests released. */
  failed(id: number): number[] {
    const released: number[] = [];
    for (const { key } of this.#entry(id).prefixes) {
      const state = this.#keys.get(key);
      if (state?.kind !== 'warming' || state.owner !== id) continue;
      const heir = state.waiters.shift();
      if (heir === undefined) this.#keys.delete(key);
      else {
        state.owner = heir;
        released.push(...this.#release([heir]));
      }
    }
    return released;
  }

  /** `id` is over (answered, failed for good, or not sent): what it owns is handed over. Returns the requests released. */
  remove(id: number): number[] {
    const entry = this.#requests.get(id);
    if (entry === undefined) return [];
    const released = this.failed(id);
    this.#stopWaiting(id, entry);
    this.#requests.delete(id);
    return released;
  }

  /**
   * Which of `id`'s prefixes its last attempt read (when `readsFrom`) and wrote (the rest): the
   * schedule's view, for telling a prefix written and never read.
   */
  reach(id: number): { from: number; readsFrom: boolean } {
    const { from, readsFrom } = this.#entry(id);
    return { from, readsFrom };
  }

  /** Keys remembered now (warm or warming). */
  get size(): number {
    return this.#keys.size;
  }

  #entry(id: number): Entry {
    const entry = this.#requests.get(id);
    if (entry === undefined) throw new Error(`cache schedule: request ${id} was not added`);
    return entry;
  }

  /** The key's state, an expired warm entry forgotten (undefined). */
  #live(key: string, now: number): KeyState | undefined {
    const state = this.#keys.get(key);
    if (state?.kind === 'warm' && now >= expiresAt(state)) {
      this.#keys.delete(key);
      this.#warmKeys -= 1;
      return undefined;
    }
    return state;
  }

  /** `id` leaves the line it waits in, if any. */
  #stopWaiting(id: number, entry: Entry): void {
    if (entry.waitingOn === null) return;
    const state = this.#keys.get(entry.waitingOn);
    if (state?.kind === 'warming') state.waiters = state.waiters.filter((waiter) => waiter !== id);
    entry.waitingOn = null;
  }

  #release(waiters: readonly number[]): number[] {
    for (const waiter of waiters) {
      const entry = this.#requests.get(waiter);
      if (entry) entry.waitingOn = null;
    }
    return [...waiters];
  }

  /** Forget the least recently used warm keys beyond the limit (warming ones are never forgotten: they have waiters). */
  #forgetBeyondLimit(): void {
    if (this.#warmKeys <= this.#maxWarmKeys) return;
    for (const [key, state] of this.#keys) {
      if (this.#warmKeys <= this.#maxWarmKeys) break;
      if (state.kind !== 'warm') continue;
      this.#keys.delete(key);
      this.#warmKeys -= 1;
    }
  }
}

function expiresAt(state: { usedAt: number; ttlMs: number }): number {
  return state.usedAt + state.ttlMs * (1 - EXPIRY_MARGIN);
}
