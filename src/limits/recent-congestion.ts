/**
 * What the latest attempts say together, in a ring of constant memory: whether 429s come from most
 * of the requests in flight (the rate limit is used up for everyone, not one request unlucky), and
 * whether most attempts are congested at all (the server is down or swamped, not failing now and then).
 */
import type { Congestion } from '../retry/policy.js';

const NONE = 0;
const OVERLOADED = 1;
const RATE_LIMITED = 2;

/** The congestion of the latest attempts, newest last. */
export class RecentCongestion {
  readonly #ring: Uint8Array;
  #next = 0;
  #filled = 0;

  /** @param capacity The most attempts ever looked at together. */
  constructor(capacity: number) {
    this.#ring = new Uint8Array(Math.max(1, capacity));
  }

  /** One attempt ended, congested or not (null). */
  record(congestion: Congestion | null): void {
    this.#ring[this.#next] =
      congestion === 'rate_limited' ? RATE_LIMITED : congestion === 'overloaded' ? OVERLOADED : NONE;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#filled = Math.min(this.#filled + 1, this.#ring.length);
  }

  /**
   * Whether more than half of the last `window` attempts (the requests in flight together: the
   * current concurrency) were rate limited. Fewer attempts than that so far: of those there were.
   */
  mostRateLimited(window: number): boolean {
    return this.#mostAre(window, (kind) => kind === RATE_LIMITED);
  }

  /** Whether more than half of the last `window` attempts got a 529 or a 429. */
  mostCongested(window: number): boolean {
    return this.#mostAre(window, (kind) => kind !== NONE);
  }

  #mostAre(window: number, counts: (kind: number) => boolean): boolean {
    const looked = Math.min(Math.max(1, window), this.#filled);
    let hits = 0;
    for (let i = 1; i <= looked; i++) {
      if (counts(this.#ring[(this.#next - i + this.#ring.length) % this.#ring.length] ?? NONE)) hits += 1;
    }
    return looked > 0 && hits * 2 > looked;
  }
}
