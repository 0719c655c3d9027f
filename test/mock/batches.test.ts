import { describe, expect } from 'vitest';
import { validateBatchCreate } from '../../src/mock/batch-validate.js';
import type { MockServerOptions } from '../../src/mock/server.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { call, manualClock, params } from './support.js';

const LIMITS = { maxRequests: 3, maxBytes: 10_000 };

function items(count: number, prefix = 'r') {
  return Array.from({ length: count }, (_, i) => ({
    custom_id: `${prefix}${i}`,
    params: params({ messages: [{ role: 'user', content: `Question ${i}` }] }),
  }));
}

describe('validateBatchCreate', () => {
  const cases: [string, unknown, string][] = [
    ['no requests array', { reqs: [] }, 'requests: required'],
    ['zero requests', { requests: [] }, 'requests: expected 1 to 3 requests, got 0'],
    ['too many requests', { requests: items(4) }, 'requests: expected 1 to 3 requests, got 4'],
    [
      'a bad custom_id',
      { requests: [{ custom_id: 'has space', params: {} }] },
      'requests[0].custom_id: expected a string matching ^[a-zA-Z0-9_-]{1,64}$, got "has space"',
    ],
    [
      'a duplicate custom_id',
      { requests: [...items(2), { custom_id: 'r0', params: {} }] },
      'requests[2].custom_id: duplicate custom_id "r0" (also requests[0])',
    ],
    [
      'params that are not an object',
      { requests: [{ custom_id: 'a', params: 'x' }] },
      'requests[0].params: expected an object, got "x"',
    ],
    [
      'a streamed request',
      { requests: [{ custom_id: 'a', params: params({ stream: true }) }] },
      'requests[0].params.stream: streaming is not supported in a Message Batch',
    ],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(validateBatchCreate(body, 100, LIMITS)).toEqual({ ok: false, message });
    });
  }

  it('refuses a custom_id of 65 characters', () => {
    const checked = validateBatchCreate(
      { requests: [{ custom_id: 'x'.repeat(65), params: {} }] },
      100,
      LIMITS,
    );
    expect(checked).toEqual({
      ok: false,
      message: expect.stringMatching(/^requests\[0\]\.custom_id: expected a string matching .* got "xxxx/),
    });
    expect(
      validateBatchCreate({ requests: [{ custom_id: 'x'.repeat(64), params: {} }] }, 100, LIMITS).ok,
    ).toBe(true);
  });

  it('refuses a body over the size limit', () => {
    expect(validateBatchCreate({ requests: items(1) }, 10_001, LIMITS)).toEqual({
      ok: false,
      message: 'The batch is 10001 bytes; a batch may hold at most 10000 bytes',
    });
  });

  it('accepts valid requests and leaves their params to processing time', () => {
    const requests = [{ custom_id: 'a-1_B', params: { model: 'm' } }];
    expect(validateBatchCreate({ requests }, 100, LIMITS)).toEqual({ ok: true, requests });
  });
});

describe('Message Batches on the real server', () => {
  async function startWithClock(serve: RunFixtures['serve'], options: MockServerOptions = {}) {
    const clock = manualClock();
    const server = await serve({ clock, ...options });
    const url = server.url;
    const json = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await call(url, method, path, body);
      return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
    };
    const results = async (id: string) => {
      const res = await call(url, 'GET', `/v1/messages/batches/${id}/results`);
      expect(res.status).toBe(200);
      expect(res.text.endsWith('\n')).toBe(true);
      return res.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { custom_id: string; result: Record<string, unknown> });
    };
    return { clock, url, json, results, server };
  }

  it('answers a bad batch with 400 invalid_request_error and the path', async ({ serve }) => {
    const { json } = await startWithClock(serve, { batchMaxRequests: 2 });
    const answer = await json('POST', '/v1/messages/batches', { requests: items(3) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({
      type: 'invalid_request_error',
      message: 'requests: expected 1 to 2 requests, got 3',
    });
  });

  it('refuses a body over batchMaxBytes', async ({ serve }) => {
    const { json } = await startWithClock(serve, { batchMaxBytes: 200 });
    const answer = await json('POST', '/v1/messages/batches', { requests: items(3) });
    expect(answer.status).toBe(400);
    expect((answer.body.error as { message: string }).message).toMatch(
      /^The batch is \d+ bytes; a batch may hold at most 200 bytes$/,
    );
  });

  it('stays in_progress for batchProcessingMs, then ends with counts, ended_at and results_url', async ({
    serve,
  }) => {
    const { clock, url, json } = await startWithClock(serve, { batchProcessingMs: 10_000 });
    const created = await json('POST', '/v1/messages/batches', { requests: items(3) });
    const id = created.body.id as string;
    clock.advance(9_999);
    const running = await json('GET', `/v1/messages/batches/${id}`);
    expect(running.body).toMatchObject({
      processing_status: 'in_progress',
      results_url: null,
      ended_at: null,
    });
    const early = await call(url, 'GET', `/v1/messages/batches/${id}/results`);
    expect(early.status).toBe(400);
    expect(early.text).toContain('has not ended yet (processing_status in_progress)');
    clock.advance(1);
    const ended = await json('GET', `/v1/messages/batches/${id}`);
    expect(ended.body).toMatchObject({
      processing_status: 'ended',
      request_counts: { processing: 0, succeeded: 3, errored: 0, canceled: 0, expired: 0 },
      ended_at: new Date(clock.now()).toISOString(),
      results_url: `${url}/v1/messages/batches/${id}/results`,
    });
  });

  it('ends a batch created with batchProcessingMs 0 at once, and endNow ends one at once', async ({
    serve,
  }) => {
    const { json } = await startWithClock(serve, { batchProcessingMs: 0 });
    const created = await json('POST', '/v1/messages/batches', { requests: items(2) });
    expect(created.body.processing_status).toBe('ended');
    const second = await startWithClock(serve, { batchProcessingMs: 3_600_000 });
    const slow = await second.json('POST', '/v1/messages/batches', { requests: items(2) });
    second.server.batches.endNow(slow.body.id as string);
    expect(second.server.batches.list()[0]).toMatchObject({
      processing_status: 'ended',
      request_counts: { succeeded: 2 },
    });
  });

  it('writes errored lines for invalid params (found at processing, as upstream) and by rate or predicate', async ({
    serve,
  }) => {
    const { json, results } = await startWithClock(serve, {
      batchProcessingMs: 0,
      batchOutcome: ({ custom_id }) =>
        custom_id === 'exp'
          ? 'expired'
          : custom_id === 'err'
            ? { errorType: 'overloaded_error', message: 'busy' }
            : undefined,
    });
    const requests = [
      ...items(1),
      { custom_id: 'bad', params: params({ messages: [{ role: 'system', content: 'x' }] }) },
      { custom_id: 'exp', params: params() },
      { custom_id: 'err', params: params() },
      { custom_id: 'can', params: params() },
    ];
    const created = await json('POST', '/v1/messages/batches', { requests });
    expect(created.body.request_counts).toEqual({
      processing: 0,
      succeeded: 2,
      errored: 2,
      canceled: 0,
      expired: 1,
    });
    const byId = new Map(
      (await results(created.body.id as string)).map((line) => [line.custom_id, line.result]),
    );
    expect(byId.get('bad')).toEqual({
      type: 'errored',
      error: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: expect.stringMatching(/^params\.messages\[0\]\.role: /),
        },
      },
    });
    expect(byId.get('exp')).toEqual({ type: 'expired' });
    expect(byId.get('err')).toEqual({
      type: 'errored',
      error: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
    });
    expect(byId.get('r0')).toMatchObject({ type: 'succeeded' });
  });

  it('errors and expires about the configured shares, the same requests for the same seed', async ({
    serve,
  }) => {
    const outcome = async (seed: number) => {
      const { json, results, server } = await startWithClock(serve, {
        batchProcessingMs: 0,
        batchErrorRate: 0.2,
        batchExpireRate: 0.2,
        seed,
      });
      const created = await json('POST', '/v1/messages/batches', { requests: items(200) });
      const lines = await results(created.body.id as string);
      await server.close();
      return lines.map((line) => `${line.custom_id}:${String(line.result.type)}`);
    };
    const a = await outcome(1);
    expect(a).toEqual(await outcome(1));
    expect(a).not.toEqual(await outcome(2));
    const share = (type: string) => a.filter((line) => line.endsWith(`:${type}`)).length / a.length;
    expect(share('errored')).toBeGreaterThan(0.1);
    expect(share('errored')).toBeLessThan(0.3);
    expect(share('expired')).toBeGreaterThan(0.1);
    expect(share('expired')).toBeLessThan(0.3);
  });

  it('answers 404 for an unknown batch and 404 for a path it does not serve', async ({ serve }) => {
    const { json } = await startWithClock(serve);
    expect((await json('GET', '/v1/messages/batches/msgbatch_nope')).status).toBe(404);
    expect((await json('POST', '/v1/messages/batches/msgbatch_nope/cancel')).status).toBe(404);
    expect((await json('GET', '/v1/nothing')).status).toBe(404);
  });

  it('lists batches newest first', async ({ serve }) => {
    const { json } = await startWithClock(serve);
    await json('POST', '/v1/messages/batches', { requests: items(1) });
    await json('POST', '/v1/messages/batches', { requests: items(1) });
    const list = await json('GET', '/v1/messages/batches');
    expect((list.body.data as { id: string }[]).map((b) => b.id)).toEqual([
      'msgbatch_mock_2',
      'msgbatch_mock_1',
    ]);
  });
});

describe("AI/ML API's batch endpoints", () => {
  it('creates with 201, answers the batch object while it runs, the results as JSONL once ended, and cancels', async ({
    serve,
  }) => {
    const clock = manualClock();
    const server = await serve({ clock, batchProcessingMs: 1000 });
    const created = await call(server.url, 'POST', '/v1/batches', { requests: items(2) });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.text) as { id: string }).id;
    const running = await call(server.url, 'GET', `/v1/batches?batch_id=${id}`);
    expect(JSON.parse(running.text)).toMatchObject({ id, processing_status: 'in_progress' });
    clock.advance(1000);
    const done = await call(server.url, 'GET', `/v1/batches?batch_id=${id}`);
    expect(done.headers['content-type']).toBe('application/x-jsonl');
    const lines = done.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { custom_id: string });
    expect(lines.map((line) => line.custom_id).sort()).toEqual(['r0', 'r1']);

    const other = await call(server.url, 'POST', '/v1/batches', { requests: items(2) });
    const otherId = (JSON.parse(other.text) as { id: string }).id;
    const canceled = await call(server.url, 'POST', `/v1/batches/cancel/${otherId}`);
    expect(canceled.status).toBe(201);
    const results = await call(server.url, 'GET', `/v1/batches?batch_id=${otherId}`);
    expect(
      results.text
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { result: { type: string } }).result.type),
    ).toEqual(['canceled', 'canceled']);
  });

  it('needs batch_id', async ({ serve }) => {
    const server = await serve();
    const answer = await call(server.url, 'GET', '/v1/batches');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('batch_id: required');
  });
});

describe('the prompt cache and batches', () => {
  const shared = { type: 'text', text: 'p'.repeat(4000), cache_control: { type: 'ephemeral', ttl: '1h' } };
  const group = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      custom_id: `${prefix}${i}`,
      params: params({ system: [shared], messages: [{ role: 'user', content: `Q${i}` }] }),
    }));

  it("lets no request of a batch read another's write, and lets a later batch read them", async ({
    serve,
  }) => {
    const clock = manualClock();
    const server = await serve({ clock, batchProcessingMs: 60_000, cacheMinTokens: 500 });
    const url = server.url;
    const run = async (requests: unknown[]) => {
      const created = JSON.parse((await call(url, 'POST', '/v1/messages/batches', { requests })).text) as {
        id: string;
      };
      clock.advance(60_000);
      const res = await call(url, 'GET', `/v1/messages/batches/${created.id}/results`);
      return res.text
        .trimEnd()
        .split('\n')
        .map(
          (line) =>
            (JSON.parse(line) as { result: { message: { usage: Record<string, number> } } }).result.message
              .usage,
        );
    };
    const cold = await run(group('cold', 5));
    expect(cold.map((u) => [u.cache_creation_input_tokens, u.cache_read_input_tokens])).toEqual(
      Array(5).fill([1000, 0]),
    );
    expect(cold[0]?.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 0,
      ephemeral_1h_input_tokens: 1000,
    });
    const warm = await run(group('warm', 5));
    expect(warm.map((u) => [u.cache_creation_input_tokens, u.cache_read_input_tokens])).toEqual(
      Array(5).fill([0, 1000]),
    );
    // And a plain request after both reads too.
    const res = await call(url, 'POST', '/v1/messages', group('x', 1)[0]?.params);
    expect(
      (JSON.parse(res.text) as { usage: { cache_read_input_tokens: number } }).usage.cache_read_input_tokens,
    ).toBe(1000);
  });
});
