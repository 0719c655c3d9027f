/**
 * What a gateway answered, turned into lp-batch's words: an error status or a stream's
 * `event: error` into one ApiError, a 2xx body into a Message (or an InvalidResponseError).
 * Pure: bodies come in as text. Every string the server sent is redacted here, after JSON decoding
 * and before anything is cut, so nothing built from it can hold the key or part of it.
 */
import { ApiError, InvalidResponseError, type ResponseHeaders } from '../errors.js';
import { shorten } from '../shorten.js';
import { isRecord } from '../is-record.js';
import { ANTHROPIC_ERROR_TYPES, type AnthropicErrorType, type Message } from '../types.js';

/** Masks secrets in a text the server sent (see ../output/redact.ts). */
export type Redact = (text: string) => string;

/** What the caller knows of a response beyond its status, headers and body. */
export interface ResponseContext {
  /** The response's request id when the caller knows it (a stream's headers); else read from `headers`. */
  requestId?: string | null | undefined;
  redact: Redact;
}

/** The type of an error answer whose body does not give one of Anthropic's (an HTML 502 from a proxy, say). */
const TYPE_BY_STATUS: Readonly<Record<number, AnthropicErrorType>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  // Retried like a 5xx: a conflict on the server's side, not a bad request.
  409: 'api_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const ANTHROPIC_TYPES: ReadonlySet<string> = new Set(ANTHROPIC_ERROR_TYPES);

/** Longest excerpt of a body quoted in a message. */
const QUOTED_CHARS = 200;

/** Response headers worth keeping: they steer retries and rate limits, or name the request. */
const KEPT_HEADERS = new Set([
  'content-type',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'request-id',
  'x-request-id',
]);

/**
 * The error a response stands for: an HTTP error status, or status 200 for an `event: error` inside a
 * stream (`body` is then the event's data). Anthropic's body `{"type":"error","error":{"type","message",
 * "details"},"request_id"}` gives the type and message; any other body (an HTML page from a proxy,
 * plain text) is classified by its status alone, and an untyped stream error counts as `api_error`.
 * A type that is not one of Anthropic's (a gateway's own) gives way to the status's, and is kept at
 * the start of the message.
 */
export function errorFromResponse(
  status: number,
  headers: ResponseHeaders,
  body: string,
  ctx: ResponseContext,
): ApiError {
  const { redact } = ctx;
  let type = typeForStatus(status);
  let message = status < 300 ? describeEventData(body, redact) : describeBody(body, headers, redact);
  let details: unknown = null;
  let bodyRequestId: string | null = null;
  const parsed = parseJson(body);
  if (isRecord(parsed)) {
    const error = isRecord(parsed.error) ? parsed.error : {};
    if (typeof error.message === 'string') message = redact(error.message);
    if (typeof error.type === 'string') {
      const sent = redact(error.type);
      if (ANTHROPIC_TYPES.has(sent)) type = sent as AnthropicErrorType;
      else message = `${sent}: ${message}`;
    }
    details = error.details ?? null;
    if (typeof parsed.request_id === 'string') bodyRequestId = redact(parsed.request_id);
  }
  return new ApiError({
    status,
    type,
    message,
    requestId: ctx.requestId ?? requestIdOf(headers) ?? bodyRequestId,
    headers,
    details,
  });
}

/** Anthropic's type for an error status; `api_error` for a 2xx (an error event inside a stream). */
function typeForStatus(status: number): AnthropicErrorType {
  return TYPE_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error');
}

/** The Message of a 2xx body, or an InvalidResponseError: `not_json` (cut or garbled) or `not_a_message`. */
export function messageFromBody(
  status: number,
  headers: ResponseHeaders,
  body: string,
  redact: Redact,
): Message {
  const requestId = requestIdOf(headers);
  const value = parseJson(body);
  if (value === undefined) {
    throw new InvalidResponseError({
      status,
      kind: 'not_json',
      reason: `body is not valid JSON (${body.length} bytes): ${quote(body, redact)}`,
      requestId,
    });
  }
  if (!isMessage(value)) {
    throw new InvalidResponseError({
      status,
      kind: 'not_a_message',
      reason: `body is not a Messages API message: ${quote(body, redact)}`,
      requestId,
    });
  }
  return value;
}

/** Whether `value` is a Messages API message as lp-batch needs one: its content and its usage counts. */
export function isMessage(value: unknown): value is Message {
  const message = value as Partial<Message> | null;
  return (
    message?.type === 'message' &&
    Array.isArray(message.content) &&
    typeof message.usage?.input_tokens === 'number' &&
    typeof message.usage.output_tokens === 'number'
  );
}

/**
 * The `input_tokens` of a 2xx `count_tokens` body (`{"input_tokens": N}`), or an
 * InvalidResponseError: `not_json`, or `not_a_message` for JSON of another shape.
 */
export function countFromBody(
  status: number,
  headers: ResponseHeaders,
  body: string,
  redact: Redact,
): number {
  const value = parseJson(body);
  const tokens = isRecord(value) ? value.input_tokens : undefined;
  if (typeof tokens === 'number' && Number.isInteger(tokens) && tokens >= 0) return tokens;
  throw new InvalidResponseError({
    status,
    kind: value === undefined ? 'not_json' : 'not_a_message',
    reason:
      value === undefined
        ? `body is not valid JSON (${body.length} bytes): ${quote(body, redact)}`
        : `body is not a token count ({"input_tokens": N}): ${quote(body, redact)}`,
    requestId: requestIdOf(headers),
  });
}

/** The request id the gateway gave in its headers, or null (gateways may drop it). */
export function requestIdOf(headers: ResponseHeaders): string | null {
  return headers['request-id'] ?? headers['x-request-id'] ?? null;
}

/**
 * The headers lp-batch reads (see KEPT_HEADERS, plus every `anthropic-ratelimit-*`), repeated ones
 * joined, values redacted (a request id may echo anything).
 */
export function pickHeaders(
  raw: Record<string, string | string[] | undefined>,
  redact: Redact,
): ResponseHeaders {
  const kept: Record<string, string> = {};
  for (const name in raw) {
    if (KEPT_HEADERS.has(name) || name.startsWith('anthropic-ratelimit-')) {
      const value = raw[name];
      if (value !== undefined) kept[name] = redact(Array.isArray(value) ? value.join(', ') : value);
    }
  }
  return kept;
}

function describeBody(body: string, headers: ResponseHeaders, redact: Redact): string {
  const quoted = quote(body, redact);
  const what = `non-JSON body (${headers['content-type'] || 'no content-type'}, ${body.length} bytes)`;
  return quoted === '' ? what : `${what}: ${quoted}`;
}

/** The data of a stream's `event: error` that is not JSON: still the server's error, kept as its message. */
function describeEventData(data: string, redact: Redact): string {
  const text = redact(data).trim();
  return text === '' ? 'an error event without data' : shorten(text, QUOTED_CHARS);
}

/** A body on one line, redacted, then HTML tags dropped, then cut for a message. */
function quote(body: string, redact: Redact): string {
  const flat = redact(body)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return shorten(flat, QUOTED_CHARS);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
