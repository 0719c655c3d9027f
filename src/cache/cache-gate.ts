/**
 * `--cache schedule` at the edge: the schedule (./cache-schedule.ts) on the run's clock, with the
 * waits it asks for as promises. Every attempt of a request with cacheable prefixes passes `turn`
 * before it takes a slot (a request waiting for its group's warm-up holds no slot, so the warm-up
 * itself always finds one), and reports when its response began or that it failed first.
 */
import type { Clock } from '../clock.js';
import type { Usage } from '../types.js';
import { CacheSchedule } from './cache-schedule.js';
import type { PrefixLabel, PrefixUsage } from './prefix-usage.js';
import type { CachePrefix } from './prompt-prefixes.js';

/** One request under the schedule, from its first attempt to its end. */
export interface CacheTicket {
  /**
   * Null when the attempt may go now; else a promise that resolves once it may (what it waits for
   * has begun), or when `signal` aborts. Decided at once when it can, so that an attempt that need
   * not wait takes its slot before requests read after it.
   */
  turn(signal: AbortSignal): Promise<void> | null;
  /** The response of the attempt sent at `sentAt` (clock ms) has begun: a stream's first event, a plain response's 2xx headers. */
  begun(sentAt: number): void;
  /** The attempt ended before its response began. */
  failed(): void;
  /** The request is over; `usage` when it succeeded (its fate is counted). */
  done(usage: Usage | null): void;
}

export class CacheGate {
  readonly #schedule = new CacheSchedule();
  /** Requests waiting, by id: calling one lets it ask again. */
  readonly #waiting = new Map<number, () => void>();
  readonly #clock: Clock;
  readonly #usage: PrefixUsage;
  #ids = 0;

  /** `usage`: where what became of each prefix is counted. */
  constructor(clock: Clock, usage: PrefixUsage) {
    this.#clock = clock;
    this.#usage = usage;
  }

  /** A request with these cacheable prefixes (shortest first, at least one) starts. */
  enter(prefixes: readonly CachePrefix[], label: PrefixLabel): CacheTicket {
    const id = (this.#ids += 1);
    const schedule = this.#schedule;
    schedule.add(id, prefixes);
    const mayGo = (signal: AbortSignal) => signal.aborted || schedule.next(id, this.#clock.now()) === 'go';
    const waitTurn = async (signal: AbortSignal) => {
      do {
        await new Promise<void>((resolve) => {
          const wake = () => {
            signal.removeEventListener('abort', wake);
            this.#waiting.delete(id);
            resolve();
          };
          this.#waiting.set(id, wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      } while (!mayGo(signal));
    };
    return {
      turn: (signal) => (mayGo(signal) ? null : waitTurn(signal)),
      begun: (sentAt) => this.#wake(schedule.begun(id, sentAt)),
      failed: () => this.#wake(schedule.failed(id)),
      done: (usage) => {
        if (usage !== null) this.#usage.record(prefixes, schedule.reach(id), label, usage);
        this.#wake(schedule.remove(id));
      },
    };
  }

  #wake(ids: readonly number[]): void {
    for (const id of ids) this.#waiting.get(id)?.();
  }
}
