/**
 * A pause of all dispatching, e.g. until a 429's `retry-after` or a rate-limit header's reset.
 */

/** The latest of all pauses asked for wins; an earlier end never shortens a pause already set. */
export class DispatchPause {
  #until = Number.NEGATIVE_INFINITY;

  /** Hold dispatching until `t` (ms since the epoch, same clock as `waitMs`). */
  pauseUntil(t: number): void {
    if (t > this.#until) this.#until = t;
  }

  /** Milliseconds left to wait at `now`; 0 when dispatching may go on. */
  waitMs(now: number): number {
    return Math.max(0, Math.ceil(this.#until - now));
  }
}
