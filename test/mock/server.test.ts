import { afterEach, describe, expect, it } from 'vitest';
import { buildMockMessage } from '../../src/mock/reply.js';
import { type MockServer, type MockServerOptions, startMockServer } from '../../src/mock/server.js';
import { accumulateSse, params, parseSse, post } from './support.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockServerOptions = {}): Promise<MockServer> {
  server = await startMockServer(options);
  return server;
}

describe('startMockServer', () => {
  it('answers a JSON message with request-id req_mock_<n> and the reply buildMockMessage gives', async () => {
    const { url } = await start();
    const res = await post(url, params());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['request-id']).toBe('req_mock_1');
    expect(await res.body.json()).toEqual(buildMockMessage(params(), 1));
  });

  it('streams SSE frames that accumulate to the JSON reply content and usage', async () => {
    const { url } = await start();
    const json = (await (await post(url, params())).body.json()) as Record<string, unknown>;
    const res = await post(url, params({ stream: true }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['request-id']).toBe('req_mock_2');
    const events = parseSse(await res.body.text());
    expect(events.at(-1)?.event).toBe('message_stop');
    const streamed = accumulateSse(events);
    expect(streamed.id).toBe('msg_mock_2');
    expect(streamed.content).toEqual(json.content);
    expect(streamed.usage).toEqual(json.usage);
    expect(streamed.stop_reason).toBe(json.stop_reason);
  });

  it('serves every path that ends in /messages and 404s the rest', async () => {
    const { url } = await start();
    for (const path of ['/v1/messages', '/messages', '/anthropic/v1/messages', '/v1/messages?beta=true']) {
      expect((await post(url, params(), { path })).statusCode).toBe(200);
    }
    const res = await post(url, params(), { path: '/v1/complete' });
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'Not found: POST /v1/complete' },
      request_id: 'req_mock_5',
    });
  });

  it('answers a body that is not JSON with a 400 invalid_request_error and records the raw text', async () => {
    const mock = await start();
    const res = await post(mock.url, '{"model": ');
    expect(res.statusCode).toBe(400);
    const body = (await res.body.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/error parsing the body/);
    expect(mock.requests[0]?.body).toBe('{"model": ');
  });

  it('answers a missing max_tokens with a 400 naming the field', async () => {
    const { url } = await start();
    const res = await post(url, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.statusCode).toBe(400);
    const body = (await res.body.json()) as { error: { message: string } };
    expect(body.error.message).toBe('max_tokens: required');
  });

  it('records each request with its number, path, lower-case headers and parsed body', async () => {
    const mock = await start();
    await (await post(mock.url, params(), { path: '/anthropic/v1/messages' })).body.text();
    await (await post(mock.url, params({ max_tokens: 9 }))).body.text();
    expect(mock.requests).toHaveLength(2);
    const [first, second] = mock.requests;
    expect(first).toMatchObject({ n: 1, method: 'POST', path: '/anthropic/v1/messages', body: params() });
    expect(first?.headers['anthropic-version']).toBe('2023-06-01');
    expect(second?.body).toEqual(params({ max_tokens: 9 }));
    expect(second?.receivedAt).toBeGreaterThanOrEqual(first?.receivedAt ?? Number.POSITIVE_INFINITY);
  });

  it('keeps no requests when record is false but still counts them', async () => {
    const mock = await start({ record: false });
    await (await post(mock.url, params())).body.text();
    expect(mock.requests).toEqual([]);
    expect(mock.stats.received).toBe(1);
    expect(mock.stats.byStatus).toEqual({ 200: 1 });
  });

  it('waits latencyMs before answering', async () => {
    const { url } = await start({ latencyMs: 40 });
    const startedAt = performance.now();
    await (await post(url, params())).body.text();
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(38);
  });

  it('sends 529 only to requests beyond maxConcurrent in flight', async () => {
    const mock = await start({ maxConcurrent: 2, latencyMs: 200 });
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const res = await post(mock.url, params());
        const body = (await res.body.json()) as { error?: { type: string } };
        return `${res.statusCode} ${body.error?.type ?? 'message'}`;
      }),
    );
    expect(statuses.sort()).toEqual([
      '200 message',
      '200 message',
      '529 overloaded_error',
      '529 overloaded_error',
      '529 overloaded_error',
    ]);
    expect(mock.stats).toMatchObject({ overCapacity: 3, inFlight: 0, byStatus: { 200: 2, 529: 3 } });
    // The 529s go out at once, so how many overlapped depends on arrival; at least 2 + 1 did.
    expect(mock.stats.peakInFlight).toBeGreaterThanOrEqual(3);
  });

  it('never sends a capacity 529 while requests stay within maxConcurrent', async () => {
    const mock = await start({ maxConcurrent: 2, latencyMs: 20 });
    for (let round = 0; round < 3; round++) {
      const pair = [post(mock.url, params()), post(mock.url, params())];
      for (const res of await Promise.all(pair)) {
        expect(res.statusCode).toBe(200);
        await res.body.text();
      }
    }
    expect(mock.stats.overCapacity).toBe(0);
    expect(mock.stats.byStatus).toEqual({ 200: 6 });
  });

  it('listens on the port it is given', async () => {
    const probe = await startMockServer();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const mock = await start({ port });
    expect(mock.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('can be closed twice', async () => {
    const mock = await start();
    await mock.close();
    await expect(mock.close()).resolves.toBeUndefined();
  });
});
