/**
 * How a run ends early, in one place. Two states: `draining` (no new attempt may start; what is in
 * flight finishes) and `aborted` (attempts in flight are cut off too; their results are not written,
 * so the next run sends them). Every way to stop leads to one of them.
 */
import type { Clock } from '../clock.js';
import type { StopReason } from '../retry/policy.js';

/**
 * Why a run stopped dispatching before the end of its input: a reason of the retry policy (`auth`:
 * the key was refused; `spend_cap`: the account's spend limit), `budget` (`maxCost` reached),
 * `interrupted` (the run's signal, Ctrl-C or SIGTERM) or `write_error` (the results file or the
 * summary file could not be written: disk full, file too large, an I/O error).
 */
export type RunStopReason = StopReason | 'budget' | 'interrupted' | 'write_error';

export interface RunStop {
  reason: RunStopReason;
  /** One line for a person: what stopped the run (the server's message, redacted, for `auth` and `spend_cap`). */
  message: string;
}

export class Shutdown {
  readonly #draining = new AbortController();
  readonly #aborted = new AbortController();
  /** Ends the grace period's sleep when the run is over. */
  readonly #disposed = new AbortController();
  #stop: RunStop | null = null;
  #interrupted = false;
  #grace: { ms: number; clock: Clock } | null = null;

  /** Aborted once no new attempt may start (draining or aborted). */
  get draining(): AbortSignal {
    return this.#draining.signal;
  }

  /** Aborted once attempts in flight are to be cut off. */
  get aborted(): AbortSignal {
    return this.#aborted.signal;
  }

  /** Why the run stopped early, or null when it dealt with every line. */
  get reason(): RunStop | null {
    if (this.#stop !== null) return this.#stop;
    return this.#interrupted || this.#aborted.signal.aborted
      ? { reason: 'interrupted', message: 'interrupted' }
      : null;
  }

  /** How long `interrupt` lets attempts in flight finish, on `clock`. Set by the run when it starts. */
  setGrace(ms: number, clock: Clock): void {
    this.#grace = { ms, clock };
    if (this.#interrupted) this.#startGrace();
  }

  /**
   * Stop dispatching for `stop` (401/403, the spend cap, the budget): what is in flight finishes and
   * is written. The first reason given is the one reported.
   */
  stop(stop: RunStop): void {
    this.#stop ??= stop;
    this.#draining.abort();
  }

  /** Stop dispatching without a reason of its own: the run is failing with an error, after what is in flight. */
  drain(): void {
    this.#draining.abort();
  }

  /** A person asked to stop (Ctrl-C, SIGTERM, the library's signal): drain now, abort after the grace period. */
  interrupt(): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#draining.abort();
    this.#startGrace();
  }

  /** Interrupt when `signal` aborts (at once if it already has); returns a function that stops listening. */
  interruptOn(signal: AbortSignal | undefined): () => void {
    if (signal === undefined) return () => {};
    const interrupt = () => this.interrupt();
    if (signal.aborted) interrupt();
    else signal.addEventListener('abort', interrupt, { once: true });
    return () => signal.removeEventListener('abort', interrupt);
  }

  /** Cut off everything in flight now (a second Ctrl-C, or the grace period ran out). */
  abort(): void {
    this.#draining.abort();
    this.#aborted.abort();
  }

  /** The run is over: no grace timer may outlive it. */
  dispose(): void {
    this.#disposed.abort();
  }

  #startGrace(): void {
    const grace = this.#grace;
    if (grace === null || this.#disposed.signal.aborted) return;
    grace.clock.sleep(grace.ms, this.#disposed.signal).then(
      () => this.abort(),
      () => {
        // Disposed first: the run ended within the grace period.
      },
    );
  }
}
