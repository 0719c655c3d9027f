/**
 * The two kinds of result line, in the Message Batches results format plus lp-batch's own fields
 * (usage, cost_usd, attempts, latency_ms, ...). See ResultLine in ../types.ts.
 */
import { toErrorBody } from '../errors.js';
import type { ErroredLine, Message, SucceededLine } from '../types.js';

export interface LineId {
  custom_id: string;
  line: number;
}

export function succeededLine(
  id: LineId,
  message: Message,
  extra: {
    costUsd: number | null;
    attempts: number;
    latencyMs: number;
    ttftMs?: number | undefined;
    paramsHash?: string;
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
  error: { type: string; message: string; requestId: string | null },
  extra: { status: number | null; attempts: number; latencyMs: number; paramsHash?: string },
): ErroredLine {
  const result: ErroredLine = {
    custom_id: id.custom_id,
    line: id.line,
    result: { type: 'errored', error: toErrorBody(error.type, error.message, error.requestId) },
    status: extra.status,
    attempts: extra.attempts,
    latency_ms: Math.round(extra.latencyMs),
  };
  if (extra.paramsHash !== undefined) result.params_hash = extra.paramsHash;
  return result;
}
