/**
 * The HTTP edge: one POST of a Messages request through undici, on a keep-alive pool sized to the
 * concurrency. Turns whatever comes back into a Message or a RequestError (see ../errors.ts); the
 * retry policy decides what to do with the error.
 */
import { Pool } from 'undici';
import { ConnectionError, RequestError, type ResponseHeaders } from '../errors.js';
import type { Message } from '../types.js';
import type { Endpoint } from './providers.js';
import { errorFromResponse, messageFromBody, type Origin, pickHeaders, requestIdOf } from './responses.js';
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

export class Transport {
  readonly #pool: Pool;
  readonly #path: string;
  readonly #origin: Origin;
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
    this.#origin = { method: 'POST', url: url.href };
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
          ...this.#origin,
          reason: `no complete response within --timeout ${this.#timeoutMs / 1000}s`,
          type: 'timeout_error',
          cause: error,
        });
      }
      if (error instanceof RequestError) throw error;
      throw new ConnectionError({ ...this.#origin, reason: describeNetworkError(error), cause: error });
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
    const requestId = requestIdOf(headers);
    const status = res.statusCode;

    if (status < 200 || status >= 300) {
      throw errorFromResponse(status, headers, this.#redact(await res.body.text()), this.#origin);
    }
    if (opts.stream && (headers['content-type'] ?? '').includes('text/event-stream')) {
      const message = await readMessageStream(res.body, {
        ...this.#origin,
        requestId,
        redact: this.#redact,
        ...(opts.onFirstContentDelta ? { onFirstContentDelta: opts.onFirstContentDelta } : {}),
      });
      return { message, status, requestId, headers };
    }
    const text = await res.body.text();
    // A body that is not a message is quoted in its error: redacted then, and only then.
    const message = messageFromBody(status, headers, text, this.#origin, this.#redact);
    return { message, status, requestId, headers };
  }

  /** Closes the pool's sockets. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
