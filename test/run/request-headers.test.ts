/**
 * `header` (`--header 'Name: value'`): sent with every request, never instead of the key's own
 * header; never from a line of the input. An interleaved-thinking beta lifts the rule that
 * `thinking.budget_tokens` be below `max_tokens`, here and in the simulator alike.
 */
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines, TEST_KEY } from '../helpers/run-helpers.js';

const THINKING = { max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 2048 } };
const INTERLEAVED = 'anthropic-beta: interleaved-thinking-2025-05-14';

describe('request headers', () => {
  it('sends every header given, names in lower case, repeated names joined', async ({ dir, serve }) => {
    const server = await serve();
    const { results } = await runLines(server, dir, [requestLine('a', 'x')], {
      header: ['Anthropic-Beta: a', 'x-route: eu', 'anthropic-beta: b', 'user-agent: mine/1'],
    });
    expect(results[0]?.result.type).toBe('succeeded');
    expect(server.requests[0]?.headers).toMatchObject({
      'anthropic-beta': 'a, b',
      'x-route': 'eu',
      'user-agent': 'mine/1',
      'x-api-key': TEST_KEY,
      'anthropic-version': '2023-06-01',
    });
  });

  it('refuses the key headers before any request', async ({ dir, serve }) => {
    const server = await serve();
    await expect(
      runLines(server, dir, [requestLine('a', 'x')], { header: ['authorization: Bearer other'] }),
    ).rejects.toThrow(UsageError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a line that tries to set headers, in every format, without sending it', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const params = {
      model: 'claude-3-haiku-20240307',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    };
    const lines = [
      JSON.stringify({ custom_id: 'a', params, headers: { 'x-api-key': 'other' } }),
      JSON.stringify({ custom_id: 'b', params: { ...params, extra_headers: { 'anthropic-beta': 'x' } } }),
      JSON.stringify({ ...params, headers: {} }),
      JSON.stringify({ custom_id: 'd', method: 'POST', url: '/v1/messages', body: params, headers: {} }),
    ];
    const { results } = await runLines(server, dir, lines);
    expect(server.requests).toHaveLength(0);
    const messages = (results as unknown as AnyResult[]).map((r) =>
      r.result.error.error.message.replace(/^.*\//, ''),
    );
    const end = "a line may not set request headers; give them to every request with --header 'Name: value'";
    expect(messages).toEqual([
      `in.jsonl:1: headers: ${end}`,
      `in.jsonl:2: params.extra_headers: ${end}`,
      `in.jsonl:3: params.headers: ${end}`,
      `in.jsonl:4: headers: ${end}`,
    ]);
    expect(results.every((r) => 'error_kind' in r && r.error_kind === 'invalid_input')).toBe(true);
  });

  it('refuses budget_tokens >= max_tokens locally, unless an interleaved-thinking beta is sent', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const refused = await runLines(server, dir, [requestLine('t', 'think', THINKING)]);
    expect(server.requests).toHaveLength(0);
    expect((refused.results[0] as unknown as AnyResult).result.error.error.message).toMatch(
      /in\.jsonl:1: params\.thinking\.budget_tokens: expected an integer below max_tokens \(1024\), got 2048$/,
    );

    const sent = await runLines(server, dir, [requestLine('t', 'think', THINKING)], {
      header: ['anthropic-beta: tools-2024-04-04', INTERLEAVED],
      overwrite: true,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers['anthropic-beta']).toBe(
      'tools-2024-04-04, interleaved-thinking-2025-05-14',
    );
    expect(sent.results[0]?.result.type).toBe('succeeded');
  });
});
