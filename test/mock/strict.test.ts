import { describe, expect } from 'vitest';
import { validateParams } from '../../src/input/schema.js';
import { countMockInputTokens } from '../../src/mock/tokens.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { call, params } from './support.js';

/** POST `body` to `path` of one simulator per test (started by the first call). */
function sender(serve: RunFixtures['serve']) {
  let url: Promise<string> | undefined;
  return async (path: string, body: unknown) => {
    url ??= serve().then((server) => server.url);
    const res = await call(await url, 'POST', path, body);
    return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
  };
}

describe('the simulator is as strict as lp-batch', () => {
  const rejected: [string, Record<string, unknown>, string][] = [
    ['a system role in messages', { messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    ['max_tokens 0', { max_tokens: 0 }, 'max_tokens'],
    ['a string max_tokens', { max_tokens: '64' }, 'max_tokens'],
    ['an empty messages array', { messages: [] }, 'messages'],
    ['a temperature of 5', { temperature: 5 }, 'temperature'],
    ['an unknown tool_choice', { tool_choice: { type: 'sometimes' } }, 'tool_choice.type'],
    [
      'thinking with a tiny budget',
      { thinking: { type: 'enabled', budget_tokens: 10 } },
      'thinking.budget_tokens',
    ],
  ];
  for (const [what, override, path] of rejected) {
    it(`rejects ${what} with 400 invalid_request_error naming ${path}, as validateParams does`, async ({
      serve,
    }) => {
      const send = sender(serve);
      const body = params(override);
      const local = validateParams(body, '');
      expect(local.ok).toBe(false);
      const answer = await send('/v1/messages', body);
      expect(answer.status).toBe(400);
      const error = answer.body.error as { type: string; message: string };
      expect(error.type).toBe('invalid_request_error');
      expect(error.message.startsWith(`${path}: `)).toBe(true);
      if (!local.ok) expect(error.message).toContain(local.issues[0]?.message ?? '?');
    });
  }

  it('passes unknown top-level parameters through, as the API does', async ({ serve }) => {
    const send = sender(serve);
    const answer = await send(
      '/v1/messages',
      params({ output_config: { effort: 'low' }, inference_geo: 'us' }),
    );
    expect(answer.status).toBe(200);
  });

  it('answers 413 request_too_large for a body over 32 MB', async ({ serve }) => {
    const send = sender(serve);
    const big = params({ messages: [{ role: 'user', content: 'x'.repeat(32 * 1024 * 1024) }] });
    const answer = await send('/v1/messages', big);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({ type: 'request_too_large' });
  });
});

describe('POST /v1/messages/count_tokens', () => {
  const request = {
    model: 'claude-sonnet-4-5',
    system: 'You answer in one word.',
    tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  };

  it('answers the input tokens by the same rule as usage, with no max_tokens needed', async ({ serve }) => {
    const send = sender(serve);
    const answer = await send('/v1/messages/count_tokens', request);
    expect(answer.status).toBe(200);
    const expected =
      Math.ceil(JSON.stringify(request.tools[0]).length / 4) +
      Math.ceil('You answer in one word.'.length / 4) +
      Math.ceil('What is the capital of France?'.length / 4);
    expect(answer.body).toEqual({ input_tokens: expected });
    expect(expected).toBe(countMockInputTokens({ ...request, max_tokens: 1 }));
  });

  it('equals input + cache creation + cache read of the same request sent to /v1/messages', async ({
    serve,
  }) => {
    const send = sender(serve);
    const cached = {
      ...request,
      system: [{ type: 'text', text: 'y'.repeat(5000), cache_control: { type: 'ephemeral' } }],
    };
    const counted = await send('/v1/messages/count_tokens', cached);
    const message = await send('/v1/messages', { ...cached, max_tokens: 10 });
    const usage = message.body.usage as Record<string, number>;
    expect(usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(counted.body.input_tokens).toBe(
      (usage.input_tokens ?? 0) +
        (usage.cache_creation_input_tokens ?? 0) +
        (usage.cache_read_input_tokens ?? 0),
    );
  });

  it('counts a request with extended thinking, whose budget no max_tokens bounds here', async ({ serve }) => {
    const send = sender(serve);
    const answer = await send('/v1/messages/count_tokens', {
      ...request,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.input_tokens).toEqual(expect.any(Number));
  });

  it('rejects an invalid body with 400 naming the field', async ({ serve }) => {
    const send = sender(serve);
    const answer = await send('/v1/messages/count_tokens', {
      ...request,
      messages: [{ role: 'system', content: 'x' }],
    });
    expect(answer.status).toBe(400);
    expect((answer.body.error as { message: string }).message).toMatch(/^messages\[0\]\.role: /);
  });
});
