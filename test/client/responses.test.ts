import { describe, expect, it } from 'vitest';
import { errorFromResponse, messageFromBody, pickHeaders } from '../../src/client/responses.js';
import { InvalidResponseError } from '../../src/errors.js';
import { createRedactor } from '../../src/output/redact.js';

const KEY = 'sk-responses-SECRET-0123456789';
const redact = createRedactor([KEY]);
const CTX = { redact };

/** `text` with every character written as a JSON `\uXXXX` escape. */
function escaped(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

describe('errorFromResponse', () => {
  it("reads Anthropic's error body: type, message, details and the request id", () => {
    const body = JSON.stringify({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down', details: { error_code: 'x' } },
      request_id: 'req_body',
    });
    const error = errorFromResponse(429, { 'retry-after': '3' }, body, CTX);
    expect(error).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      errorKind: 'http_error',
      apiMessage: 'slow down',
      details: { error_code: 'x' },
      requestId: 'req_body',
      headers: { 'retry-after': '3' },
    });
    // No gateway URL: one run talks to one gateway, and the result line has the rest.
    expect(error.message).toBe('429 rate_limit_error: slow down (request-id req_body)');
  });

  it("prefers the header's request id, then the caller's, to the body's", () => {
    const body = JSON.stringify({ error: { type: 'api_error', message: 'm' }, request_id: 'req_body' });
    expect(errorFromResponse(500, { 'request-id': 'req_h' }, body, CTX).requestId).toBe('req_h');
    expect(errorFromResponse(500, { 'x-request-id': 'req_x' }, body, CTX).requestId).toBe('req_x');
    expect(errorFromResponse(500, {}, body, { ...CTX, requestId: 'req_stream' }).requestId).toBe(
      'req_stream',
    );
  });

  it('classifies a body that is not JSON by its status alone, and says what it was', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>';
    const error = errorFromResponse(502, { 'content-type': 'text/html' }, html, CTX);
    expect(error.type).toBe('api_error');
    expect(error.apiMessage).toBe(`non-JSON body (text/html, ${html.length} bytes): 502 Bad Gateway nginx`);
    expect(errorFromResponse(413, {}, 'too big', CTX).type).toBe('request_too_large');
    expect(errorFromResponse(418, {}, '', CTX)).toMatchObject({
      type: 'invalid_request_error',
      apiMessage: 'non-JSON body (no content-type, 0 bytes)',
    });
    expect(errorFromResponse(599, {}, '', CTX).type).toBe('api_error');
  });

  it("keeps a stream's error event text as its message, typed api_error when untyped", () => {
    expect(errorFromResponse(200, {}, 'upstream exploded', CTX)).toMatchObject({
      status: 200,
      type: 'api_error',
      errorKind: 'stream_error',
      apiMessage: 'upstream exploded',
    });
    expect(errorFromResponse(200, {}, '  ', CTX).apiMessage).toBe('an error event without data');
    expect(errorFromResponse(200, {}, 'x'.repeat(500), CTX).apiMessage).toBe(`${'x'.repeat(200)}...`);
  });

  it("writes only Anthropic's types: a gateway's own gives way to the status's and leads the message", () => {
    const body = (type: string) => JSON.stringify({ error: { type, message: 'try later' } });
    expect(errorFromResponse(409, {}, body('conflict_error'), CTX)).toMatchObject({
      type: 'api_error',
      apiMessage: 'conflict_error: try later',
    });
    expect(errorFromResponse(400, {}, body('new_api_error'), CTX)).toMatchObject({
      type: 'invalid_request_error',
      apiMessage: 'new_api_error: try later',
    });
    expect(errorFromResponse(200, {}, body('upstream_gone'), CTX)).toMatchObject({
      type: 'api_error',
      apiMessage: 'upstream_gone: try later',
    });
    expect(errorFromResponse(529, {}, body('overloaded_error'), CTX).type).toBe('overloaded_error');
    expect(errorFromResponse(408, {}, '', CTX).type).toBe('timeout_error');
  });

  it('redacts every string of the body after its JSON escapes are decoded', () => {
    const body = `{"error":{"type":"${escaped(KEY)}","message":"bad ${escaped(KEY)}"},"request_id":"${escaped(KEY)}"}`;
    const error = errorFromResponse(400, {}, body, CTX);
    expect(error.type).toBe('invalid_request_error');
    expect(error.apiMessage).toBe('[redacted]: bad [redacted]');
    expect(error.requestId).toBe('[redacted]');
    expect(error.message).not.toContain('SECRET');
  });

  it('redacts a non-JSON body before cutting it, so no part of the key is kept', () => {
    const error = errorFromResponse(400, {}, `${'x'.repeat(195)} ${KEY}`, CTX);
    expect(error.apiMessage).toMatch(/x \[red\.\.\.$/);
    expect(error.apiMessage).not.toContain('sk-');
    const event = errorFromResponse(200, {}, `${'y'.repeat(195)} ${KEY}`, CTX);
    expect(event.apiMessage).not.toContain('sk-');
  });
});

describe('messageFromBody', () => {
  it('returns a Messages API message', () => {
    const message = { type: 'message', content: [], usage: { input_tokens: 1, output_tokens: 2 } };
    expect(messageFromBody(200, {}, JSON.stringify(message), redact)).toEqual(message);
  });

  it('refuses a cut body as not_json and other JSON as not_a_message, quoting them redacted', () => {
    const cut = () => messageFromBody(200, { 'request-id': 'req_1' }, `{"id": "${KEY}`, redact);
    expect(cut).toThrow(InvalidResponseError);
    expect(cut).toThrow(/^body is not valid JSON \(38 bytes\): \{"id": "\[redacted\]$/);
    try {
      messageFromBody(200, {}, `{"type":"other","k":"${escaped(KEY)}"}`, redact);
    } catch (error) {
      expect((error as InvalidResponseError).kind).toBe('not_a_message');
      expect((error as InvalidResponseError).errorKind).toBe('invalid_response');
      expect((error as InvalidResponseError).message).toContain('"k":"[redacted]"');
    }
    expect.assertions(5);
  });
});

describe('pickHeaders', () => {
  it('keeps what steers retries and rate limits, joins repeated ones, drops the rest, redacts values', () => {
    expect(
      pickHeaders(
        {
          'retry-after': '1',
          'anthropic-ratelimit-requests-remaining': '0',
          'x-should-retry': ['true', 'false'],
          'request-id': `req_${KEY}`,
          'set-cookie': 'a=b',
          server: 'nginx',
        },
        redact,
      ),
    ).toEqual({
      'retry-after': '1',
      'anthropic-ratelimit-requests-remaining': '0',
      'x-should-retry': 'true, false',
      'request-id': 'req_[redacted]',
    });
  });
});
