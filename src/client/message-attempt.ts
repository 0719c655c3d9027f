/**
 * One attempt of a Messages request, taken as undici hands its response over (the dispatch handler):
 * the status and the headers lp-batch reads, then the body, collected under `--max-response-bytes`
 * or decoded event by event for a stream, under the attempt's timer (./attempt-limit.ts). Settles
 * its promise once, with the message or a RequestError; whatever undici reports after that is
 * ignored. No stream object, no async iterator and no AbortController per attempt: they cost more
 * than the rest of an attempt on this side of the socket.
 */
import type { Dispatcher } from 'undici';
import { ConnectionError, RequestError, type ResponseHeaders, ResponseTooLargeError } from '../errors.js';
import type { Message } from '../types.js';
import { AttemptLimit } from './attempt-limit.js';
import { errorFromResponse, messageFromBody, pickHeaders, type Redact, requestIdOf } from './responses.js';
import { MessageStreamReader } from './sse-reader.js';

/** The limits every attempt of a transport runs under. */
export interface AttemptLimits {
  /** A plain request: the limit on headers and body together. A stream: on its response headers. ms. */
  timeoutMs: number;
  /** A stream: the longest silence between two chunks of its body, ms. */
  idleTimeoutMs: number;
  /** The largest response body read, bytes. */
  maxResponseBytes: number;
  redact: Redact;
}

/**
 * What one send asks for: a stream or not, and the moments the caller is told of (the first content
 * delta of a stream; the response's beginning, when its prompt's cache entries become readable: a
 * stream's first event, a plain response's 2xx headers).
 */
export interface SendOptions {
  /** A stream was asked for: a 2xx `text/event-stream` answer is decoded as one. */
  stream: boolean;
  /** Called once, at the first content delta of a stream. */
  onFirstContentDelta?: (() => void) | undefined;
  /** Called once the response has begun: a stream's first event, a plain response's 2xx headers. */
  onBegin?: (() => void) | undefined;
}

export interface SendResult {
  message: Message;
  /** The JSON text the message was read from (a plain response), or null (a stream). */
  messageJson: string | null;
  status: number;
  requestId: string | null;
  headers: ResponseHeaders;
}

/** The attempts of a transport in flight, which its stop signal ends. */
export type LiveAttempts = Set<{ fail(error: unknown): void }>;

const NO_HEADERS: ResponseHeaders = Object.freeze({});

export class MessageAttempt implements Dispatcher.DispatchHandler {
  /** Settles once: the message, or a RequestError (or the run's stop reason). */
  readonly done: Promise<SendResult>;
  #resolve!: (value: SendResult) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  readonly #limits: AttemptLimits;
  readonly #send: SendOptions;
  /** The transport's attempts in flight: this one leaves it when it settles. */
  readonly #live: LiveAttempts;
  readonly #limit: AttemptLimit;
  #controller: Dispatcher.DispatchController | null = null;
  #status = 0;
  #headers = NO_HEADERS;
  #requestId: string | null = null;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #reader: MessageStreamReader | null = null;

  constructor(limits: AttemptLimits, send: SendOptions, live: LiveAttempts) {
    this.#limits = limits;
    this.#send = send;
    this.#live = live;
    this.done = new Promise<SendResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#limit = new AttemptLimit(
      () => this.fail(new ConnectionError({ reason: this.#limit.expired ?? 'timed out', timeout: true })),
      limits.timeoutMs,
      send.stream,
    );
  }

  /**
   * Ends the attempt with `error` (the run's stop reason, a limit passed, a stream's error event)
   * and aborts the request, closing its socket. A stream already whole is kept instead: it was paid for.
   */
  fail(error: unknown): void {
    if (this.#settled) return;
    if (this.#reader?.done) {
      this.#finishStream();
    } else {
      this.#settle();
      this.#reject(error);
    }
    this.#controller?.abort(error instanceof Error ? error : new Error(String(error)));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Ended before undici got to it (the stop signal, the timer): it is not sent.
    if (this.#settled) controller.abort(new Error('attempt ended before it was sent'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.#settled) return;
    const { redact, maxResponseBytes } = this.#limits;
    this.#status = statusCode;
    this.#headers = pickHeaders(headers, redact);
    this.#requestId = requestIdOf(this.#headers);
    const declared = Number(headers['content-length']);
    if (headers['content-length'] !== undefined && declared > maxResponseBytes) {
      this.fail(this.#tooLarge(declared));
      return;
    }
    const ok = statusCode >= 200 && statusCode < 300;
    const { stream, onFirstContentDelta, onBegin } = this.#send;
    if (!(stream && ok && (this.#headers['content-type'] ?? '').includes('text/event-stream'))) {
      if (ok) onBegin?.();
      return;
    }
    this.#reader = new MessageStreamReader({
      requestId: this.#requestId,
      redact,
      onFirstContentDelta,
      onBegin,
    });
    // From now on only silence counts: a stream that keeps sending is never cut.
    this.#limit.headersArrived(this.#limits.idleTimeoutMs);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limits.maxResponseBytes) {
      this.fail(this.#tooLarge(null));
      return;
    }
    this.#limit.onChunk();
    if (this.#reader === null) {
      this.#chunks.push(chunk);
      return;
    }
    try {
      this.#reader.push(chunk);
    } catch (error) {
      this.fail(error);
    }
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    if (this.#reader !== null) {
      this.#finishStream();
      return;
    }
    this.#settle();
    const status = this.#status;
    const headers = this.#headers;
    const text = this.#text();
    try {
      if (status < 200 || status >= 300) {
        throw errorFromResponse(status, headers, text, { redact: this.#limits.redact });
      }
      const message = messageFromBody(status, headers, text, this.#limits.redact);
      this.#resolve({ message, messageJson: text, status, requestId: this.#requestId, headers });
    } catch (error) {
      this.#reject(error);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#settled) return;
    if (this.#reader?.done) {
      this.#finishStream();
      return;
    }
    this.#settle();
    // A socket reset, a refused connection: named by its code, never undici's own words alone.
    this.#reject(
      error instanceof RequestError
        ? error
        : new ConnectionError({ reason: describeNetworkError(error), cause: error }),
    );
  }

  #finishStream(): void {
    this.#settle();
    const reader = this.#reader as MessageStreamReader;
    try {
      const message = reader.end();
      this.#resolve({
        message,
        messageJson: null,
        status: this.#status,
        requestId: this.#requestId,
        headers: this.#headers,
      });
    } catch (error) {
      this.#reject(error);
    }
  }

  #settle(): void {
    this.#settled = true;
    this.#limit.clear();
    this.#live.delete(this);
  }

  /** The body as UTF-8 text, a BOM dropped (as undici's `body.text()` drops it). */
  #text(): string {
    const chunks = this.#chunks;
    if (chunks.length === 0) return '';
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#bytes);
    const text = body.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #tooLarge(declared: number | null): ResponseTooLargeError {
    return new ResponseTooLargeError({
      status: this.#status,
      limit: this.#limits.maxResponseBytes,
      declared,
      requestId: this.#requestId,
    });
  }
}

/** A network error in words: its code first when it has one (`ECONNRESET: ...`). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
