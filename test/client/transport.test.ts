/** One POST through undici to the simulator: what is sent, and what each kind of answer becomes. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { buildEndpoint, PROVIDERS } from '../../src/client/providers.js';
import { Transport, type TransportOptions } from '../../src/client/transport.js';
import { ApiError, ConnectionError, InvalidResponseError, ResponseTooLargeError } from '../../src/errors.js';
import { faults } from '../../src/mock/faults.js';
import type { MockServer } from '../../src/mock/server.js';
import { createRedactor } from '../../src/output/redact.js';
import { it } from '../helpers/fixtures.js';
import { loadFixture } from './sse-helpers.js';

const KEY = 'sk-transport-SECRET-0123456789';
const BODY = JSON.stringify({
  model: 'claude-3-haiku-20240307',
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hello' }],
});

function transportTo(url: string, opts: Partial<TransportOptions> = {}): Transport {
  const endpoint = buildEndpoint(PROVIDERS.anthropic, {
    baseUrl: url,
    apiKey: KEY,
    allowInsecureHttp: false,
    userAgent: 'lp-batch-test',
  });
  return new Transport({
    endpoint,
    connections: 2,
    timeoutMs: 5000,
    idleTimeoutMs: 5000,
    maxResponseBytes: 1 << 20,
    ...opts,
  });
}

async function sendTo(server: MockServer, opts: Partial<TransportOptions> = {}, stream = false) {
  const transport = transportTo(server.url, { redact: createRedactor([KEY]), ...opts });
  try {
    return await transport.send(stream ? JSON.stringify({ ...JSON.parse(BODY), stream: true }) : BODY, {
      stream,
    });
  } finally {
    await transport.close();
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the send to fail');
}

describe('Transport', () => {
  it('POSTs the body with the endpoint headers and returns the message, status and request id', async ({
    serve,
  }) => {
    const server = await serve();
    const sent = await sendTo(server);
    expect(sent.status).toBe(200);
    expect(sent.requestId).toBe('req_mock_1');
    expect(sent.headers['request-id']).toBe('req_mock_1');
    expect(sent.message.type).toBe('message');
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/messages');
    expect(req?.headers).toMatchObject({
      'x-api-key': KEY,
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'lp-batch-test',
    });
    expect(req?.body).toEqual(JSON.parse(BODY));
  });

  it('reads a stream, asks for text/event-stream and reports the first content delta once', async ({
    serve,
  }) => {
    const server = await serve();
    const transport = transportTo(server.url);
    let firsts = 0;
    const sent = await transport.send(JSON.stringify({ ...JSON.parse(BODY), stream: true }), {
      stream: true,
      onFirstContentDelta: () => (firsts += 1),
    });
    await transport.close();
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(sent.message.content.length).toBeGreaterThan(0);
    expect(firsts).toBe(1);
  });

  it('turns an error status into an ApiError with the body redacted before it is quoted', async ({
    serve,
  }) => {
    const server = await serve({
      fault: () =>
        faults.apiError(400, 'invalid_request_error', `bad key ${KEY} here`, { 'x-should-retry': 'false' }),
    });
    const error = await failureOf(sendTo(server));
    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect(api.status).toBe(400);
    expect(api.type).toBe('invalid_request_error');
    expect(api.apiMessage).toBe('bad key [redacted] here');
    expect(api.requestId).toBe('req_mock_1');
    expect(api.headers['x-should-retry']).toBe('false');
    expect(api.message).toBe('400 invalid_request_error: bad key [redacted] here (request-id req_mock_1)');
    expect(api.message).not.toContain(server.url);
  });

  it('classifies an HTML 502 by its status and quotes its text without the tags', async ({ serve }) => {
    const server = await serve({ fault: () => faults.badGatewayHtml() });
    const error = (await failureOf(sendTo(server))) as ApiError;
    expect(error.type).toBe('api_error');
    expect(error.apiMessage).toMatch(/^non-JSON body \(text\/html[^)]*, \d+ bytes\): 502 Bad Gateway/);
    expect(error.apiMessage).not.toContain('<');
  });

  it('gives up an attempt after --timeout with a ConnectionError that names it', async ({ serve }) => {
    const server = await serve({ fault: () => faults.hang() });
    const error = await failureOf(sendTo(server, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).type).toBe('timeout_error');
    expect((error as ConnectionError).errorKind).toBe('timeout');
    expect((error as ConnectionError).message).toBe('no complete response within --timeout 0.05s');
  });

  it('bounds a plain response by --timeout on its headers and body together', async ({ serve }) => {
    // 8 pieces 25 ms apart: the headers come at once, the whole body after about 200 ms.
    const server = await serve({ fault: () => faults.slowBody(25) });
    const error = await failureOf(sendTo(server, { timeoutMs: 60, idleTimeoutMs: 5000 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toBe('no complete response within --timeout 0.06s');
  });

  it('never cuts a stream that keeps sending, however much longer than --timeout it runs', async ({
    serve,
  }) => {
    const server = await serve({ fault: () => faults.slowBody(15) });
    const started = performance.now();
    const sent = await sendTo(server, { timeoutMs: 40, idleTimeoutMs: 1000 }, true);
    expect(performance.now() - started).toBeGreaterThan(3 * 40);
    expect(sent.message.stop_reason).toBe('end_turn');
    expect(sent.message.content[0]?.text).toMatch(/^Mock reply to: hello/);
  });

  it("bounds a stream's wait for its headers by --timeout", async ({ serve }) => {
    const server = await serve({ fault: () => faults.hang() });
    const error = await failureOf(sendTo(server, { timeoutMs: 40, idleTimeoutMs: 5000 }, true));
    expect((error as ConnectionError).message).toBe('no response headers within --timeout 0.04s');
  });

  it('gives up a stream silent for --idle-timeout, naming the flag rather than an undici code', async ({
    serve,
  }) => {
    const server = await serve({ fault: () => faults.streamStall(3) });
    const error = await failureOf(sendTo(server, { timeoutMs: 5000, idleTimeoutMs: 30 }, true));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).type).toBe('timeout_error');
    expect((error as ConnectionError).message).toBe('the stream sent nothing for --idle-timeout 0.03s');
  });

  it('refuses a body whose content-length passes --max-response-bytes without reading it', async ({
    serve,
  }) => {
    const server = await serve({
      fault: () => faults.rawResponse(200, 'application/json', `{"pad":"${'x'.repeat(5000)}"}`),
    });
    const error = await failureOf(sendTo(server, { maxResponseBytes: 1000 }));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({
      status: 200,
      type: 'api_error',
      errorKind: 'response_too_large',
      limit: 1000,
    });
    expect((error as ResponseTooLargeError).message).toBe(
      '200: response body larger than --max-response-bytes 1000 (content-length 5010)',
    );
  });

  it.for([false, true])(
    'stops reading an endless body at --max-response-bytes (stream: %s)',
    async (stream, { serve }) => {
      // Were the body read to its end first, this would never finish.
      const server = await serve({ fault: () => faults.endlessBody() });
      const error = await failureOf(sendTo(server, { maxResponseBytes: 256 * 1024 }, stream));
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as ResponseTooLargeError).message).toBe(
        '200: response body larger than --max-response-bytes 262144 (reading stopped at 262144 bytes)',
      );
      expect((error as ResponseTooLargeError).requestId).toBe('req_mock_1');
    },
  );

  it('keeps the pool usable after a body cut off at the cap', async ({ serve }) => {
    let first = true;
    const server = await serve({
      fault: () => {
        if (!first) return undefined;
        first = false;
        return faults.endlessBody();
      },
    });
    const transport = transportTo(server.url, { maxResponseBytes: 64 * 1024, connections: 1 });
    try {
      await expect(transport.send(BODY, { stream: false })).rejects.toBeInstanceOf(ResponseTooLargeError);
      const sent = await transport.send(BODY, { stream: false });
      expect(sent.message.type).toBe('message');
    } finally {
      await transport.close();
    }
  });

  it('rejects with the stop signal reason when the run aborts an attempt in flight', async ({ serve }) => {
    const server = await serve({ fault: () => faults.hang() });
    const stop = new AbortController();
    const reason = new Error('hard stop');
    const sending = sendTo(server, { signal: stop.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    stop.abort(reason);
    expect(await failureOf(sending)).toBe(reason);
  });

  it('names the network error when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const transport = transportTo(`http://127.0.0.1:${port}`);
    const error = await failureOf(transport.send(BODY, { stream: false }));
    await transport.close();
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toContain('ECONNREFUSED');
  });

  it.for([
    ['keeps a stream whose socket is reset after message_stop: it is whole and paid for', 'text-ping'],
    ['fails a stream whose socket is reset before message_stop with a ConnectionError', 'truncated'],
  ] as const)('%s', async ([, fixture]) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(loadFixture(fixture));
      // Gone without the chunked body's end: a reset, as far as the client can tell.
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const transport = transportTo(`http://127.0.0.1:${port}`);
    try {
      const sending = transport.send(BODY, { stream: true });
      if (fixture === 'text-ping') {
        const { message } = await sending;
        expect(message.content).toEqual([{ type: 'text', text: 'Hello! How can I help you today?' }]);
      } else {
        const error = await failureOf(sending);
        expect(error).toBeInstanceOf(ConnectionError);
        expect((error as ConnectionError).errorKind).toBe('connection');
      }
    } finally {
      await transport.close();
      server.close();
    }
  });

  it('tells a 200 that is not JSON from JSON that is not a message', async ({ serve }) => {
    const garbled = await serve({ fault: () => faults.invalidJson() });
    const notJson = (await failureOf(sendTo(garbled))) as InvalidResponseError;
    expect(notJson).toBeInstanceOf(InvalidResponseError);
    expect(notJson.kind).toBe('not_json');
    const other = await serve({
      fault: () => faults.rawResponse(200, 'application/json', `{"key":"${KEY}"}`),
    });
    const notMessage = (await failureOf(sendTo(other))) as InvalidResponseError;
    expect(notMessage.kind).toBe('not_a_message');
    expect(notMessage.message).toContain('{"key":"[redacted]"}');
  });
});
