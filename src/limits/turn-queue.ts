/**
 * The two ways a caller of the dispatch gate waits: its turn in line (first come, first served),
 * and, once first in line, a change of the gate's state (a settlement) or a deadline on the clock.
 */
import type { Clock } from '../clock.js';

/** A place in line, from {@link TurnQueue.enter}. */
export interface Turn {
  /** True once every earlier caller has left; false if `signal` aborted first. */
  readonly ready: Promise<boolean>;
  /** Give up the place (call exactly once, in `finally`): the next caller's turn comes. */
  readonly leave: () => void;
}

/**
 * First come, first served. Only the caller at the head computes waits and reserves, so waiters
 * never all wake at once and race for the same tokens, and a large request is not starved by small
 * ones that would keep slipping past it.
 */
export class TurnQueue {
  #tail: Promise<void> = Promise.resolve();
  #inLine = 0;

  /** Whether nobody holds or waits for a turn: a caller may then go without queueing. */
  get empty(): boolean {
    return this.#inLine === 0;
  }

  enter(signal?: AbortSignal): Turn {
    this.#inLine += 1;
    let resolveMine = () => {};
    const mine = new Promise<void>((resolve) => {
      resolveMine = resolve;
    });
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.#inLine -= 1;
      resolveMine();
    };
    const previous = this.#tail;
    // The next caller waits for this one *and* every earlier one: a caller that gives up while in
    // line must not let the one behind it run beside the current head.
    this.#tail = previous.then(() => mine);
    return { ready: untilResolvedOrAborted(previous, signal), leave };
  }
}

/**
 * Lets the caller at the head of the line sleep until a deadline, or until the gate's state changes
 * (a settlement refunds tokens, frees budget or a slot), whichever comes first.
 */
export class ChangeNotifier {
  readonly #sleepers = new Set<AbortController>();

  /** Wake every sleeper: what they decided on may no longer hold. */
  notify(): void {
    for (const sleeper of this.#sleepers) sleeper.abort();
    this.#sleepers.clear();
  }

  /**
   * Sleep `ms` on `clock` (`Infinity`: until {@link ChangeNotifier.notify}), ending early on a change.
   * Resolves false when `signal` aborted, true otherwise.
   */
  async wait(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    const sleeper = new AbortController();
    const forward = () => sleeper.abort();
    signal?.addEventListener('abort', forward, { once: true });
    this.#sleepers.add(sleeper);
    try {
      if (Number.isFinite(ms)) {
        await clock.sleep(ms, sleeper.signal);
      } else {
        await new Promise<void>((resolve) =>
          sleeper.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
    } catch (error) {
      // Our own abort (a change, or the caller's signal) ends the sleep early; anything else is a bug.
      if (!sleeper.signal.aborted) throw error;
    } finally {
      signal?.removeEventListener('abort', forward);
      this.#sleepers.delete(sleeper);
    }
    return signal?.aborted !== true;
  }
}

function untilResolvedOrAborted(previous: Promise<void>, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) return previous.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
