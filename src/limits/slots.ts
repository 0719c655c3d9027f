/**
 * The run's slots: the one count of attempts in flight, and its limit, which adaptive concurrency
 * moves. A free slot is taken at once, without a promise (most attempts find one: the dispatch loop
 * reads no line while every slot is busy); when none is free the caller waits in line, first come
 * first served.
 */
export class Slots {
  #limit: number;
  #active = 0;
  /** Callers waiting for a slot, oldest first; each is handed one when it is resolved. */
  readonly #waiting: Array<() => void> = [];

  /** `limit`: the most slots taken at once, a positive integer. */
  constructor(limit: number) {
    this.#limit = checkLimit(limit);
  }

  /** The most slots taken at once. Lowered, it lets slots in use finish; raised, it hands the new ones out. */
  get limit(): number {
    return this.#limit;
  }

  set limit(limit: number) {
    this.#limit = checkLimit(limit);
    while (this.#active < this.#limit && this.#waiting.length > 0) this.#handOver();
  }

  /** Slots taken now: attempts in flight. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Takes a slot if one is free and nobody waits before the caller; false otherwise (then `take`). */
  tryTake(): boolean {
    if (this.#active >= this.#limit || this.#waiting.length > 0) return false;
    this.#active += 1;
    return true;
  }

  /** Resolves once the caller holds a slot: at once when `tryTake` would succeed. Give it back with `release`. */
  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Gives a slot back: the first caller waiting gets it, if the limit allows. */
  release(): void {
    this.#active -= 1;
    if (this.#active < this.#limit && this.#waiting.length > 0) this.#handOver();
  }

  #handOver(): void {
    this.#active += 1;
    this.#waiting.shift()?.();
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Expected \`limit\` to be a positive integer, got \`${String(limit)}\``);
  }
  return limit;
}
