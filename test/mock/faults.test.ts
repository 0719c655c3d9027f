import type { Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fault, faults } from '../../src/mock/faults.js';
import { buildMockMessage } from '../../src/mock/reply.js';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { messageToSseEvents } from '../../src/mock/sse.js';
import { params, parseSse, post } from './support.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Start a server that gives every request `fault`. */
async function startWith(fault: Fault): Promise<MockServer> {
  server = await startMockServer({ fault: () => fault });
  return server;
}

/** Read a body chunk by chunk, keeping what arrived before any error. */
async function readUntilError(
  body: Dispatcher.ResponseData['body'],
): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const chunk of body) text += (chunk as Buffer).toString('utf8');
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

describe('api-error and raw-response faults', () => {
  const cases: [string, Fault, number, string][] = [
    ['overloaded', faults.overloaded(), 529, 'overloaded_error'],
    ['internalError', faults.internalError(), 500, 'api_error'],
    ['authenticationFailed', faults.authenticationFailed(), 401, 'authentication_error'],
    ['invalidRequest', faults.invalidRequest('messages.0.role: bad'), 400, 'invalid_request_error'],
  ];
  for (const [name, fault, status, type] of cases) {
    it(`${name} answers ${status} ${type} in Anthropic's error shape with the request id`, async () => {
      const { url } = await startWith(fault);
      const res = await post(url, params());
      expect(res.statusCode).toBe(status);
      expect(res.headers['request-id']).toBe('req_mock_1');
      const body = (await res.body.json()) as { type: string; error: { type: string }; request_id: string };
      expect(body).toMatchObject({ type: 'error', error: { type }, request_id: 'req_mock_1' });
    });
  }

  it('rateLimited sends 429 with retry-after and retry-after-ms as given', async () => {
    const { url } = await startWith(faults.rateLimited({ retryAfter: 3, retryAfterMs: 2500 }));
    const res = await post(url, params());
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.headers['retry-after-ms']).toBe('2500');
    expect(((await res.body.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('spendCapReached sends 429 without retry-after and with the spend-limit error code', async () => {
    const { url } = await startWith(faults.spendCapReached());
    const res = await post(url, params());
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeUndefined();
    const body = (await res.body.json()) as { error: { type: string; details: unknown } };
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.details).toEqual({ error_code: 'enforced_spend_limit_reached' });
  });

  it('requestTooLarge and badGatewayHtml send HTML pages, not JSON', async () => {
    for (const [fault, status] of [
      [faults.requestTooLarge(), 413],
      [faults.badGatewayHtml(), 502],
    ] as const) {
      const mock = await startMockServer({ fault: () => fault });
      const res = await post(mock.url, params());
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('text/html');
      const text = await res.body.text();
      expect(text).toContain(`<title>${status} `);
      expect(() => JSON.parse(text) as unknown).toThrow();
      await mock.close();
    }
  });

  it('counts fault responses by status and faults by kind', async () => {
    const mock = await startWith(faults.overloaded());
    await (await post(mock.url, params())).body.text();
    await (await post(mock.url, params())).body.text();
    expect(mock.stats.byStatus).toEqual({ 529: 2 });
    expect(mock.stats.faults).toEqual({ 'api-error': 2 });
  });
});

describe('connection faults', () => {
  it('drop closes the socket without a response', async () => {
    const { url } = await startWith(faults.drop());
    await expect(post(url, params())).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('truncate sends 200 with the full content-length and then only half the body', async () => {
    const { url } = await startWith(faults.truncate());
    const res = await post(url, params());
    expect(res.statusCode).toBe(200);
    const full = JSON.stringify(buildMockMessage(params(), 1));
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(full)));
    const { text, error } = await readUntilError(res.body);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(full.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(full.length);
  });

  it('invalidJson sends a 200 JSON body that is cut mid-string', async () => {
    const { url } = await startWith(faults.invalidJson());
    const res = await post(url, params());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const text = await res.body.text();
    expect(text).toBe('{"id": "msg_');
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  // undici checks headersTimeout and bodyTimeout on a coarse (about 1 s) timer, so these two take
  // about a second each however tiny the timeout.
  it('hang never answers, so a tiny headersTimeout fires', async () => {
    const { url } = await startWith(faults.hang());
    await expect(post(url, params(), { headersTimeout: 10 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });

  it('close() ends a hanging request promptly', async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const mock = await startMockServer({
      fault: () => {
        arrived();
        return faults.hang();
      },
    });
    const pending = post(mock.url, params());
    await arrival;
    const startedAt = performance.now();
    await mock.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(mock.stats.inFlight).toBe(0);
  });
});

describe('stream faults', () => {
  const streaming = params({ stream: true });
  const allEvents = parseSse(messageToSseEvents(buildMockMessage(streaming, 1)).join(''));

  it('streamError sends K events, then an error event, then ends the body', async () => {
    const { url } = await startWith(faults.streamError(3, 'overloaded_error'));
    const res = await post(url, streaming);
    expect(res.statusCode).toBe(200);
    const events = parseSse(await res.body.text());
    expect(events.slice(0, 3)).toEqual(allEvents.slice(0, 3));
    expect(events).toHaveLength(4);
    expect(events[3]).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
  });

  it('streamCut sends K events and closes the connection before message_stop', async () => {
    const { url } = await startWith(faults.streamCut(4));
    const res = await post(url, streaming);
    expect(res.statusCode).toBe(200);
    const { text, error } = await readUntilError(res.body);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(parseSse(text)).toEqual(allEvents.slice(0, 4));
  });

  it('streamStall sends K events and goes silent, so a tiny bodyTimeout fires', async () => {
    const mock = await startWith(faults.streamStall(2));
    const res = await post(mock.url, streaming, { bodyTimeout: 10 });
    expect(res.statusCode).toBe(200);
    const { text, error } = await readUntilError(res.body);
    expect(error).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    expect(parseSse(text)).toEqual(allEvents.slice(0, 2));
  });

  it('close() ends a stalled stream promptly', async () => {
    const mock = await startWith(faults.streamStall(1));
    const res = await post(mock.url, streaming);
    const chunks = res.body[Symbol.asyncIterator]();
    const first = await chunks.next(); // the stall has begun once the first event is in
    const startedAt = performance.now();
    await mock.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    await expect(chunks.next()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(parseSse(String(first.value))).toEqual(allEvents.slice(0, 1));
  });
});
