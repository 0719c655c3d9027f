/**
 * The HTTP edge: one POST of a Messages request through undici, on a keep-alive pool sized to the
 * concurrency. Turns whatever comes back into a Message or a RequestError (see ../errors.ts); the
 * retry policy decides what to do with the error.
 */
import { Pool } from 'undici';
import { ApiError, ConnectionError, InvalidResponseError, type ResponseHeaders } from '../errors.js';
import type { Message } from '../types.js';
import type { Endpoint } from './providers.js';
import { readMessageStream } from './sse-reader.js';

export interface TransportOptions {
  endpoint: Endpoint;
  /** Sockets in the pool: the run's concurrency. */
  connections: number;
  /** Per-attempt limit on headers and body together, ms. */
  timeoutMs: number;
  /** Longest silence inside a stream before it is given up, ms. */
  idleTimeoutMs: number;
  /** Aborts every attempt in flight (the run's hard stop); such attempts reject with its reason. */
  signal?: AbortSignal | undefined;
  /** Applied to response bodies quoted in errors before they are shortened: a secret is never half-kept. */
  redact?: ((text: string) => string) | undefined;
}

export interface SendOptions {
  stream: boolean;
  /** Called once, at the first content delta of a stream. */
  onFirstContentDelta?: (() => void) | undefined;
}

export interface SendResult {
  message: Message;
  status: number;
  requestId: string | null;
  headers: ResponseHeaders;
}

/** Error types for statuses whose body is not Anthropic's error JSON (an HTML 502 from a proxy, say). */
const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const KEPT_HEADERS = new Set([
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'request-id',
  'x-request-id',
]);

export class Transport {
  readonly #pool: Pool;
  readonly #path: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #stop: AbortSignal | undefined;
  readonly #redact: (text: string) => string;
  /** Controllers of the attempts in flight, so that one listener on the stop signal reaches them all. */
  readonly #live = new Set<AbortController>();

  constructor(opts: TransportOptions) {
    const { url, headers } = opts.endpoint;
    this.#pool = new Pool(url.origin, { connections: opts.connections, pipelining: 1 });
    this.#path = url.pathname + url.search;
    this.#url = url.href;
    this.#headers = { ...headers, accept: 'application/json' };
    this.#streamHeaders = { ...headers, accept: 'text/event-stream' };
    this.#timeoutMs = opts.timeoutMs;
    this.#idleTimeoutMs = opts.idleTimeoutMs;
    this.#stop = opts.signal;
    this.#redact = opts.redact ?? ((text) => text);
    this.#stop?.addEventListener('abort', () => {
      for (const controller of this.#live) controller.abort(this.#stop?.reason);
    });
  }

  /** POSTs `body` (a JSON string) once. Resolves with the message; rejects with a RequestError. */
  async send(body: string, opts: SendOptions): Promise<SendResult> {
    // One controller and one timer per attempt, and no listener of its own on the stop signal:
    // AbortSignal.timeout/any cost several times more on this path and keep their timers alive.
    const stop = this.#stop;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    if (stop?.aborted) controller.abort(stop.reason);
    this.#live.add(controller);
    try {
      return await this.#attempt(body, opts, controller.signal);
    } catch (error) {
      if (stop?.aborted) throw stop.reason;
      if (timedOut) {
        throw new ConnectionError({
          method: 'POST',
          url: this.#url,
          reason: `no complete response within --timeout ${this.#timeoutMs / 1000}s`,
          type: 'timeout_error',
          cause: error,
        });
      }
      if (
        error instanceof ApiError ||
        error instanceof ConnectionError ||
        error instanceof InvalidResponseError
      ) {
        throw error;
      }
      throw new ConnectionError({
        method: 'POST',
        url: this.#url,
        reason: describeNetworkError(error),
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      this.#live.delete(controller);
    }
  }

  async #attempt(body: string, opts: SendOptions, signal: AbortSignal): Promise<SendResult> {
    const res = await this.#pool.request({
      path: this.#path,
      method: 'POST',
      headers: opts.stream ? this.#streamHeaders : this.#headers,
      body,
      signal,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: opts.stream ? this.#idleTimeoutMs : this.#timeoutMs,
    });
    const headers = pickHeaders(res.headers);
    const requestId = headers['request-id'] ?? headers['x-request-id'] ?? null;
    const status = res.statusCode;
    const contentType = String(res.headers['content-type'] ?? '');

    if (status < 200 || status >= 300) {
      const text = this.#redact(await res.body.text());
      throw toApiError(this.#url, status, text, contentType, headers, requestId);
    }
    if (opts.stream && contentType.includes('text/event-stream')) {
      const message = await readMessageStream(res.body, {
        method: 'POST',
        url: this.#url,
        requestId,
        redact: this.#redact,
        ...(opts.onFirstContentDelta ? { onFirstContentDelta: opts.onFirstContentDelta } : {}),
      });
      return { message, status, requestId, headers };
    }
    const text = await res.body.text();
    return {
      message: parseMessage(this.#url, status, text, requestId, this.#redact),
      status,
      requestId,
      headers,
    };
  }

  /** Closes the pool's sockets. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

function parseMessage(
  url: string,
  status: number,
  text: string,
  requestId: string | null,
  redact: (text: string) => string,
): Message {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidResponseError({
      method: 'POST',
      url,
      status,
      kind: 'not_json',
      reason: `body is not valid JSON (${text.length} bytes): ${clip(redact(text))}`,
      requestId,
    });
  }
  const message = value as Partial<Message> | null;
  if (
    message?.type !== 'message' ||
    !Array.isArray(message.content) ||
    typeof message.usage?.input_tokens !== 'number' ||
    typeof message.usage.output_tokens !== 'number'
  ) {
    throw new InvalidResponseError({
      method: 'POST',
      url,
      status,
      kind: 'not_a_message',
      reason: `body is not a Messages API message: ${clip(redact(text))}`,
      requestId,
    });
  }
  return message as Message;
}

function toApiError(
  url: string,
  status: number,
  text: string,
  contentType: string,
  headers: ResponseHeaders,
  requestId: string | null,
): ApiError {
  let type = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  let message = `non-JSON body (${contentType || 'no content-type'}, ${text.length} bytes): ${clip(text)}`;
  let details: unknown = null;
  let bodyRequestId: string | null = null;
  try {
    const body = JSON.parse(text) as {
      error?: { type?: unknown; message?: unknown; details?: unknown };
      request_id?: unknown;
    };
    if (typeof body.error?.type === 'string') type = body.error.type;
    if (typeof body.error?.message === 'string') message = body.error.message;
    details = body.error?.details ?? null;
    if (typeof body.request_id === 'string') bodyRequestId = body.request_id;
  } catch {
    // An HTML page from a proxy: classified by its status alone.
  }
  return new ApiError({
    method: 'POST',
    url,
    status,
    type,
    message,
    requestId: requestId ?? bodyRequestId,
    headers,
    details,
  });
}

function pickHeaders(raw: Record<string, string | string[] | undefined>): ResponseHeaders {
  const kept: Record<string, string> = {};
  for (const name in raw) {
    if (KEPT_HEADERS.has(name) || name.startsWith('anthropic-ratelimit-')) {
      const value = raw[name];
      if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return kept;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

/** The first 200 characters of a body, on one line, with HTML tags dropped. */
function clip(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
