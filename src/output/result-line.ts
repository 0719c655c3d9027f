/**
 * The two kinds of result line, in the Message Batches results format plus lp-batch's own fields
 * (usage, cost_usd, attempts, latency_ms, ...). See ResultLine in ../types.ts. The only place that
 * builds one.
 */
import { RequestError } from '../errors.js';
import type { ErroredLine, Message, SucceededLine } from '../types.js';

export interface LineId {
  custom_id: string;
  line: number;
}

/** Why a request failed for good, as its errored line tells it. */
export interface Failure {
  /** The Messages API error type (`overloaded_error`, ...) or lp-batch's own (`connection_error`, ...). */
  type: string;
  message: string;
  requestId: string | null;
  /** HTTP status of the last attempt; null when nothing was sent or no response came. */
  status: number | null;
}

/** A line that was never sent (bad input, no price under a budget): `invalid_request_error`, status null. */
export function notSentFailure(message: string): Failure {
  return { type: 'invalid_request_error', message, requestId: null, status: null };
}

/** The failure a thrown error stands for; anything that is not a RequestError is an `internal_error`. */
export function failureOf(error: unknown): Failure {
  if (error instanceof RequestError) {
    return { type: error.type, message: error.message, requestId: error.requestId, status: error.status };
  }
  return { type: 'internal_error', message: String(error), requestId: null, status: null };
}

export function succeededLine(
  id: LineId,
  message: Message,
  extra: {
    costUsd: number | null;
    attempts: number;
    latencyMs: number;
    ttftMs?: number | undefined;
    paramsHash?: string | undefined;
  },
): SucceededLine {
  const result: SucceededLine = {
    custom_id: id.custom_id,
    line: id.line,
    result: { type: 'succeeded', message },
    usage: message.usage,
    cost_usd: extra.costUsd,
    attempts: extra.attempts,
    latency_ms: Math.round(extra.latencyMs),
  };
  if (extra.ttftMs !== undefined) result.ttft_ms = Math.round(extra.ttftMs);
  if (extra.paramsHash !== undefined) result.params_hash = extra.paramsHash;
  return result;
}

export function erroredLine(
  id: LineId,
  failure: Failure,
  extra: { attempts: number; latencyMs: number; paramsHash?: string | undefined },
): ErroredLine {
  const result: ErroredLine = {
    custom_id: id.custom_id,
    line: id.line,
    result: {
      type: 'errored',
      error: {
        type: 'error',
        error: { type: failure.type, message: failure.message },
        request_id: failure.requestId,
      },
    },
    status: failure.status,
    attempts: extra.attempts,
    latency_ms: Math.round(extra.latencyMs),
  };
  if (extra.paramsHash !== undefined) result.params_hash = extra.paramsHash;
  return result;
}
