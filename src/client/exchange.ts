/**
 * One attempt's response, taken as undici hands it over (its dispatch handler): the status and the
 * headers lp-batch reads, then the body, collected under `--max-response-bytes` or decoded event by
 * event for a stream, all under one timer (`--timeout`, then `--idle-timeout` between a stream's
 * chunks). Settles its promise once, with the answer or a RequestError; whatever undici reports
 * after that is ignored.
 */
import type { Dispatcher } from 'undici';
import { ConnectionError, RequestError, type ResponseHeaders, ResponseTooLargeError } from '../errors.js';
import type { Message } from '../types.js';
import { errorFromResponse, pickHeaders, type Redact, requestIdOf } from './responses.js';
import { MessageStreamReader } from './sse-reader.js';

/** The limits every attempt of a transport runs under. */
export interface ExchangeLimits {
  /** A plain request: the limit on headers and body together. A stream: on its response headers. ms. */
  timeoutMs: number;
  /** A stream: the longest silence between two chunks of its body, ms. */
  idleTimeoutMs: number;
  /** The largest response body read, bytes. */
  maxResponseBytes: number;
  redact: Redact;
}

/** What an answer becomes: the same for every attempt of a kind (a message, a token count). */
export interface Reading<T> {
  /** A whole 2xx body that is not a stream, as text. Throws a RequestError for one it cannot use. */
  answer: (status: number, headers: ResponseHeaders, text: string, requestId: string | null) => T;
  /** A stream's final message. */
  streamed?: (message: Message, status: number, headers: ResponseHeaders, requestId: string | null) => T;
}

/** What this attempt asked for. */
export interface AttemptOptions {
  /** A stream was asked for: a 2xx `text/event-stream` answer is decoded as one. */
  stream: boolean;
  /** Called once, at the first content delta of a stream. */
  onFirstContentDelta?: (() => void) | undefined;
  /** Called once the response has begun: a stream's first event, a plain response's 2xx headers. */
  onBegin?: (() => void) | undefined;
}

/** The attempts of a transport in flight, which its stop signal ends. */
export type LiveAttempts = Set<{ fail(error: unknown): void }>;

const NO_HEADERS: ResponseHeaders = Object.freeze({});

export class Exchange<T> implements Dispatcher.DispatchHandler {
  /** Settles once: the answer, or a RequestError (or the run's stop reason). */
  readonly done: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  readonly #limits: ExchangeLimits;
  readonly #reading: Reading<T>;
  readonly #attempt: AttemptOptions;
  /** The transport's attempts in flight: this one leaves it when it settles. */
  readonly #live: LiveAttempts;
  #controller: Dispatcher.DispatchController | null = null;
  #status = 0;
  #headers = NO_HEADERS;
  #requestId: string | null = null;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #reader: MessageStreamReader | null = null;
  #timer: NodeJS.Timeout;
  /** Whether the timer measures silence (a stream past its headers), so that each chunk restarts it. */
  #idle = false;

  constructor(limits: ExchangeLimits, reading: Reading<T>, attempt: AttemptOptions, live: LiveAttempts) {
    this.#limits = limits;
    this.#reading = reading;
    this.#attempt = attempt;
    this.#live = live;
    this.done = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#timer = setTimeout(this.#expire, limits.timeoutMs);
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
    const { stream, onFirstContentDelta, onBegin } = this.#attempt;
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
    clearTimeout(this.#timer);
    this.#idle = true;
    this.#timer = setTimeout(this.#expire, this.#limits.idleTimeoutMs);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limits.maxResponseBytes) {
      this.fail(this.#tooLarge(null));
      return;
    }
    if (this.#idle) this.#timer.refresh();
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
    const text = this.#text();
    try {
      if (status < 200 || status >= 300) {
        throw errorFromResponse(status, this.#headers, text, { redact: this.#limits.redact });
      }
      this.#resolve(this.#reading.answer(status, this.#headers, text, this.#requestId));
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
    const streamed = this.#reading.streamed;
    try {
      if (streamed === undefined) throw new Error('a stream was not asked for');
      this.#resolve(streamed(reader.end(), this.#status, this.#headers, this.#requestId));
    } catch (error) {
      this.#reject(error);
    }
  }

  #settle(): void {
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#live.delete(this);
  }

  readonly #expire = (): void => {
    const seconds = (ms: number) => ms / 1000;
    const { timeoutMs, idleTimeoutMs } = this.#limits;
    let reason: string;
    if (this.#idle) reason = `the stream sent nothing for --idle-timeout ${seconds(idleTimeoutMs)}s`;
    else if (this.#attempt.stream) reason = `no response headers within --timeout ${seconds(timeoutMs)}s`;
    else reason = `no complete response within --timeout ${seconds(timeoutMs)}s`;
    this.fail(new ConnectionError({ reason, timeout: true }));
  };

  /** The body as UTF-8 text, a BOM dropped (as undici's `body.text()` drops it). */
  #text(): string {
    const chunks = this.#chunks;
    if (chunks.length === 0) return '';
    const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#bytes)).toString(
      'utf8',
    );
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

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
