/** The Message Batches API client against the simulator: both dialects, retries, and results read as they come. */
import { describe, expect } from 'vitest';
import { openBatchConnection } from '../../src/batches/batch-connection.js';
import type { ResultItem } from '../../src/client/batch-api.js';
import { totalOf } from '../../src/client/batch-info.js';
import { batchApiOf, type ProviderName } from '../../src/client/providers.js';
import { BatchJobError } from '../../src/errors.js';
import { faults } from '../../src/mock/faults.js';
import type { MockServer } from '../../src/mock/server.js';
import { it } from '../helpers/fixtures.js';
import { succeeded } from '../output/results-file-fixtures.js';
import { instantClock, TEST_KEY } from '../helpers/run-helpers.js';

function connectTo(server: MockServer, provider: ProviderName = 'anthropic', maxResponseBytes = 1 << 20) {
  return openBatchConnection({
    provider,
    baseUrl: server.url,
    batchApi: batchApiOf(provider, undefined),
    apiKeyEnv: undefined,
    apiKey: TEST_KEY,
    header: undefined,
    allowInsecureHttp: false,
    env: {},
    timeout: 10,
    idleTimeout: 10,
    maxResponseBytes,
    maxRetries: 3,
    maxRetryWait: 1,
    clock: instantClock(),
  });
}

function body(ids: string[]): Uint8Array {
  const requests = ids.map((custom_id) => ({
    custom_id,
    params: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: custom_id }] },
  }));
  return Buffer.from(JSON.stringify({ requests }));
}

describe('BatchApi', () => {
  it("speaks Anthropic's dialect: create, retrieve, cancel, list, and results from results_url", async ({
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: 0 });
    const connection = await connectTo(server);
    try {
      const { api } = connection;
      const created = await api.create(body(['a', 'b']));
      expect(created.id).toBe('msgbatch_mock_1');
      expect(totalOf(created.request_counts)).toBe(2);
      const ended = await api.retrieve(created.id);
      expect(ended.processing_status).toBe('ended');
      expect(ended.results_url).toBe(`${server.url}/v1/messages/batches/msgbatch_mock_1/results`);
      const lines: ResultItem[] = [];
      await api.results(ended, (item) => lines.push(item));
      expect(lines.map((item) => item.ok && item.line.custom_id).sort()).toEqual(['a', 'b']);
      expect((await api.listSince(0)).map((batch) => batch.id)).toEqual(['msgbatch_mock_1']);
      const paths = server.requests.map((r) => `${r.method} ${r.path}`);
      expect(paths).toEqual([
        'POST /v1/messages/batches',
        'GET /v1/messages/batches/msgbatch_mock_1',
        'GET /v1/messages/batches/msgbatch_mock_1/results',
        'GET /v1/messages/batches?limit=100',
      ]);
      expect(server.requests[0]?.headers['x-api-key']).toBe(TEST_KEY);
    } finally {
      await connection.close();
    }
  });

  it("speaks AI/ML API's: POST /v1/batches, GET ?batch_id= for the batch and then its results, POST /cancel/ID, Bearer auth", async ({
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: 60_000 });
    const connection = await connectTo(server, 'aimlapi');
    try {
      const { api } = connection;
      expect(api.canList).toBe(false);
      const created = await api.create(body(['a', 'b', 'c']));
      expect((await api.retrieve(created.id)).processing_status).toBe('in_progress');
      expect((await api.cancel(created.id)).processing_status).not.toBe('in_progress');
      const ended = await api.retrieve(created.id);
      expect(ended).toMatchObject({ processing_status: 'ended', request_counts: null });
      const types: string[] = [];
      await api.results(ended, (item) => types.push(item.ok ? item.line.result.type : 'bad'));
      expect(types).toEqual(['canceled', 'canceled', 'canceled']);
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /v1/batches',
        'GET /v1/batches?batch_id=msgbatch_mock_1',
        'POST /v1/batches/cancel/msgbatch_mock_1',
        'GET /v1/batches?batch_id=msgbatch_mock_1',
        'GET /v1/batches?batch_id=msgbatch_mock_1',
      ]);
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    } finally {
      await connection.close();
    }
  });

  it('retries 529 and 500 on every call, as for a message', async ({ serve }) => {
    let failures = 0;
    const server = await serve({
      batchProcessingMs: 0,
      fault: (request) =>
        request.method === 'GET' && failures++ < 3
          ? failures % 2
            ? faults.overloaded()
            : faults.internalError()
          : undefined,
    });
    const connection = await connectTo(server);
    try {
      const created = await connection.api.create(body(['a']));
      expect((await connection.api.retrieve(created.id)).processing_status).toBe('ended');
      expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(4);
    } finally {
      await connection.close();
    }
  });

  it('gives up on a refused call with one line naming it, the key redacted', async ({ serve }) => {
    const server = await serve({
      fault: () => faults.apiError(401, 'authentication_error', `invalid x-api-key ${TEST_KEY}`),
    });
    const connection = await connectTo(server);
    try {
      const failure = await connection.api.retrieve('msgbatch_x').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BatchJobError);
      expect((failure as Error).message).toBe(
        `GET ${server.url}/v1/messages/batches/msgbatch_x: 401 authentication_error: invalid x-api-key [redacted] (request-id req_mock_1)`,
      );
      expect(server.requests).toHaveLength(1);
    } finally {
      await connection.close();
    }
  });

  it('reads results with CRLF line ends and blank lines, in any order, and reports a line that is not a result', async ({
    serve,
  }) => {
    const served = [
      JSON.stringify({ custom_id: 'z', result: { type: 'expired' } }),
      '',
      JSON.stringify({ custom_id: 'a', result: succeeded('a', 1, 'hi').result }),
      '{"no":"id"}',
      JSON.stringify({
        custom_id: 'm',
        result: { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: 'x' } } },
      }),
    ].join('\r\n');
    const server = await serve({
      batchProcessingMs: 0,
      fault: (request) =>
        request.path.endsWith('/results')
          ? faults.rawResponse(200, 'application/x-jsonl', served)
          : undefined,
    });
    const connection = await connectTo(server);
    try {
      const created = await connection.api.create(body(['a']));
      const items: ResultItem[] = [];
      await connection.api.results(await connection.api.retrieve(created.id), (item) => items.push(item));
      expect(
        items.map((item) => (item.ok ? `${item.line.custom_id}:${item.line.result.type}` : item.reason)),
      ).toEqual(['z:expired', 'a:succeeded', 'not a result line (no "custom_id"): {"no":"id"}', 'm:errored']);
    } finally {
      await connection.close();
    }
  });

  it('stops a download at a results line over --max-response-bytes', async ({ serve }) => {
    const long = JSON.stringify({
      custom_id: 'a',
      result: succeeded('a', 1, 'x'.repeat(5000)).result,
    });
    const server = await serve({
      batchProcessingMs: 0,
      fault: (request) =>
        request.path.endsWith('/results')
          ? faults.rawResponse(200, 'application/x-jsonl', `${long}\n`)
          : undefined,
    });
    const connection = await connectTo(server, 'anthropic', 2000);
    try {
      const created = await connection.api.create(body(['a']));
      const ended = await connection.api.retrieve(created.id);
      const failure = await connection.api.results(ended, () => {}).catch((error: unknown) => error);
      expect((failure as Error).message).toMatch(
        /results: 200: response body larger than --max-response-bytes 2000/,
      );
    } finally {
      await connection.close();
    }
  });

  it('never sends the key to a results_url on another host', async ({ serve }) => {
    const server = await serve();
    const connection = await connectTo(server);
    try {
      const foreign = {
        id: 'msgbatch_1',
        processing_status: 'ended' as const,
        request_counts: null,
        created_at: null,
        ended_at: null,
        expires_at: null,
        cancel_initiated_at: null,
        results_url: 'https://elsewhere.example/results/msgbatch_1',
      };
      await expect(connection.api.results(foreign, () => {})).rejects.toThrow(
        `batch msgbatch_1: results_url is on another host (https://elsewhere.example); lp-batch sends the key only to ${server.url}`,
      );
      expect(server.requests).toHaveLength(0);
    } finally {
      await connection.close();
    }
  });
});
