/** The official SDK pointed at the simulator with `baseURL`: what a user of the SDK would do. */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect } from 'vitest';
import { buildMockMessage } from '../../src/mock/reply.js';
import type { MockServer, MockServerOptions } from '../../src/mock/server.js';
import { countMockInputTokens } from '../../src/mock/tokens.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { manualClock, params } from './support.js';

let server: MockServer | undefined;

async function sdk(serve: RunFixtures['serve'], options: MockServerOptions = {}): Promise<Anthropic> {
  server = await serve(options);
  return new Anthropic({ apiKey: 'mock-key', baseURL: server.url, maxRetries: 0 });
}

const request = params({
  system: 'Be brief.',
  tools: [
    {
      name: 'get_weather',
      input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
});

describe('the official SDK against the simulator', () => {
  it('messages.create gets the deterministic reply', async ({ serve }) => {
    const client = await sdk(serve);
    const message = await client.messages.create({ ...request, stream: false } as never);
    expect(message).toEqual(buildMockMessage(request, 1));
    expect(server?.requests[0]?.headers.authorization).toBe('Bearer mock-key');
  });

  it('messages.stream accumulates the same message, forced tool input included', async ({ serve }) => {
    const client = await sdk(serve);
    const forced = { ...request, tool_choice: { type: 'tool', name: 'get_weather' } };
    const stream = client.messages.stream(forced as never);
    const texts: string[] = [];
    stream.on('inputJson', (partial) => texts.push(partial));
    const message = await stream.finalMessage();
    // The SDK's stream adds its own fields (parsed_output, stop_details); the API's are equal.
    expect(message).toMatchObject(buildMockMessage(forced, 1));
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'toolu_mock_get_weather', name: 'get_weather', input: { city: 'mock city' } },
    ]);
    expect(texts.join('')).toBe('{"city":"mock city"}');
  });

  it('messages.countTokens answers the count usage would give', async ({ serve }) => {
    const client = await sdk(serve);
    const { max_tokens: _unused, ...body } = request;
    const counted = await client.messages.countTokens(body as never);
    expect(counted).toEqual({ input_tokens: countMockInputTokens(request) });
  });

  it('surfaces a 400 for role system as the SDK BadRequestError', async ({ serve }) => {
    const client = await sdk(serve);
    const bad = params({ messages: [{ role: 'system', content: 'x' }] });
    await expect(client.messages.create(bad as never)).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error' } },
    });
  });

  it('messages.batches create, retrieve and results work, results in an order drawn from the seed', async ({
    serve,
  }) => {
    const clock = manualClock();
    const client = await sdk(serve, { clock, seed: 5, batchProcessingMs: 60_000 });
    const requests = Array.from({ length: 6 }, (_, i) => ({
      custom_id: `q${i}`,
      params: params({ messages: [{ role: 'user', content: `Question ${i}` }] }),
    }));
    const created = await client.messages.batches.create({ requests } as never);
    expect(created).toMatchObject({
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 6, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      results_url: null,
      ended_at: null,
      created_at: new Date(clock.now()).toISOString(),
      expires_at: new Date(clock.now() + 24 * 3600_000).toISOString(),
    });
    clock.advance(60_000);
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended).toMatchObject({
      processing_status: 'ended',
      request_counts: { processing: 0, succeeded: 6 },
      ended_at: new Date(clock.now()).toISOString(),
      results_url: `${server?.url}/v1/messages/batches/${created.id}/results`,
    });
    const lines = [];
    for await (const line of await client.messages.batches.results(created.id)) lines.push(line);
    expect(lines.map((line) => line.custom_id).sort()).toEqual(requests.map((r) => r.custom_id));
    expect(lines.map((line) => line.custom_id)).not.toEqual(requests.map((r) => r.custom_id));
    for (const line of lines) {
      const index = Number(line.custom_id.slice(1));
      expect(line.result).toEqual({
        type: 'succeeded',
        message: buildMockMessage(requests[index]!.params, `msg_mock_1_${index}`),
      });
    }
  });

  it('messages.batches.cancel cancels the requests not done yet', async ({ serve }) => {
    const clock = manualClock();
    const client = await sdk(serve, { clock, batchProcessingMs: 1000, batchCancelMs: 500 });
    const requests = Array.from({ length: 4 }, (_, i) => ({ custom_id: `c${i}`, params: params() }));
    const created = await client.messages.batches.create({ requests } as never);
    clock.advance(500); // two of the four are done by now
    const canceling = await client.messages.batches.cancel(created.id);
    expect(canceling.processing_status).toBe('canceling');
    expect(canceling.cancel_initiated_at).toBe(new Date(clock.now()).toISOString());
    clock.advance(500);
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts).toEqual({
      processing: 0,
      succeeded: 2,
      errored: 0,
      canceled: 2,
      expired: 0,
    });
    const types = [];
    for await (const line of await client.messages.batches.results(created.id)) types.push(line.result.type);
    expect(types.sort()).toEqual(['canceled', 'canceled', 'succeeded', 'succeeded']);
  });
});
