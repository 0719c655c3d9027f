/**
 * Virtual time for tests: `now()` moves only when a sleep is due or the test says so, so waits are
 * exact and nothing sleeps for real. Once the process is idle (a `setImmediate` runs after every
 * pending promise callback) and nothing is `busy`, time jumps to the earliest sleep and wakes what is due.
 *
 * Against a real server, pass `busy: httpInFlight` so that time stands still while a request is on the
 * wire: a request then arrives at the virtual instant it was sent, and rates per second are exact.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Clock } from '../../src/clock.js';

/** Wall-clock time of virtual time 0, for `retry-after` dates. */
export const EPOCH = Date.parse('2025-06-01T00:00:00Z');

interface Sleeper {
  at: number;
  wake: () => void;
}

export class VirtualClock implements Clock {
  #now = 0;
  readonly #sleepers = new Set<Sleeper>();
  #scheduled = false;
  readonly #busy: () => boolean;
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(opts: { busy?: () => boolean } = {}) {
    this.#busy = opts.busy ?? (() => false);
  }

  now = (): number => this.#now;
  nowEpochMs = (): number => EPOCH + this.#now;
  random = (): number => 0.5;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      this.sleeps.push(ms);
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers.delete(sleeper);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.add(sleeper);
      this.#schedule();
    });

  /** Move time forward by `ms` now (e.g. the time a server takes to answer), waking every sleep due. */
  advance(ms: number): void {
    this.#now += ms;
    this.#wakeDue();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#tick());
  }

  #tick(): void {
    if (this.#sleepers.size === 0) {
      this.#scheduled = false;
      return;
    }
    // Busy: look again in a millisecond of real time rather than spin.
    if (this.#busy()) {
      setTimeout(() => this.#tick(), 1);
      return;
    }
    this.#scheduled = false;
    this.#now = Math.max(this.#now, Math.min(...[...this.#sleepers].map((s) => s.at)));
    this.#wakeDue();
    if (this.#sleepers.size > 0) this.#schedule();
  }

  #wakeDue(): void {
    for (const sleeper of [...this.#sleepers]) {
      if (sleeper.at > this.#now) continue;
      this.#sleepers.delete(sleeper);
      sleeper.wake();
    }
  }
}

/** Lets every pending promise callback and due sleep run (no time passes unless a sleep is due). */
export const idle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

const onTheWire = new Set<object>();
const requestOf = (message: unknown): object => (message as { request: object }).request;
subscribe('undici:request:create', (message) => onTheWire.add(requestOf(message)));
subscribe('undici:request:trailers', (message) => onTheWire.delete(requestOf(message)));
subscribe('undici:request:error', (message) => onTheWire.delete(requestOf(message)));

/** Whether an undici request of this process is on the wire: sent, and its response not yet complete. */
export function httpInFlight(): boolean {
  return onTheWire.size > 0;
}
