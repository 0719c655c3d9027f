/**
 * The one error hierarchy of lp-batch. Every error has a stable `code`; messages say what
 * happened, where (file:line, field path, URL) and the value. `cause` is kept.
 */
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

/** One attempt of one request failed. Subclasses say how; the retry policy decides what follows. */
export class RequestError extends LpBatchError {
  /** HTTP status of the response, or null when none came. */
  readonly status: number | null;
  /** The Messages API error type (`overloaded_error`, ...) or a local one (`connection_error`, ...). */
  readonly type: string;
  readonly requestId: string | null;

  constructor(
    code: string,
    message: string,
    init: { status: number | null; type: string; requestId?: string | null; cause?: unknown },
  ) {
    super(code, message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type;
    this.requestId = init.requestId ?? null;
  }
}

/** Response headers that steer retries and rate limiting, lower-cased names. */
export type ResponseHeaders = Readonly<Record<string, string | undefined>>;

/** The gateway answered with an error status (or an `event: error` inside a 200 stream). */
export class ApiError extends RequestError {
  declare readonly status: number;
  readonly headers: ResponseHeaders;
  /** The gateway's own message, without lp-batch's URL prefix. */
  readonly apiMessage: string;
  /** `error.details` of the body when it had one (the spend cap says why there). */
  readonly details: unknown;

  constructor(init: {
    method: string;
    url: string;
    status: number;
    type: string;
    message: string;
    requestId: string | null;
    headers: ResponseHeaders;
    details?: unknown;
  }) {
    const rid = init.requestId ? ` (request-id ${init.requestId})` : '';
    super('api_error', `[${init.method}] "${init.url}": ${init.status} ${init.type}: ${init.message}${rid}`, {
      status: init.status,
      type: init.type,
      requestId: init.requestId,
    });
    this.headers = init.headers;
    this.details = init.details ?? null;
    this.apiMessage = init.message;
  }
}

/** No usable response: refused, reset, socket closed, timed out, or a stream cut short. */
export class ConnectionError extends RequestError {
  constructor(init: { method: string; url: string; reason: string; type?: string; cause?: unknown }) {
    super('connection_error', `[${init.method}] "${init.url}": ${init.reason}`, {
      status: null,
      type: init.type ?? 'connection_error',
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
    method: string;
    url: string;
    status: number;
    kind: 'not_json' | 'not_a_message';
    reason: string;
    requestId: string | null;
  }) {
    super('invalid_response', `[${init.method}] "${init.url}": ${init.status} ${init.reason}`, {
      status: init.status,
      type: 'invalid_response_error',
      requestId: init.requestId,
    });
    this.kind = init.kind;
  }
}
