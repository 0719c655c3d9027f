/**
 * The dispatch gate: every attempt of every request passes it. Before an attempt it waits for a
 * global pause (rate-limit headers near zero, or a retry-after when 429s come from most requests in
 * flight), the budget's worst case and the rpm/itpm/otpm buckets; after, it settles them all with
 * what really happened and feeds adaptive concurrency. It counts no slots: the run's Slots do,
 * at the concurrency the gate reports.
 */
import type { Clock } from '../clock.js';
import { ApiError, type ResponseHeaders } from '../errors.js';
import type { PriceTable } from '../pricing/price-table.js';
import { classify } from '../retry/policy.js';
import type { MessageParams, Usage } from '../types.js';
import { type AttemptEstimate, estimateAttempt } from './attempt-estimate.js';
import { Budget, type BudgetReservation } from './budget.js';
import { ConcurrencyController } from './concurrency.js';
import { RecentCongestion } from './recent-congestion.js';
import { DispatchPause } from './dispatch-pause.js';
import { parseRateLimitHeaders, pauseFromRateLimitHeaders } from './rate-limit-headers.js';
import { RateLimiter, type RateLimitTicket } from './rate-limiter.js';
import { ChangeNotifier, TurnQueue } from './turn-queue.js';

/** Options of `DispatchGate`. */
export interface GateOptions {
  /** `--concurrency`: where adaptive concurrency starts, and its ceiling. */
  maxConcurrency: number;
  /** Move concurrency with the congestion it measures (default true); false holds it at `maxConcurrency`. */
  adaptive?: boolean | undefined;
  /** `--rpm`, `--itpm`, `--otpm`: per-minute rates; undefined means no limit. */
  rpm?: number | undefined;
  itpm?: number | undefined;
  otpm?: number | undefined;
  /** `--max-cost` in USD; undefined means no budget. */
  maxCostUsd?: number | undefined;
  /** The prices a request's worst case is held at under `maxCostUsd`. */
  prices: PriceTable;
  /**
   * Longest global pause one 429 `retry-after` or one set of rate-limit headers may cause, ms
   * (the run passes `--max-retry-wait`): a longer ask is a broken gateway.
   */
  maxPauseMs: number;
  /** Called when adaptive concurrency moves, with the new value (the run sets its Slots' `limit`). */
  onConcurrencyChange?: ((concurrency: number) => void) | undefined;
  clock: Clock;
}

/** Proof that one attempt was admitted; hand it to `DispatchGate.settle` exactly once. */
export interface AttemptTicket {
  /** `clock.now()` at admission: when the attempt was sent. */
  readonly admittedAt: number;
}

/** Why the gate let an attempt not go: its worst case passes what is left of the budget, the model has no price, or the caller gave up. */
export type Refusal = 'over_budget' | 'unknown_price' | 'aborted';

export type Admission = { ok: true; ticket: AttemptTicket } | { ok: false; reason: Refusal };

/** How an attempt ended. `costNanos` null: the cost cannot be computed, so the worst case is recorded. */
export type AttemptOutcome =
  | { ok: true; usage: Usage; costNanos: number | null; headers: ResponseHeaders }
  | { ok: false; error: unknown };

const ABORTED: Admission = Object.freeze({ ok: false, reason: 'aborted' });
const UNKNOWN_PRICE: Admission = Object.freeze({ ok: false, reason: 'unknown_price' });

/** The least attempts looked at to tell "most attempts congested" (see `backoffEscalates`). */
const BACKOFF_WINDOW = 16;

type Held = { rate: RateLimitTicket; budget: BudgetReservation | null };

/** A ticket holds what its attempt reserved until settled (not a WeakMap beside it: GC walks those). */
class Ticket implements AttemptTicket {
  constructor(
    readonly gate: DispatchGate,
    readonly admittedAt: number,
    public held: Held | null,
  ) {}
}

/**
 * Admits attempts one at a time, first come first served: only the head of the line computes waits,
 * sleeps and reserves, so callers never stampede past a bucket. Every settlement wakes the head,
 * whose wait may have shortened (tokens refunded, budget freed).
 */
export class DispatchGate {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter;
  readonly #aimd: ConcurrencyController;
  readonly #pause = new DispatchPause();
  readonly #recent: RecentCongestion;
  readonly #budget: Budget | null;
  readonly #maxPauseMs: number;
  readonly #onConcurrencyChange: ((concurrency: number) => void) | undefined;
  readonly #turns = new TurnQueue();
  readonly #changes = new ChangeNotifier();
  /** Each request's estimate, made once for all its attempts (a WeakMap: GC walks it, so only when needed). */
  readonly #estimates = new WeakMap<MessageParams, AttemptEstimate>();
  #shrinks = 0;
  /** Set by a failure that means every request would fail (401/403, the spend cap): nothing more is admitted. */
  #stopped = false;
  /** Estimates cost a walk over the whole request: only made when ITPM or a budget needs them. */
  readonly #needsEstimate: boolean;
  readonly #prices: PriceTable;

  constructor(opts: GateOptions) {
    if (!(opts.maxPauseMs >= 0)) {
      throw new RangeError(
        `Expected \`maxPauseMs\` to be a non-negative number, got \`${String(opts.maxPauseMs)}\``,
      );
    }
    this.#clock = opts.clock;
    this.#aimd = new ConcurrencyController({
      max: opts.maxConcurrency,
      min: opts.adaptive === false ? opts.maxConcurrency : 1,
    });
    this.#recent = new RecentCongestion(Math.max(opts.maxConcurrency, BACKOFF_WINDOW));
    this.#limiter = new RateLimiter({
      rpm: opts.rpm,
      itpm: opts.itpm,
      otpm: opts.otpm,
      now: opts.clock.now(),
    });
    this.#budget = opts.maxCostUsd === undefined ? null : new Budget(opts.maxCostUsd);
    this.#maxPauseMs = opts.maxPauseMs;
    this.#onConcurrencyChange = opts.onConcurrencyChange;
    this.#needsEstimate = opts.itpm !== undefined || opts.maxCostUsd !== undefined;
    this.#prices = opts.prices;
  }

  /** Requests allowed in flight now (AIMD between 1 and `maxConcurrency`). */
  get concurrency(): number {
    return this.#aimd.current;
  }

  /** Times adaptive concurrency was cut. */
  get shrinks(): number {
    return this.#shrinks;
  }

  /**
   * Whether a 529 or 429 makes its request wait longer at each retry (exponential backoff): only
   * while most of the latest attempts are congested (a server down or swamped, which needs time).
   * Otherwise the concurrency limit already bounds what the server gets, and waiting longer for a
   * failure that comes now and then would only stretch the run.
   */
  get backoffEscalates(): boolean {
    return this.#recent.mostCongested(Math.max(this.#aimd.current, BACKOFF_WINDOW));
  }

  /** The budget's limit and spending, in nano-dollars; null without `--max-cost`. */
  get budget(): { limitNanos: number; spentNanos: number } | null {
    const budget = this.#budget;
    return budget && { limitNanos: budget.limitNanos, spentNanos: budget.spentNanos };
  }

  /**
   * Wait until one attempt of `params` may be sent, then reserve what it may use. Refuses at once a
   * model without a price under `--max-cost` (`unknown_price`), and a request whose worst case alone
   * passes what is left of the budget (`over_budget`: it can never fit, since spending only grows);
   * one that fits what is left but not beside requests in flight waits for them to settle.
   * Never throws for a refusal; `aborted` when `signal` aborts while waiting, or once an attempt
   * failed in a way that stops the run (401/403, the spend cap: see `classify`).
   */
  async admit(params: MessageParams, signal?: AbortSignal): Promise<Admission> {
    const now = this.admitNow(params, signal);
    if (now !== null) return now;
    const estimate = this.#estimateOf(params);
    const turn = this.#turns.enter(signal);
    try {
      if (!(await turn.ready)) return ABORTED;
      return await this.#admitAtHead(estimate, signal);
    } finally {
      turn.leave();
    }
  }

  /**
   * `admit` when it is decided at once, without a promise: nobody in line and nothing to wait for
   * (the common case), or a refusal. Null when the attempt has to wait: then `await admit(...)`.
   */
  admitNow(params: MessageParams, signal?: AbortSignal): Admission | null {
    if (signal?.aborted || this.#stopped) return ABORTED;
    const estimate = this.#estimateOf(params);
    if (this.#budget !== null && estimate.worstCaseNanos === null) return UNKNOWN_PRICE;
    if (!this.#turns.empty) return null;
    const step = this.#tryAdmit(estimate);
    return step === 'change' || 'waitMs' in step ? null : step;
  }

  /**
   * After the attempt. Success: correct the buckets and the budget with the real usage and cost,
   * heed rate-limit headers. Failure: nothing was billed, so refund the budget reservation and the
   * output reservation (the input estimate stays charged: the server may have counted it); a 429's
   * server-given wait pauses everyone only when 429s come from most requests in flight (the limit is
   * used up), headers near zero always do. Every success and congestion failure (see `classify`)
   * feeds adaptive concurrency. Throws on a ticket that was not admitted here or is already settled.
   */
  settle(ticket: AttemptTicket, outcome: AttemptOutcome): void {
    const held = ticket instanceof Ticket && ticket.gate === this ? ticket.held : null;
    if (held === null) {
      throw new Error('DispatchGate.settle: this ticket was not admitted here or is already settled');
    }
    (ticket as Ticket).held = null;
    const now = this.#clock.now();
    const nowEpochMs = this.#clock.nowEpochMs();
    let change = 0;
    if (outcome.ok) {
      this.#limiter.settle(held.rate, outcome.usage, now);
      if (held.budget !== null) this.#budget?.settle(held.budget, outcome.costNanos);
      this.#pauseFor(this.#headersPauseMs(outcome.headers, nowEpochMs), now);
      this.#recent.record(null);
      change = this.#aimd.onOutcome(now, ticket.admittedAt, false);
    } else {
      this.#limiter.settle(held.rate, null, now);
      if (held.budget !== null) this.#budget?.settle(held.budget, 0);
      const { congestion, serverWaitMs, stop } = classify(outcome.error, nowEpochMs);
      // Before this attempt's slot goes to another: the run stops, and no other attempt may slip out.
      if (stop !== null) this.#stopped = true;
      this.#recent.record(congestion);
      // A 529's wait, and a stray 429's, are left to that request's own retry.
      const exhausted = congestion === 'rate_limited' && this.#recent.mostRateLimited(this.#aimd.current);
      const asked = exhausted ? Math.min(Math.ceil(serverWaitMs ?? 0), this.#maxPauseMs) : 0;
      const headers = outcome.error instanceof ApiError ? outcome.error.headers : {};
      this.#pauseFor(Math.max(asked, this.#headersPauseMs(headers, nowEpochMs)), now);
      if (congestion !== null) change = this.#aimd.onOutcome(now, ticket.admittedAt, true);
    }
    if (change < 0) this.#shrinks += 1;
    if (change !== 0) this.#onConcurrencyChange?.(this.#aimd.current);
    this.#changes.notify();
  }

  /** The admission loop of the caller first in line: check, reserve all or nothing, else wait and re-check. */
  async #admitAtHead(estimate: AttemptEstimate, signal: AbortSignal | undefined): Promise<Admission> {
    for (;;) {
      if (signal?.aborted || this.#stopped) return ABORTED;
      const step = this.#tryAdmit(estimate);
      if (step === 'change') {
        if (!(await this.#changes.wait(this.#clock, Number.POSITIVE_INFINITY, signal))) return ABORTED;
      } else if ('waitMs' in step) {
        if (!(await this.#changes.wait(this.#clock, step.waitMs, signal))) return ABORTED;
      } else {
        return step;
      }
    }
  }

  /**
   * One look at the gate, without waiting: an admission (or a refusal), a time to sleep (a pause or a
   * bucket), or `change` (wait for a settlement to free budget).
   */
  #tryAdmit(estimate: AttemptEstimate): Admission | { waitMs: number } | 'change' {
    const now = this.#clock.now();
    const pauseMs = this.#pause.waitMs(now);
    if (pauseMs > 0) return { waitMs: pauseMs };
    const budget = this.#reserveBudget(estimate);
    if (budget === 'over_budget' || budget === 'unknown_price') return { ok: false, reason: budget };
    if (budget === 'wait') return 'change';
    const rate = this.#limiter.reserve(estimate, now);
    if (!rate.ok) {
      // Held for one synchronous step only: nothing else can have reserved in between.
      if (budget !== null) this.#budget?.settle(budget, 0);
      return { waitMs: rate.waitMs };
    }
    return { ok: true, ticket: new Ticket(this, now, { rate: rate.ticket, budget }) };
  }

  /** A reservation, null without a budget, or why not: refused for good, or `wait` for requests in flight. */
  #reserveBudget(
    estimate: AttemptEstimate,
  ): BudgetReservation | null | 'wait' | 'over_budget' | 'unknown_price' {
    const budget = this.#budget;
    if (budget === null) return null;
    const decision = budget.reserve(estimate.worstCaseNanos);
    if (decision.ok) return decision.reservation;
    return decision.reason === 'in_flight' ? 'wait' : decision.reason;
  }

  #estimateOf(params: MessageParams): AttemptEstimate {
    // Without ITPM or a budget nothing is estimated, and nothing is kept (see #estimates).
    if (!this.#needsEstimate) return { inputTokens: 0, maxTokens: params.max_tokens, worstCaseNanos: 0 };
    let estimate = this.#estimates.get(params);
    if (estimate === undefined) {
      estimate = estimateAttempt(params, this.#prices);
      this.#estimates.set(params, estimate);
    }
    return estimate;
  }

  /** Ms to pause everyone because a rate limit in `headers` is near zero (until its reset); 0 for none. */
  #headersPauseMs(headers: ResponseHeaders, nowEpochMs: number): number {
    return pauseFromRateLimitHeaders(parseRateLimitHeaders(headers), nowEpochMs, {
      maxPauseMs: this.#maxPauseMs,
    });
  }

  #pauseFor(ms: number, now: number): void {
    if (ms > 0) this.#pause.pauseUntil(now + ms);
  }
}
