/**
 * The HTTP edge: one POST of a Messages request (or of its `count_tokens`) through undici, on a
 * keep-alive pool sized to the concurrency. Turns whatever comes back into a Message (a token count)
 * or a RequestError (see ../errors.ts); the retry policy decides what to do with the error. Owns the
 * limits of one attempt: `--timeout`, `--idle-timeout` and `--max-response-bytes`.
 *
 * A message's attempt is one undici dispatch whose handler (./message-attempt.ts) takes the response
 * as it comes, the hot path of a run; other requests (`exchange`: count_tokens, the Message Batches
 * API) hand their body to a reader as a stream.
 */
import { type Dispatcher, Pool } from 'undici';
import { ConnectionError, RequestError, type ResponseHeaders } from '../errors.js';
import { AttemptLimit } from './attempt-limit.js';
import {
  type AttemptLimits,
  describeNetworkError,
  type LiveAttempts,
  MessageAttempt,
  type SendOptions,
  type SendResult,
} from './message-attempt.js';
import type { Endpoint } from './providers.js';
import { type BodyLimits, checkDeclaredLength, limitBody, readText } from './response-body.js';
import { countFromBody, errorFromResponse, pickHeaders, type Redact, requestIdOf } from './responses.js';

export interface TransportOptions {
  endpoint: Endpoint;
  /** Sockets in the pool: the run's concurrency. */
  connections: number;
  /** A plain request: the limit on headers and body together. A stream: on its response headers. ms. */
  timeoutMs: number;
  /** A stream: the longest silence between two chunks of its body, ms. A stream that keeps sending is never cut. */
  idleTimeoutMs: number;
  /** The largest response body read, bytes: a larger one is a ResponseTooLargeError. */
  maxResponseBytes: number;
  /** Aborts every attempt in flight (the run's hard stop); such attempts reject with its reason. */
  signal?: AbortSignal | undefined;
  /** Applied to every string the server sent before it is kept or quoted: a secret is never even half-kept. */
  redact?: Redact | undefined;
  /**
   * Called right before each request goes out. The run writes the results already final first, so
   * that none is missing from the file once a later request has reached the server.
   */
  beforeSend?: (() => void) | undefined;
}

export type { SendOptions, SendResult } from './message-attempt.js';

/** A request of `exchange`: a method and a path on the endpoint's origin. */
export interface ExchangeRequest {
  method: 'GET' | 'POST';
  /** Path and query on the endpoint's origin, e.g. `/v1/messages/batches/msgbatch_1`. */
  path: string;
  /** A JSON body, as text or as bytes already encoded. */
  body?: string | Uint8Array | undefined;
  /**
   * A body that may run long (a batch's results): `--timeout` holds for its headers only, then
   * `--idle-timeout` between chunks; no cap on the whole (the reader caps what it keeps).
   */
  long?: boolean | undefined;
}

/** A 2xx answer of `exchange`: its body is read as it comes. */
export interface ExchangeResponse {
  status: number;
  headers: ResponseHeaders;
  /** Under `--max-response-bytes` unless the request was `long`. */
  chunks: AsyncIterable<Uint8Array>;
}

/** Appended to the Messages path for `count_tokens`: `/v1/messages/count_tokens`. */
const COUNT_TOKENS_SUFFIX = '/count_tokens';

export class Transport {
  /** Where `countTokens` posts, for messages about it. */
  readonly countTokensUrl: string;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #countPath: string;
  readonly #headers: Record<string, string>;
  /** The message headers as undici's flat [name, value, ...] list: read once per request, never copied. */
  readonly #messageHeaders: string[];
  readonly #streamHeaders: string[];
  readonly #timeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #stop: AbortSignal | undefined;
  readonly #redact: Redact;
  readonly #beforeSend: () => void;
  /** The attempts in flight, so that one listener on the stop signal reaches them all. */
  readonly #live: LiveAttempts = new Set();
  readonly #limits: AttemptLimits;

  constructor(opts: TransportOptions) {
    const { url, headers } = opts.endpoint;
    this.#pool = new Pool(url.origin, { connections: opts.connections, pipelining: 1 });
    this.#path = url.pathname + url.search;
    const countUrl = new URL(url.pathname.replace(/\/+$/, '') + COUNT_TOKENS_SUFFIX + url.search, url);
    this.#countPath = countUrl.pathname + countUrl.search;
    this.countTokensUrl = countUrl.href;
    this.#headers = { ...headers, accept: 'application/json' };
    this.#messageHeaders = Object.entries(this.#headers).flat();
    this.#streamHeaders = Object.entries({ ...headers, accept: 'text/event-stream' }).flat();
    this.#timeoutMs = opts.timeoutMs;
    this.#idleTimeoutMs = opts.idleTimeoutMs;
    this.#maxResponseBytes = opts.maxResponseBytes;
    this.#stop = opts.signal;
    const redact = opts.redact ?? ((text) => text);
    this.#redact = redact;
    this.#beforeSend = opts.beforeSend ?? (() => {});
    this.#limits = {
      timeoutMs: opts.timeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      maxResponseBytes: opts.maxResponseBytes,
      redact,
    };
    this.#stop?.addEventListener('abort', () => {
      for (const attempt of this.#live) attempt.fail(this.#stop?.reason);
    });
  }

  /** POSTs `body` (a JSON string) once. Resolves with the message; rejects with a RequestError. */
  send(body: string, opts: SendOptions): Promise<SendResult> {
    this.#beforeSend();
    const attempt = new MessageAttempt(this.#limits, opts, this.#live);
    if (this.#stop?.aborted) {
      attempt.fail(this.#stop.reason);
      return attempt.done;
    }
    this.#live.add(attempt);
    const headers = opts.stream ? this.#streamHeaders : this.#messageHeaders;
    // Timeouts of 0 are off: the attempt's own timer is its one clock.
    this.#pool.dispatch(
      { path: this.#path, method: 'POST', headers, body, headersTimeout: 0, bodyTimeout: 0 },
      attempt,
    );
    return attempt.done;
  }

  /**
   * POSTs `body` (a Messages request without generation parameters) once to the endpoint's
   * `count_tokens` (`/v1/messages/count_tokens`), under the limits of a plain request. Resolves with
   * `input_tokens`; rejects with a RequestError (a 404 when the gateway does not offer it).
   */
  countTokens(body: string): Promise<number> {
    return this.exchange({ method: 'POST', path: this.#countPath, body }, async (response) =>
      countFromBody(response.status, response.headers, await readText(response.chunks), this.#redact),
    );
  }

  /**
   * One request to the gateway's host other than a message (`count_tokens`, the Message Batches
   * API), under the limits of an attempt: an error status rejects with an ApiError (its body read
   * under `--max-response-bytes`); a 2xx is handed to `read`, which consumes the body within the
   * attempt's limits. Whatever `read` leaves unread is discarded.
   */
  exchange<T>(request: ExchangeRequest, read: (response: ExchangeResponse) => Promise<T>): Promise<T> {
    const long = request.long === true;
    return this.#limited(long, async (signal, limit) => {
      const res = await this.#pool.request({
        path: request.path,
        method: request.method,
        headers: this.#headers,
        body: request.body ?? null,
        signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      try {
        const headers = pickHeaders(res.headers, this.#redact);
        const status = res.statusCode;
        if (status < 200 || status >= 300) {
          const text = await readText(await this.#body(res, status, headers, limit));
          throw errorFromResponse(status, headers, text, { redact: this.#redact });
        }
        if (!long)
          return await read({ status, headers, chunks: await this.#body(res, status, headers, limit) });
        limit.headersArrived(this.#idleTimeoutMs);
        return await read({ status, headers, chunks: withChunkHook(res.body, limit.onChunk) });
      } finally {
        res.body.destroy();
      }
    });
  }

  /**
   * Runs one attempt under its time limits and the run's stop signal, and turns whatever is not a
   * RequestError (a socket reset, a limit passed) into a ConnectionError.
   */
  async #limited<T>(
    stream: boolean,
    attempt: (signal: AbortSignal, limit: AttemptLimit) => Promise<T>,
  ): Promise<T> {
    // One controller and one timer per attempt, and no listener of its own on the stop signal:
    // AbortSignal.timeout/any cost several times more on this path and keep their timers alive.
    // The timers are ours, not undici's: theirs tick about once a second and name undici's codes.
    this.#beforeSend();
    const stop = this.#stop;
    const controller = new AbortController();
    const live = { fail: (reason: unknown) => controller.abort(reason) };
    const limit = new AttemptLimit(() => controller.abort(), this.#timeoutMs, stream);
    if (stop?.aborted) controller.abort(stop.reason);
    this.#live.add(live);
    try {
      return await attempt(controller.signal, limit);
    } catch (error) {
      if (stop?.aborted) throw stop.reason;
      if (limit.expired !== null)
        throw new ConnectionError({ reason: limit.expired, timeout: true, cause: error });
      if (error instanceof RequestError) throw error;
      throw new ConnectionError({ reason: describeNetworkError(error), cause: error });
    } finally {
      limit.clear();
      this.#live.delete(live);
    }
  }

  /** The response's body as chunks held to `--max-response-bytes` (refused unread when its length says so). */
  async #body(
    res: Dispatcher.ResponseData,
    status: number,
    headers: ResponseHeaders,
    limit: AttemptLimit,
  ): Promise<AsyncIterable<Uint8Array>> {
    const limits: BodyLimits = {
      maxBytes: this.#maxResponseBytes,
      status,
      requestId: requestIdOf(headers),
      onChunk: limit.onChunk,
    };
    try {
      checkDeclaredLength(res.headers['content-length'] as string | undefined, limits);
    } catch (error) {
      // Discarded unread: with a limit below its length, dump() closes the socket at once.
      await res.body.dump({ limit: 1 });
      throw error;
    }
    return limitBody(res.body, limits);
  }

  /** Closes the pool's sockets. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** The chunks of `body`, calling `onChunk` for each (an idle timer is refreshed there). */
async function* withChunkHook(
  body: AsyncIterable<Uint8Array>,
  onChunk: () => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of body) {
    onChunk();
    yield chunk;
  }
}
