/**
 * The two kinds of result line, in the Message Batches results format plus lp-batch's own fields
 * (usage, cost_usd, attempts, latency_ms, ...). See ResultLine in ../types.ts. The only place that
 * builds one.
 */
import { ApiError, RequestError } from '../errors.js';
import {
  ANTHROPIC_ERROR_TYPES,
  type AnthropicErrorType,
  type ErroredLine,
  type ErrorKind,
  type Message,
  type NotRunLine,
  type NotRunType,
  type SucceededLine,
} from '../types.js';

export interface LineId {
  custom_id: string;
  line: number;
  /**
   * The model the request asked for (`--model` filled in), or null when its line named none: the
   * summary counts a result under it, so `lp-batch summarize` can count it there too.
   */
  model: string | null;
  /** The input line's own `metadata`, copied unchanged into its result. */
  metadata?: Record<string, unknown> | undefined;
}

/** Why a request failed for good, as its errored line tells it. */
export interface Failure {
  /** Anthropic's error type (`overloaded_error`, ...): never another, so tools switching on it keep working. */
  type: AnthropicErrorType;
  /** lp-batch's finer kind (`connection`, `timeout`, `invalid_input`, ...), the line's `error_kind`. */
  kind: ErrorKind;
  message: string;
  requestId: string | null;
  /** HTTP status of the last attempt; null when nothing was sent or no response came. */
  status: number | null;
}

/**
 * A line that was never sent: bad input (`invalid_input`), or no price under a budget (`no_price`).
 * `invalid_request_error`, status null.
 */
export function notSentFailure(
  message: string,
  kind: 'invalid_input' | 'no_price' = 'invalid_input',
): Failure {
  return { type: 'invalid_request_error', kind, message, requestId: null, status: null };
}

/**
 * The failure a thrown error stands for. An ApiError's message is the gateway's own (status and
 * type have their fields); anything that is not a RequestError is an lp-batch bug: `internal`.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof RequestError) {
    return {
      type: error.type,
      kind: error.errorKind,
      message: error instanceof ApiError ? error.apiMessage : error.message,
      requestId: error.requestId,
      status: error.status,
    };
  }
  return { type: 'api_error', kind: 'internal', message: String(error), requestId: null, status: null };
}

/**
 * The kind of an errored line written before `error_kind` existed, from what such a line holds:
 * lp-batch's own types of then (`connection_error`, ...), else its status (null: never sent or no
 * response; 200: a stream's error event; else an error status).
 */
export function legacyErrorKind(type: string | null, status: number | null): ErrorKind {
  if (type === 'connection_error') return 'connection';
  if (type === 'invalid_response_error') return 'invalid_response';
  if (type === 'internal_error') return 'internal';
  if (status === null) return type === 'timeout_error' ? 'timeout' : 'invalid_input';
  return status < 300 ? 'stream_error' : 'http_error';
}

/** Anthropic's type for an errored line's `error.error.type`, read from any file (an older lp-batch wrote its own). */
export function anthropicErrorType(type: string | null): AnthropicErrorType {
  return type !== null && (ANTHROPIC_ERROR_TYPES as readonly string[]).includes(type)
    ? (type as AnthropicErrorType)
    : 'api_error';
}

/** What a succeeded line says besides its request and message (`cost_usd`: null when unpriced). */
export interface SucceededExtra {
  costUsd: number | null;
  attempts: number;
  latencyMs: number;
  ttftMs?: number | undefined;
  paramsHash?: string | undefined;
  /** The Message Batch that ran it (the batches engine). */
  batchId?: string | undefined;
}

export function succeededLine(id: LineId, message: Message, extra: SucceededExtra): SucceededLine {
  return { ...lineIdOf(id), result: { type: 'succeeded', message }, ...succeededFields(message, extra) };
}

/**
 * `JSON.stringify(succeededLine(id, message, extra))`, with the message written as `messageJson`,
 * the JSON text it was read from (on one line): the same line (a property test holds them equal),
 * written field by field without building it and turning the message back into text.
 */
export function succeededLineJson(
  id: LineId,
  message: Message,
  messageJson: string,
  extra: SucceededExtra,
): string {
  const { custom_id, line, model, metadata } = id;
  const { costUsd, ttftMs, paramsHash, batchId } = extra;
  return (
    `{"custom_id":${JSON.stringify(custom_id)},"line":${jsonNumber(line)},"model":${JSON.stringify(model)}` +
    (metadata === undefined ? '' : `,"metadata":${JSON.stringify(metadata)}`) +
    `,"result":{"type":"succeeded","message":${messageJson}},"usage":${JSON.stringify(message.usage)}` +
    `,"cost_usd":${costUsd === null ? 'null' : jsonNumber(costUsd)},"attempts":${jsonNumber(extra.attempts)}` +
    `,"latency_ms":${jsonNumber(Math.round(extra.latencyMs))}` +
    (ttftMs === undefined ? '' : `,"ttft_ms":${jsonNumber(Math.round(ttftMs))}`) +
    (paramsHash === undefined ? '' : `,"params_hash":${JSON.stringify(paramsHash)}`) +
    (batchId === undefined ? '' : `,"batch_id":${JSON.stringify(batchId)}`) +
    '}'
  );
}

/** A number as JSON.stringify writes it. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/** The fields of a succeeded line after `result`, in the order written. */
function succeededFields(
  message: Message,
  extra: SucceededExtra,
): Pick<
  SucceededLine,
  'usage' | 'cost_usd' | 'attempts' | 'latency_ms' | 'ttft_ms' | 'params_hash' | 'batch_id'
> {
  const fields: ReturnType<typeof succeededFields> = {
    usage: message.usage,
    cost_usd: extra.costUsd,
    attempts: extra.attempts,
    latency_ms: Math.round(extra.latencyMs),
  };
  if (extra.ttftMs !== undefined) fields.ttft_ms = Math.round(extra.ttftMs);
  if (extra.paramsHash !== undefined) fields.params_hash = extra.paramsHash;
  if (extra.batchId !== undefined) fields.batch_id = extra.batchId;
  return fields;
}

/** What every line kind may carry after its own fields. */
interface LineExtra {
  attempts: number;
  latencyMs: number;
  paramsHash?: string | undefined;
  /** The Message Batch that ran the request (the batches engine). */
  batchId?: string | undefined;
}

export function erroredLine(id: LineId, failure: Failure, extra: LineExtra): ErroredLine {
  const result: ErroredLine = {
    ...lineIdOf(id),
    result: {
      type: 'errored',
      error: {
        type: 'error',
        error: { type: failure.type, message: failure.message },
        request_id: failure.requestId,
      },
    },
    error_kind: failure.kind,
    status: failure.status,
    attempts: extra.attempts,
    latency_ms: Math.round(extra.latencyMs),
  };
  if (extra.paramsHash !== undefined) result.params_hash = extra.paramsHash;
  if (extra.batchId !== undefined) result.batch_id = extra.batchId;
  return result;
}

/** A request a Message Batch did not run: `{"type": "canceled"}` or `{"type": "expired"}`, as Anthropic writes it. */
export function notRunLine(id: LineId, type: NotRunType, extra: LineExtra): NotRunLine {
  const result: NotRunLine = {
    ...lineIdOf(id),
    result: { type },
    attempts: extra.attempts,
    latency_ms: Math.round(extra.latencyMs),
  };
  if (extra.paramsHash !== undefined) result.params_hash = extra.paramsHash;
  if (extra.batchId !== undefined) result.batch_id = extra.batchId;
  return result;
}

/** The fields every result line starts with; `metadata` only when the input line had one. */
function lineIdOf(id: LineId): Pick<SucceededLine, 'custom_id' | 'line' | 'model' | 'metadata'> {
  const { custom_id, line, model, metadata } = id;
  return metadata === undefined ? { custom_id, line, model } : { custom_id, line, model, metadata };
}
