/**
 * The one error hierarchy of lp-batch. Every error has a stable `code`; messages say what
 * happened, where (file:line, field path, URL) and the value. `cause` is kept.
 */
import type { AnthropicErrorType, ErrorKind } from './types.js';

export class LpBatchError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A flag, environment or configuration problem: the run cannot start (exit 2). */
export class UsageError extends LpBatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}

/** The results file cannot be used as it is (not lp-batch output, or the input file itself). */
export class ResultsFileError extends LpBatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('results_file', message, options);
  }
}

/**
 * A Message Batches job cannot go on: a call to the batch API failed for good (after its retries),
 * or a job file cannot be used as it is. The command stops (exit 2); what was done stays done.
 */
export class BatchJobError extends LpBatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('batch_job', message, options);
  }
}

/**
 * One attempt of one request failed. Subclasses say how; the retry policy decides what follows.
 * Messages never carry the gateway's URL: one run talks to one gateway, and the result line says
 * the rest (`status`, `request_id`).
 */
export class RequestError extends LpBatchError {
  /** HTTP status of the response, or null when none came. */
  readonly status: number | null;
  /** The failure in Anthropic's words: one of ANTHROPIC_ERROR_TYPES, whatever the gateway sent. */
  readonly type: AnthropicErrorType;
  /** The failure in lp-batch's finer words (`connection`, `timeout`, `http_error`, ...). */
  readonly errorKind: ErrorKind;
  readonly requestId: string | null;

  constructor(
    code: string,
    message: string,
    init: {
      status: number | null;
      type: AnthropicErrorType;
      errorKind: ErrorKind;
      requestId?: string | null;
      cause?: unknown;
    },
  ) {
    super(code, message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type;
    this.errorKind = init.errorKind;
    this.requestId = init.requestId ?? null;
  }
}

/** Response headers that steer retries and rate limiting, lower-cased names. */
export type ResponseHeaders = Readonly<Record<string, string | undefined>>;

/** The gateway answered with an error status (or an `event: error` inside a 200 stream). */
export class ApiError extends RequestError {
  declare readonly status: number;
  readonly headers: ResponseHeaders;
  /** The gateway's own message (the type it sent prefixed when that was not one of Anthropic's). */
  readonly apiMessage: string;
  /** `error.details` of the body when it had one (the spend cap says why there). */
  readonly details: unknown;

  constructor(init: {
    status: number;
    type: AnthropicErrorType;
    message: string;
    requestId: string | null;
    headers: ResponseHeaders;
    details?: unknown;
  }) {
    const rid = init.requestId ? ` (request-id ${init.requestId})` : '';
    super('api_error', `${init.status} ${init.type}: ${init.message}${rid}`, {
      status: init.status,
      type: init.type,
      // A 2xx status here is a 200 stream that sent `event: error`.
      errorKind: init.status < 300 ? 'stream_error' : 'http_error',
      requestId: init.requestId,
    });
    this.headers = init.headers;
    this.details = init.details ?? null;
    this.apiMessage = init.message;
  }
}

/**
 * No usable response: refused, reset, socket closed, or a stream cut short; with `timeout`, a limit
 * of lp-batch's passed (`--timeout`, `--idle-timeout`): `timeout_error`.
 */
export class ConnectionError extends RequestError {
  constructor(init: { reason: string; timeout?: boolean; cause?: unknown }) {
    super('connection_error', init.reason, {
      status: null,
      type: init.timeout === true ? 'timeout_error' : 'api_error',
      errorKind: init.timeout === true ? 'timeout' : 'connection',
      cause: init.cause,
    });
  }
}

/**
 * A 2xx whose body is not a Messages API message. `not_json` (cut or garbled: worth a retry) or
 * `not_a_message` (well-formed JSON of another shape: a retry would get the same).
 */
export class InvalidResponseError extends RequestError {
  readonly kind: 'not_json' | 'not_a_message';

  constructor(init: {
    status: number;
    kind: 'not_json' | 'not_a_message';
    reason: string;
    requestId: string | null;
  }) {
    super('invalid_response', init.reason, {
      status: init.status,
      type: 'api_error',
      errorKind: 'invalid_response',
      requestId: init.requestId,
    });
    this.kind = init.kind;
  }
}

/**
 * A response body larger than `--max-response-bytes`: reading stopped there (or never began, when
 * `content-length` said so). Not retried: the same request would get the same answer.
 */
export class ResponseTooLargeError extends RequestError {
  /** The cap, in bytes. */
  readonly limit: number;

  constructor(init: { status: number; limit: number; declared: number | null; requestId: string | null }) {
    const seen =
      init.declared === null ? `reading stopped at ${init.limit} bytes` : `content-length ${init.declared}`;
    super(
      'response_too_large',
      `${init.status}: response body larger than --max-response-bytes ${init.limit} (${seen})`,
      { status: init.status, type: 'api_error', errorKind: 'response_too_large', requestId: init.requestId },
    );
    this.limit = init.limit;
  }
}
