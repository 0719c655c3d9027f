/**
 * The dispatch gate: every attempt of every request passes it. Before an attempt it waits for a
 * global pause (a 429's retry-after, rate-limit headers near zero), a slot under the adaptive
 * concurrency, the budget's worst case and the rpm/itpm/otpm buckets; after, it settles them all
 * with what really happened.
 */
import { Budget, type BudgetReservation } from '../limits/budget.js';
import { ConcurrencyController } from '../limits/concurrency.js';
import { DispatchPause } from '../limits/dispatch-pause.js';
import { RateLimiter, type RateLimitTicket } from '../limits/rate-limiter.js';
import { NANOS_PER_USD } from '../pricing/cost.js';
import type { MessageParams } from '../types.js';
import type { Clock } from './clock.js';
import { type AttemptEstimate, estimateAttempt } from './gate-estimate.js';
import { isCongestion, pauseAfterFailureMs, pauseFromHeadersMs } from './gate-feedback.js';
import {
  type Admission,
  type AttemptOutcome,
  type AttemptTicket,
  GATE_DEFAULTS,
  type GateBudget,
  type GateOptions,
  type GateStats,
} from './gate-types.js';
import { ChangeNotifier, TurnQueue } from './gate-wait.js';

export type { Admission, AttemptOutcome, AttemptTicket, GateBudget, GateOptions, GateStats };
export { GATE_DEFAULTS };

const ABORTED: Admission = Object.freeze({ ok: false, reason: 'aborted' });

interface Held {
  rate: RateLimitTicket;
  budget: BudgetReservation | null;
}

/**
 * Admits attempts one at a time, first come first served: only the head of the line computes waits,
 * sleeps and reserves, so callers never stampede past a bucket. Every settlement wakes the head,
 * whose wait may have shortened (tokens refunded, budget or a slot freed).
 */
export class DispatchGate {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter;
  readonly #aimd: ConcurrencyController;
  readonly #pause = new DispatchPause();
  readonly #budget: Budget | null;
  readonly #maxPauseMs: number;
  readonly #onConcurrencyChange: ((concurrency: number) => void) | undefined;
  readonly #turns = new TurnQueue();
  readonly #changes = new ChangeNotifier();
  readonly #estimates = new WeakMap<MessageParams, AttemptEstimate>();
  readonly #held = new WeakMap<AttemptTicket, Held>();
  #inFlight = 0;
  #shrinks = 0;
  #waitedMs = 0;
  #budgetRefused = false;
  /** Estimates cost a walk over the whole request: only made when ITPM or a budget needs them. */
  readonly #needsEstimate: boolean;

  constructor(opts: GateOptions) {
    const maxPauseMs = opts.maxPauseMs ?? GATE_DEFAULTS.maxPauseMs;
    if (!(maxPauseMs >= 0)) {
      throw new RangeError(
        `Expected \`maxPauseMs\` to be a non-negative number, got \`${String(maxPauseMs)}\``,
      );
    }
    this.#clock = opts.clock;
    this.#aimd = new ConcurrencyController({
      max: opts.maxConcurrency,
      min: opts.adaptive === false ? opts.maxConcurrency : 1,
    });
    this.#limiter = new RateLimiter({
      rpm: opts.rpm,
      itpm: opts.itpm,
      otpm: opts.otpm,
      now: opts.clock.now(),
    });
    this.#budget = opts.maxCostUsd === undefined ? null : new Budget(opts.maxCostUsd);
    this.#maxPauseMs = maxPauseMs;
    this.#onConcurrencyChange = opts.onConcurrencyChange;
    this.#needsEstimate = opts.itpm !== undefined || opts.maxCostUsd !== undefined;
  }

  /** Attempts allowed in flight now (AIMD between 1 and `maxConcurrency`). */
  get concurrency(): number {
    return this.#aimd.current;
  }

  /** Attempts admitted and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Budget state for the summary; null without `--max-cost`. */
  get budget(): GateBudget | null {
    const budget = this.#budget;
    if (budget === null) return null;
    return {
      limitUsd: budget.limit,
      spentUsd: budget.spent,
      reservedUsd: budget.reserved,
      exhausted: budget.exhausted || this.#budgetRefused,
    };
  }

  stats(): GateStats {
    return { concurrency: this.#aimd.current, shrinks: this.#shrinks, waitedMs: this.#waitedMs };
  }

  /**
   * Wait until one attempt of `params` may be sent, then reserve what it may use. Refuses at once a
   * model without a price under `--max-cost` (`unknown_price`); refuses with `over_budget` only when
   * the worst case does not fit and nothing in flight could free budget (otherwise it waits for them).
   * Never throws for a refusal; `aborted` when `signal` aborts while waiting.
   */
  async admit(params: MessageParams, signal?: AbortSignal): Promise<Admission> {
    if (signal?.aborted) return ABORTED;
    const estimate = this.#estimateOf(params);
    if (this.#budget !== null && estimate.worstCaseNanos === null) {
      return { ok: false, reason: 'unknown_price' };
    }
    // Nobody in line: most attempts go at once, without the cost of queueing.
    if (this.#turns.empty) {
      const step = this.#tryAdmit(estimate);
      if (step !== 'change' && !('waitMs' in step)) return step;
    }
    const turn = this.#turns.enter(signal);
    try {
      if (!(await turn.ready)) return ABORTED;
      return await this.#admitAtHead(estimate, signal);
    } finally {
      turn.leave();
    }
  }

  /**
   * After the attempt. Success: correct the buckets and the budget with the real usage and cost,
   * heed rate-limit headers, grow concurrency. Failure: nothing was billed, so refund the budget
   * reservation and the output reservation (the input estimate stays charged: the server may have
   * counted it); on 529/overloaded or 429 cut concurrency; a 429's retry-after pauses everyone.
   * Throws on a ticket that was not admitted here or is already settled.
   */
  settle(ticket: AttemptTicket, outcome: AttemptOutcome): void {
    const held = this.#held.get(ticket);
    if (held === undefined) {
      throw new Error('DispatchGate.settle: this ticket was not admitted here or is already settled');
    }
    this.#held.delete(ticket);
    this.#inFlight -= 1;
    const now = this.#clock.now();
    const before = this.#aimd.current;
    if (outcome.ok) {
      this.#limiter.settle(held.rate, outcome.usage, now);
      if (held.budget !== null) {
        const usd = outcome.costNanos === null ? null : outcome.costNanos / NANOS_PER_USD;
        this.#budget?.settle(held.budget, usd);
      }
      this.#pauseFor(pauseFromHeadersMs(outcome.headers, this.#clock.nowEpochMs(), this.#maxPauseMs), now);
      this.#aimd.onSuccess();
    } else {
      this.#limiter.settle(held.rate, null, now);
      if (held.budget !== null) this.#budget?.settle(held.budget, 0);
      const error = outcome.error;
      this.#pauseFor(pauseAfterFailureMs(error, this.#clock.nowEpochMs(), this.#maxPauseMs), now);
      if (isCongestion(error) && this.#aimd.onOverload(now, ticket.admittedAt)) this.#shrinks += 1;
    }
    if (this.#aimd.current !== before) this.#onConcurrencyChange?.(this.#aimd.current);
    this.#changes.notify();
  }

  /** The admission loop of the caller first in line: check, reserve all or nothing, else wait and re-check. */
  async #admitAtHead(estimate: AttemptEstimate, signal: AbortSignal | undefined): Promise<Admission> {
    for (;;) {
      if (signal?.aborted) return ABORTED;
      const step = this.#tryAdmit(estimate);
      if (step === 'change') {
        if (!(await this.#changes.wait(this.#clock, Number.POSITIVE_INFINITY, signal))) return ABORTED;
      } else if ('waitMs' in step) {
        if (!(await this.#sleep(step.waitMs, signal))) return ABORTED;
      } else {
        return step;
      }
    }
  }

  /**
   * One look at the gate, without waiting: an admission (or a refusal), a time to sleep (a pause or a
   * bucket), or `change` (wait for a settlement: a slot or budget to free up).
   */
  #tryAdmit(estimate: AttemptEstimate): Admission | { waitMs: number } | 'change' {
    const now = this.#clock.now();
    const pauseMs = this.#pause.waitMs(now);
    if (pauseMs > 0) return { waitMs: pauseMs };
    // p-limit cannot take back slots already running, so the gate holds retries under a cut too.
    if (this.#inFlight >= this.#aimd.current) return 'change';
    const budget = this.#reserveBudget(estimate);
    if (budget === 'over_budget' || budget === 'unknown_price') return { ok: false, reason: budget };
    if (budget === 'wait') return 'change';
    const rate = this.#limiter.reserve(estimate, now);
    if (!rate.ok) {
      // Held for one synchronous step only: nothing else can have reserved in between.
      if (budget !== null) this.#budget?.settle(budget, 0);
      return { waitMs: rate.waitMs };
    }
    const ticket: AttemptTicket = Object.freeze({
      admittedAt: now,
      inputTokens: estimate.inputTokens,
      maxTokens: estimate.maxTokens,
    });
    this.#held.set(ticket, { rate: rate.ticket, budget });
    this.#inFlight += 1;
    return { ok: true, ticket };
  }

  /** A reservation, null without a budget, or why not: refused for good, or `wait` for requests in flight. */
  #reserveBudget(
    estimate: AttemptEstimate,
  ): BudgetReservation | null | 'wait' | 'over_budget' | 'unknown_price' {
    const budget = this.#budget;
    if (budget === null) return null;
    const worst = estimate.worstCaseNanos === null ? null : estimate.worstCaseNanos / NANOS_PER_USD;
    const decision = budget.reserve(worst);
    if (decision.ok) return decision.reservation;
    if (decision.reason === 'over_budget' && budget.reserved > 0) return 'wait';
    if (decision.reason === 'over_budget') this.#budgetRefused = true;
    return decision.reason;
  }

  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    const start = this.#clock.now();
    const ok = await this.#changes.wait(this.#clock, ms, signal);
    this.#waitedMs += this.#clock.now() - start;
    return ok;
  }

  #estimateOf(params: MessageParams): AttemptEstimate {
    let estimate = this.#estimates.get(params);
    if (estimate === undefined) {
      estimate = this.#needsEstimate
        ? estimateAttempt(params)
        : { inputTokens: 0, maxTokens: params.max_tokens, worstCaseNanos: 0 };
      this.#estimates.set(params, estimate);
    }
    return estimate;
  }

  #pauseFor(ms: number, now: number): void {
    if (ms > 0) this.#pause.pauseUntil(now + ms);
  }
}
