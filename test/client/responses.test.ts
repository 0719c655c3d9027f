import { describe, expect, it } from 'vitest';
import { errorFromResponse, messageFromBody, pickHeaders } from '../../src/client/responses.js';
import { InvalidResponseError } from '../../src/errors.js';

const ORIGIN = { method: 'POST', url: 'https://gw.example/v1/messages' };

describe('errorFromResponse', () => {
  it("reads Anthropic's error body: type, message, details and the request id", () => {
    const body = JSON.stringify({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down', details: { error_code: 'x' } },
      request_id: 'req_body',
    });
    const error = errorFromResponse(429, { 'retry-after': '3' }, body, ORIGIN);
    expect(error).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      apiMessage: 'slow down',
      details: { error_code: 'x' },
      requestId: 'req_body',
      headers: { 'retry-after': '3' },
    });
    expect(error.message).toBe(
      '[POST] "https://gw.example/v1/messages": 429 rate_limit_error: slow down (request-id req_body)',
    );
  });

  it("prefers the header's request id, then the caller's, to the body's", () => {
    const body = JSON.stringify({ error: { type: 'api_error', message: 'm' }, request_id: 'req_body' });
    expect(errorFromResponse(500, { 'request-id': 'req_h' }, body, ORIGIN).requestId).toBe('req_h');
    expect(errorFromResponse(500, { 'x-request-id': 'req_x' }, body, ORIGIN).requestId).toBe('req_x');
    expect(errorFromResponse(500, {}, body, { ...ORIGIN, requestId: 'req_stream' }).requestId).toBe(
      'req_stream',
    );
  });

  it('classifies a body that is not JSON by its status alone, and says what it was', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>';
    const error = errorFromResponse(502, { 'content-type': 'text/html' }, html, ORIGIN);
    expect(error.type).toBe('api_error');
    expect(error.apiMessage).toBe(`non-JSON body (text/html, ${html.length} bytes): 502 Bad Gateway nginx`);
    expect(errorFromResponse(413, {}, 'too big', ORIGIN).type).toBe('request_too_large');
    expect(errorFromResponse(418, {}, '', ORIGIN)).toMatchObject({
      type: 'invalid_request_error',
      apiMessage: 'non-JSON body (no content-type, 0 bytes)',
    });
    expect(errorFromResponse(599, {}, '', ORIGIN).type).toBe('api_error');
  });

  it("keeps a stream's error event text as its message, typed api_error when untyped", () => {
    expect(errorFromResponse(200, {}, 'upstream exploded', ORIGIN)).toMatchObject({
      status: 200,
      type: 'api_error',
      apiMessage: 'upstream exploded',
    });
    expect(errorFromResponse(200, {}, '  ', ORIGIN).apiMessage).toBe('an error event without data');
    expect(errorFromResponse(200, {}, 'x'.repeat(500), ORIGIN).apiMessage).toBe(`${'x'.repeat(200)}...`);
  });
});

describe('messageFromBody', () => {
  it('returns a Messages API message', () => {
    const message = { type: 'message', content: [], usage: { input_tokens: 1, output_tokens: 2 } };
    expect(messageFromBody(200, {}, JSON.stringify(message), ORIGIN)).toEqual(message);
  });

  it('refuses a cut body as not_json and other JSON as not_a_message, quoting them redacted', () => {
    const redact = (text: string) => text.replaceAll('SECRET', '[redacted]');
    const cut = () => messageFromBody(200, { 'request-id': 'req_1' }, '{"id": "SECRET', ORIGIN, redact);
    expect(cut).toThrow(InvalidResponseError);
    expect(cut).toThrow('200 body is not valid JSON (14 bytes): {"id": "[redacted]');
    try {
      messageFromBody(200, {}, '{"type":"other"}', ORIGIN);
    } catch (error) {
      expect((error as InvalidResponseError).kind).toBe('not_a_message');
    }
    expect.assertions(3);
  });
});

describe('pickHeaders', () => {
  it('keeps what steers retries and rate limits, joins repeated ones, drops the rest', () => {
    expect(
      pickHeaders({
        'retry-after': '1',
        'anthropic-ratelimit-requests-remaining': '0',
        'x-should-retry': ['true', 'false'],
        'set-cookie': 'a=b',
        server: 'nginx',
      }),
    ).toEqual({
      'retry-after': '1',
      'anthropic-ratelimit-requests-remaining': '0',
      'x-should-retry': 'true, false',
    });
  });
});
