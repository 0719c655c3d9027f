/**
 * What the Message Batches API answers, read leniently into lp-batch's shapes: a batch object (either
 * dialect's) and one line of a batch's results. Pure: values come in parsed, nothing is thrown for a
 * field lp-batch does not need.
 */
import { showValue } from '../shorten.js';
import type { Message, RequestCounts } from '../types.js';
import { isMessage, type Redact } from './responses.js';
import { isRecord } from '../is-record.js';

/** `in_progress`, `canceling` or `ended`, as the API says it. */
export type ProcessingStatus = 'in_progress' | 'canceling' | 'ended';

/** A Message Batch as lp-batch reads it from either dialect. */
export interface BatchInfo {
  id: string;
  processing_status: ProcessingStatus;
  /** null when the gateway did not say (AI/ML API answers a batch that has ended with its results). */
  request_counts: RequestCounts | null;
  /** ISO 8601 times as the API gives them, or null. */
  created_at: string | null;
  ended_at: string | null;
  expires_at: string | null;
  cancel_initiated_at: string | null;
  /** Where the results are served once the batch has ended (Anthropic's dialect), or null. */
  results_url: string | null;
}

/** One request's outcome in a batch's results, as Anthropic's results format says it. */
export type BatchResult =
  | { type: 'succeeded'; message: Message }
  /** `error`: the API's error body, `{"type":"error","error":{"type","message"},"request_id"?}`. */
  | { type: 'errored'; error: unknown }
  | { type: 'canceled' }
  | { type: 'expired' };

export interface BatchResultLine {
  custom_id: string;
  result: BatchResult;
}

const STATUSES: ReadonlySet<string> = new Set<ProcessingStatus>(['in_progress', 'canceling', 'ended']);
const COUNT_NAMES = ['processing', 'succeeded', 'errored', 'canceled', 'expired'] as const;

/** Longest excerpt of an answer quoted in a message. */
const QUOTED_CHARS = 120;

/** The batch object `value` stands for, or a reason it is none (what the server sent quoted, redacted). */
export function batchInfoOf(
  value: unknown,
  redact: Redact,
): { ok: true; batch: BatchInfo } | { ok: false; reason: string } {
  if (!isRecord(value) || typeof value.id !== 'string' || value.id === '') {
    return { ok: false, reason: `not a Message Batch (no "id"): ${showValue(value, QUOTED_CHARS, redact)}` };
  }
  const status = value.processing_status;
  if (typeof status !== 'string' || !STATUSES.has(status)) {
    const shown = showValue(status, QUOTED_CHARS, redact);
    return { ok: false, reason: `Message Batch ${redact(value.id)}: unknown processing_status ${shown}` };
  }
  return {
    ok: true,
    batch: {
      id: value.id,
      processing_status: status as ProcessingStatus,
      request_counts: countsOf(value.request_counts),
      created_at: stringOrNull(value.created_at),
      ended_at: stringOrNull(value.ended_at),
      expires_at: stringOrNull(value.expires_at),
      cancel_initiated_at: stringOrNull(value.cancel_initiated_at),
      results_url: stringOrNull(value.results_url),
    },
  };
}

/** One line of a batch's results, or a reason it is none (the line is then reported, never guessed at). */
export function batchResultOf(
  value: unknown,
  redact: Redact,
): { ok: true; line: BatchResultLine } | { ok: false; reason: string } {
  if (!isRecord(value) || typeof value.custom_id !== 'string') {
    return {
      ok: false,
      reason: `not a result line (no "custom_id"): ${showValue(value, QUOTED_CHARS, redact)}`,
    };
  }
  const { custom_id } = value;
  const result = isRecord(value.result) ? value.result : {};
  switch (result.type) {
    case 'succeeded':
      return isMessage(result.message)
        ? { ok: true, line: { custom_id, result: { type: 'succeeded', message: result.message } } }
        : { ok: false, reason: `"${redact(custom_id)}": a succeeded result without a Messages API message` };
    case 'errored':
      return { ok: true, line: { custom_id, result: { type: 'errored', error: result.error } } };
    case 'canceled':
    case 'expired':
      return { ok: true, line: { custom_id, result: { type: result.type } } };
    default:
      return {
        ok: false,
        reason: `"${redact(custom_id)}": unknown result type ${showValue(result.type, QUOTED_CHARS, redact)}`,
      };
  }
}

/** A batch's total requests, from its counts (0 when the gateway gave none). */
export function totalOf(counts: RequestCounts | null): number {
  return counts === null ? 0 : COUNT_NAMES.reduce((sum, name) => sum + counts[name], 0);
}

/** Counts with every field a number (absent ones 0), or null when the value is not an object of counts. */
function countsOf(value: unknown): RequestCounts | null {
  if (!isRecord(value)) return null;
  const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  for (const name of COUNT_NAMES) {
    const n = value[name];
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) counts[name] = n;
  }
  return counts;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
