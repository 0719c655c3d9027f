/**
 * The server's own view of the rate limits, from `anthropic-ratelimit-*` response headers, and the
 * pure decision of how long to hold dispatching when a limit is nearly used up.
 */

/** One limit as the server reports it. Each field is null when its header is missing or unreadable. */
export interface RateLimitWindow {
  limit: number | null;
  remaining: number | null;
  /** When the limit is fully replenished, ms since the epoch (header: RFC 3339). */
  resetAt: number | null;
}

/** The four limits the API reports; a limit is null when none of its three headers came. */
export interface RateLimitHeaders {
  requests: RateLimitWindow | null;
  tokens: RateLimitWindow | null;
  inputTokens: RateLimitWindow | null;
  outputTokens: RateLimitWindow | null;
}

const PREFIX = 'anthropic-ratelimit-';

const NO_LIMITS: RateLimitHeaders = Object.freeze({
  requests: null,
  tokens: null,
  inputTokens: null,
  outputTokens: null,
});

/**
 * Read `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`.
 * Names are matched case-insensitively; garbage values become null rather than errors, because
 * gateways strip or rewrite these headers and a run must not fail over advisory data.
 */
export function parseRateLimitHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): RateLimitHeaders {
  let lower: Map<string, string> | null = null;
  for (const name in headers) {
    const value = headers[name];
    const key = name.toLowerCase();
    if (typeof value === 'string' && key.startsWith(PREFIX)) (lower ??= new Map()).set(key, value);
  }
  // Most gateways send none: every answer of a run is read, so that case allocates nothing.
  if (lower === null) return NO_LIMITS;
  const found = lower;
  const window = (kind: string): RateLimitWindow | null => {
    const prefix = `${PREFIX}${kind}-`;
    const limit = found.get(`${prefix}limit`);
    const remaining = found.get(`${prefix}remaining`);
    const reset = found.get(`${prefix}reset`);
    if (limit === undefined && remaining === undefined && reset === undefined) return null;
    return { limit: parseCount(limit), remaining: parseCount(remaining), resetAt: parseTime(reset) };
  };
  return {
    requests: window('requests'),
    tokens: window('tokens'),
    inputTokens: window('input-tokens'),
    outputTokens: window('output-tokens'),
  };
}

/** Options of {@link pauseFromRateLimitHeaders}. */
export interface RateLimitPauseOptions {
  /** "Near zero" includes `remaining <= nearRemaining`. Default 1: one request or token left. */
  nearRemaining?: number;
  /** "Near zero" includes `remaining < nearFraction * limit`. Default 0.02 (2 %). */
  nearFraction?: number;
  /**
   * Longest pause these headers may cause, ms. Default 60,000: every limit refills within a minute,
   * so a later reset is clock skew or a broken gateway and must not freeze the run.
   */
  maxPauseMs?: number;
}

/**
 * Milliseconds to hold all dispatching at `now`: until the latest `reset` of any limit whose
 * remaining is near zero, capped by `maxPauseMs`; 0 when no limit is near zero. A near-zero limit
 * without a readable reset causes no pause: the 429 and its `retry-after` that may follow say more.
 */
export function pauseFromRateLimitHeaders(
  parsed: RateLimitHeaders,
  now: number,
  options: RateLimitPauseOptions = {},
): number {
  const { nearRemaining = 1, nearFraction = 0.02, maxPauseMs = 60_000 } = options;
  let pause = 0;
  for (const window of [parsed.requests, parsed.tokens, parsed.inputTokens, parsed.outputTokens]) {
    if (window === null || window.remaining === null || window.resetAt === null) continue;
    const near =
      window.remaining <= nearRemaining ||
      (window.limit !== null && window.remaining < nearFraction * window.limit);
    if (near) pause = Math.max(pause, window.resetAt - now);
  }
  return Math.min(Math.max(0, Math.ceil(pause)), maxPauseMs);
}

/** A non-negative integer, or null. `Number('')` is 0 and `parseInt('12abc')` is 12, hence the regex. */
function parseCount(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/** RFC 3339 date-time only: `Date.parse` alone would also accept forms such as "Tuesday" + year. */
function parseTime(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(trimmed)) return null;
  const ms = Date.parse(trimmed.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms;
}
