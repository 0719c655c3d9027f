/**
 * The simulator's server-side request limit (`rpm`): lp-batch's own token bucket, holding a
 * minute's worth of requests and refilled continuously, as the API describes its limits. The
 * decision and the `anthropic-ratelimit-requests-*` headers are computed from the clock's time.
 */
import { TokenBucket } from '../limits/token-bucket.js';

export type RpmDecision =
  | { admitted: true; headers: Record<string, string> }
  | { admitted: false; headers: Record<string, string>; retryAfterS: number };

/** The `rpm` limit of one simulator: created full at the server's start. */
export class RequestLimit {
  readonly #bucket: TokenBucket;
  readonly #rpm: number;

  constructor(rpm: number, now: number) {
    this.#rpm = rpm;
    this.#bucket = new TokenBucket({ ratePerMinute: rpm, now, burstMs: 60_000 });
  }

  /**
   * Admit one request at `now` (epoch ms) or refuse it. Either way the headers say the limit, what
   * remains and when the bucket is full again (RFC 3339); a refusal also says, in whole seconds
   * rounded up, when one request will fit (`retry-after`).
   */
  admit(now: number): RpmDecision {
    const waitMs = this.#bucket.waitMs(1, now);
    if (waitMs === 0) this.#bucket.take(1, now);
    const headers = {
      'anthropic-ratelimit-requests-limit': String(this.#rpm),
      'anthropic-ratelimit-requests-remaining': String(Math.max(0, Math.floor(this.#bucket.level(now)))),
      'anthropic-ratelimit-requests-reset': new Date(
        now + this.#bucket.waitMs(this.#bucket.capacity, now),
      ).toISOString(),
    };
    if (waitMs === 0) return { admitted: true, headers };
    const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
    return { admitted: false, headers: { ...headers, 'retry-after': String(retryAfterS) }, retryAfterS };
  }
}
