/**
 * What the simulator can be told to do instead of answering normally: every failure a gateway
 * has been seen to produce, as data, plus constructors named after the situation they simulate.
 */

/** Extra response headers, lower-case names. */
export type FaultHeaders = Readonly<Record<string, string>>;

export type Fault =
  /** Answer `status` with Anthropic's error body (`request_id` filled with the request's id). */
  | {
      kind: 'api-error';
      status: number;
      errorType: string;
      message: string;
      /** Becomes `error.details` when given (the spend cap says why there). */
      details?: unknown;
      headers?: FaultHeaders;
    }
  /** Answer `status` with a body that is not Anthropic's (a proxy's HTML page, plain text). */
  | { kind: 'raw-response'; status: number; contentType: string; body: string; headers?: FaultHeaders }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /** 200 headers announcing the full content-length, half of the normal body, then destroy the socket. */
  | { kind: 'truncate' }
  /** 200 with content-type application/json and the body `{"id": "msg_` (cut). */
  | { kind: 'invalid-json' }
  /** A 200 stream: the first `afterEvents` events of the normal stream, then `event: error`, then the end. */
  | { kind: 'stream-error'; afterEvents: number; errorType: string; message: string }
  /** A 200 stream: the first `afterEvents` events, then the socket is destroyed (no message_stop). */
  | { kind: 'stream-cut'; afterEvents: number }
  /** A 200 stream: the first `afterEvents` events, then silence until the server closes. */
  | { kind: 'stream-stall'; afterEvents: number }
  /** Read the request and never answer until the server closes. */
  | { kind: 'hang' }
  /**
   * The normal reply, slowly: a stream one event every `intervalMs`, a JSON body in 8 pieces
   * `intervalMs` apart (a long answer that keeps coming).
   */
  | { kind: 'slow-body'; intervalMs: number }
  /**
   * 200 and a body that never ends (chunked, no content-length): the start of a JSON message, or of a
   * stream, then filler as fast as the client reads it, until the client goes away.
   */
  | { kind: 'endless-body' };

export type FaultKind = Fault['kind'];

/** Constructors for every fault, named after what a client sees. */
export const faults = {
  /** Any Anthropic-shaped error. */
  apiError(status: number, errorType: string, message: string, headers?: FaultHeaders): Fault {
    return headers === undefined
      ? { kind: 'api-error', status, errorType, message }
      : { kind: 'api-error', status, errorType, message, headers };
  },

  /** 529 overloaded_error, the usual "try again later" of the Messages API. */
  overloaded(): Fault {
    return faults.apiError(529, 'overloaded_error', 'Overloaded');
  },

  /**
   * 429 rate_limit_error. `retryAfter` becomes `retry-after` (seconds, or an HTTP date as given)
   * and `retryAfterMs` becomes `retry-after-ms`; neither is sent unless given.
   */
  rateLimited(wait: { retryAfter?: number | string; retryAfterMs?: number } = {}): Fault {
    const headers: Record<string, string> = {};
    if (wait.retryAfter !== undefined) headers['retry-after'] = String(wait.retryAfter);
    if (wait.retryAfterMs !== undefined) headers['retry-after-ms'] = String(wait.retryAfterMs);
    return faults.apiError(
      429,
      'rate_limit_error',
      'Number of requests has exceeded your rate limit',
      headers,
    );
  },

  /** 429 for a spent budget: no retry-after, `error.details.error_code: "enforced_spend_limit_reached"`. */
  spendCapReached(): Fault {
    return {
      kind: 'api-error',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'You have reached your specified workspace API usage limits.',
      details: { error_code: 'enforced_spend_limit_reached' },
    };
  },

  /** 500 api_error. */
  internalError(): Fault {
    return faults.apiError(500, 'api_error', 'Internal server error');
  },

  /** 401 authentication_error. */
  authenticationFailed(): Fault {
    return faults.apiError(401, 'authentication_error', 'invalid x-api-key');
  },

  /** 400 invalid_request_error with the given message. */
  invalidRequest(message = 'Invalid request'): Fault {
    return faults.apiError(400, 'invalid_request_error', message);
  },

  /** 413 the way a proxy in front of the API sends it: an HTML page, not JSON. */
  requestTooLarge(): Fault {
    return faults.rawResponse(413, 'text/html', htmlPage('413 Request Entity Too Large'));
  },

  /** 502 as an HTML page from a load balancer. */
  badGatewayHtml(): Fault {
    return faults.rawResponse(502, 'text/html', htmlPage('502 Bad Gateway'));
  },

  /** Any status with any body. */
  rawResponse(status: number, contentType: string, body: string, headers?: FaultHeaders): Fault {
    return headers === undefined
      ? { kind: 'raw-response', status, contentType, body }
      : { kind: 'raw-response', status, contentType, body, headers };
  },

  drop(): Fault {
    return { kind: 'drop' };
  },

  truncate(): Fault {
    return { kind: 'truncate' };
  },

  invalidJson(): Fault {
    return { kind: 'invalid-json' };
  },

  /** `event: error` after `afterEvents` events; overloaded_error unless told otherwise. */
  streamError(afterEvents: number, errorType = 'overloaded_error', message = 'Overloaded'): Fault {
    return { kind: 'stream-error', afterEvents, errorType, message };
  },

  streamCut(afterEvents: number): Fault {
    return { kind: 'stream-cut', afterEvents };
  },

  streamStall(afterEvents: number): Fault {
    return { kind: 'stream-stall', afterEvents };
  },

  hang(): Fault {
    return { kind: 'hang' };
  },

  slowBody(intervalMs: number): Fault {
    return { kind: 'slow-body', intervalMs };
  },

  endlessBody(): Fault {
    return { kind: 'endless-body' };
  },
} as const;

function htmlPage(title: string): string {
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
