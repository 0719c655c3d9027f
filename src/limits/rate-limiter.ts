/**
 * The three client-side limits of a run (`--rpm`, `--itpm`, `--otpm`) as one reserve/settle pair.
 */
import type { Usage } from '../types.js';
import { TokenBucket } from './token-bucket.js';

/** Options of {@link RateLimiter}. An absent rate means that dimension is not limited. */
export interface RateLimiterOptions {
  /** Requests per minute (`--rpm`). */
  rpm?: number | undefined;
  /** Input tokens per minute (`--itpm`): uncached input plus cache writes, as the API counts them. */
  itpm?: number | undefined;
  /** Output tokens per minute (`--otpm`). */
  otpm?: number | undefined;
  /** Creation time in ms; every bucket starts full. */
  now: number;
}

/** What one request will cost the limits before it is sent. */
export interface RateLimitRequest {
  /** The input-token estimate (see `estimateInputTokens`). */
  inputTokens: number;
  /** The request's `max_tokens`: the most output it can produce. */
  maxTokens: number;
}

/** Proof of a reservation, handed back to {@link RateLimiter.settle} exactly once. */
export interface RateLimitTicket {
  readonly inputTokens: number;
  readonly maxTokens: number;
}

/** Either the request may go now (holding `ticket`), or it must wait `waitMs` and ask again. */
export type RateLimitDecision = { ok: true; ticket: RateLimitTicket } | { ok: false; waitMs: number };

/**
 * RPM charges 1 per request. ITPM charges the input estimate up front and is corrected with the real
 * usage at settlement (the level may go into debt). OTPM reserves `max_tokens` and refunds what was
 * not produced.
 */
export class RateLimiter {
  readonly #rpm: TokenBucket | null;
  readonly #itpm: TokenBucket | null;
  readonly #otpm: TokenBucket | null;
  readonly #open = new WeakSet<RateLimitTicket>();

  constructor(options: RateLimiterOptions) {
    const bucket = (rate: number | undefined) =>
      rate === undefined ? null : new TokenBucket({ ratePerMinute: rate, now: options.now });
    this.#rpm = bucket(options.rpm);
    this.#itpm = bucket(options.itpm);
    this.#otpm = bucket(options.otpm);
  }

  /**
   * Take what `req` needs from every bucket if all can give it at `now`; otherwise take nothing and
   * say how long the slowest bucket needs. Charging all-or-nothing keeps a waiting request from
   * holding tokens of one bucket while it waits for another.
   */
  reserve(req: RateLimitRequest, now: number): RateLimitDecision {
    const waitMs = Math.max(
      this.#rpm?.waitMs(1, now) ?? 0,
      this.#itpm?.waitMs(req.inputTokens, now) ?? 0,
      this.#otpm?.waitMs(req.maxTokens, now) ?? 0,
    );
    if (waitMs > 0) return { ok: false, waitMs };
    this.#rpm?.take(1, now);
    this.#itpm?.take(req.inputTokens, now);
    this.#otpm?.take(req.maxTokens, now);
    const ticket: RateLimitTicket = Object.freeze({ inputTokens: req.inputTokens, maxTokens: req.maxTokens });
    this.#open.add(ticket);
    return { ok: true, ticket };
  }

  /**
   * Correct the charges of `ticket` with the response's `usage`. Without usage (the attempt failed)
   * the input estimate stays charged, since the server may have counted it, and all reserved output
   * is refunded, since none was produced. Throws on a ticket that is unknown or already settled.
   */
  settle(ticket: RateLimitTicket, usage: Usage | null, now: number): void {
    if (!this.#open.delete(ticket)) {
      throw new Error('RateLimiter.settle: this ticket was not reserved here or is already settled');
    }
    if (usage === null) {
      this.#otpm?.adjust(-ticket.maxTokens, now);
      return;
    }
    // A count the gateway omitted leaves that charge as it was: the estimate is the best figure left.
    const input = countOf(usage.input_tokens);
    if (input !== null) {
      // Cache reads do not count against ITPM on current models; cache writes do.
      const charged = input + (countOf(usage.cache_creation_input_tokens) ?? 0);
      this.#itpm?.adjust(charged - ticket.inputTokens, now);
    }
    const output = countOf(usage.output_tokens);
    if (output !== null) this.#otpm?.adjust(output - ticket.maxTokens, now);
  }
}

function countOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
