/**
 * The retry policy as pure functions: what one failed attempt means (`classify`: retry it? stop the
 * run? is the server congested? did it say how long to wait?) and how long to wait before the next.
 * No I/O and no clock of its own: `now` and `random` come in.
 */
import { ApiError, ConnectionError, InvalidResponseError } from '../errors.js';

/** Backoff without a server-given wait: BASE * 2^(retry-1), at most MAX, minus up to JITTER of it. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 32_000;
const BACKOFF_JITTER = 0.25;

/** Statuses retried whatever the body says (plus any other 5xx). */
const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/**
 * Error types retried when they arrive as `event: error` inside a 200 stream (a type the gateway
 * made up arrives here as `api_error`, see ../client/responses.ts).
 */
const RETRYABLE_STREAM_TYPES: ReadonlySet<string> = new Set([
  'overloaded_error',
  'api_error',
  'rate_limit_error',
  'timeout_error',
]);

/** Why the whole run must stop dispatching: every later request would fail the same way. */
export type StopReason = 'auth' | 'spend_cap';

/**
 * What the server's load has to do with a failure: `overloaded` (529, `overloaded_error`) or
 * `rate_limited` (429, `rate_limit_error`). Either cuts adaptive concurrency; a rate limit's
 * server-given wait also pauses all dispatching.
 */
export type Congestion = 'overloaded' | 'rate_limited';

/** What one failed attempt means. */
export interface Classification {
  /** Worth another attempt. */
  retry: boolean;
  /** The run must stop dispatching (401/403, the spend cap); null for a failure of this request alone. */
  stop: StopReason | null;
  /** The server is congested; null when the failure says nothing about load. */
  congestion: Congestion | null;
  /** The wait the server asked for, ms (`retry-after-ms`, else `retry-after` seconds or HTTP date), or null. */
  serverWaitMs: number | null;
}

const NOT_RETRIED: Classification = Object.freeze({
  retry: false,
  stop: null,
  congestion: null,
  serverWaitMs: null,
});
const RETRIED: Classification = Object.freeze({ ...NOT_RETRIED, retry: true });

/**
 * Classify a failed attempt at wall-clock `nowEpochMs` (for `retry-after` dates).
 * - Connection failures and 2xx bodies that are not JSON (cut or garbled) are retried.
 * - 401/403 stop the run (every request would fail); so does the spend cap: a 429 without
 *   `retry-after` whose `error.details.error_code` is `enforced_spend_limit_reached`.
 * - Otherwise `x-should-retry` from the server decides first; then the status (retried: 408, 409,
 *   429, every 5xx) or, inside a 200 stream, the error type.
 * - Connection failures include our own timeouts (`--timeout`, `--idle-timeout`): retried.
 * - Not retried: a body over `--max-response-bytes` (the same request gets the same answer), and
 *   anything that is not a RequestError (a bug, an abort).
 */
export function classify(error: unknown, nowEpochMs: number): Classification {
  if (error instanceof ConnectionError) return RETRIED;
  if (error instanceof InvalidResponseError) return error.kind === 'not_json' ? RETRIED : NOT_RETRIED;
  if (!(error instanceof ApiError)) return NOT_RETRIED;
  const stop = stopReasonOf(error);
  if (stop !== null) return { ...NOT_RETRIED, stop };
  return {
    retry: isRetryable(error),
    stop: null,
    congestion: congestionOf(error),
    serverWaitMs: serverWaitMs(error, nowEpochMs),
  };
}

/**
 * How long to wait before the `retry`-th retry (1-based): the server's word if it gave one, else
 * backoff; capped by `maxWaitMs`. With `escalate` false (most attempts get through: the 529s and
 * 429s come now and then), a congestion failure waits the first retry's backoff every time: waiting
 * longer would not make the server fail less, and the concurrency limit already bounds what the
 * server gets. Other failures always back off exponentially.
 */
export function retryWaitMs(
  classification: Classification,
  retry: number,
  opts: { maxWaitMs: number; random: () => number; escalate?: boolean | undefined },
): number {
  const steps = classification.congestion !== null && opts.escalate === false ? 1 : retry;
  return Math.min(classification.serverWaitMs ?? backoffMs(steps, opts.random), opts.maxWaitMs);
}

/** Exponential backoff with jitter for the `retry`-th retry (1-based). `random()` is in [0, 1). */
export function backoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_BASE_MS * 2 ** (retry - 1), BACKOFF_MAX_MS);
  return Math.round(ceiling * (1 - BACKOFF_JITTER * random()));
}

function stopReasonOf(error: ApiError): StopReason | null {
  if (error.status === 401 || error.status === 403) return 'auth';
  if (error.status !== 429 || error.headers['retry-after'] !== undefined) return null;
  const details = error.details as { error_code?: unknown } | null;
  return details?.error_code === 'enforced_spend_limit_reached' ? 'spend_cap' : null;
}

function isRetryable(error: ApiError): boolean {
  const hint = error.headers['x-should-retry'];
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  if (error.status < 300) return RETRYABLE_STREAM_TYPES.has(error.type);
  return RETRYABLE_STATUSES.has(error.status) || error.status >= 500;
}

/** The status decides when it says 429 or 529; inside a 200 stream (or a gateway's odd status), the type. */
function congestionOf(error: ApiError): Congestion | null {
  if (error.status === 429) return 'rate_limited';
  if (error.status === 529) return 'overloaded';
  if (error.type === 'rate_limit_error') return 'rate_limited';
  if (error.type === 'overloaded_error') return 'overloaded';
  return null;
}

function serverWaitMs(error: ApiError, nowEpochMs: number): number | null {
  const ms = Number.parseFloat(error.headers['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = error.headers['retry-after'];
  if (raw === undefined) return null;
  const seconds = Number(raw.trim());
  if (raw.trim() !== '' && Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - nowEpochMs);
}
