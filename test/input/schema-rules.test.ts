import { describe, expect, it } from 'vitest';
import { type RuleOptions, validateParams } from '../../src/input/schema.js';
import { namesInterleavedThinking } from '../../src/input/schema-rules.js';
import { issuesOf, request } from './support.js';

function expectAccepted(params: Record<string, unknown>, options: RuleOptions = {}) {
  expect(validateParams(params, 'params', options)).toEqual({
    ok: true,
    params,
    unknownKeys: [],
    warnings: [],
  });
}

const tool = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  input_schema: { type: 'object', properties: {} },
  ...extra,
});

describe('validateParams refuses what the API surely refuses', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'an empty text block',
      { messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] },
      'params.messages[0].content[0].text: expected a non-empty string, got ""',
    ],
    [
      'an empty text block in the system prompt',
      { system: [{ type: 'text', text: '' }] },
      'params.system[0].text: expected a non-empty string, got ""',
    ],
    [
      'an empty text block in a tool result',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: '' }] }],
          },
        ],
      },
      'params.messages[0].content[0].content[0].text: expected a non-empty string, got ""',
    ],
    [
      'an empty string content',
      { messages: [{ role: 'user', content: '' }] },
      'params.messages[0].content: expected non-empty content (only a final assistant turn may be empty), got ""',
    ],
    [
      'an empty content array',
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [] },
          { role: 'user', content: 'b' },
        ],
      },
      'params.messages[1].content: expected non-empty content (only a final assistant turn may be empty), got []',
    ],
    [
      'an unknown key in a message',
      { messages: [{ role: 'user', content: 'a', name: 'Bob' }] },
      'params.messages[0].name: expected only "role" and "content" in a message, got "Bob"',
    ],
    [
      'cache_control on a message rather than on a block',
      { messages: [{ role: 'user', content: 'a', cache_control: { type: 'ephemeral' } }] },
      'params.messages[0].cache_control: expected only "role" and "content" in a message, got {"type":"ephemeral"}',
    ],
    [
      'a thinking budget equal to max_tokens',
      { max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } },
      'params.thinking.budget_tokens: expected an integer below max_tokens (2048), got 2048',
    ],
    [
      'a thinking budget above max_tokens',
      { max_tokens: 1500, thinking: { type: 'enabled', budget_tokens: 4000 } },
      'params.thinking.budget_tokens: expected an integer below max_tokens (1500), got 4000',
    ],
    [
      'a tool name with a space',
      { tools: [tool('get weather')] },
      'params.tools[0].name: expected 1 to 128 of a-z A-Z 0-9 _ -, got "get weather"',
    ],
    [
      'a tool name with a dot',
      { tools: [tool('svc.lookup')] },
      'params.tools[0].name: expected 1 to 128 of a-z A-Z 0-9 _ -, got "svc.lookup"',
    ],
    [
      'a tool name of 129 characters',
      { tools: [tool('a'.repeat(129))] },
      `params.tools[0].name: expected 1 to 128 of a-z A-Z 0-9 _ -, got "${'a'.repeat(59)}...`,
    ],
    [
      'two tools of one name',
      { tools: [tool('f'), tool('g'), tool('f')] },
      'params.tools[2].name: expected a name no other tool has, got "f" (the name of params.tools[0] too)',
    ],
    [
      'a custom tool named like a server tool',
      { tools: [{ type: 'web_search_20250305', name: 'web_search' }, tool('web_search')] },
      'params.tools[1].name: expected a name no other tool has, got "web_search" (the name of params.tools[0] too)',
    ],
    [
      'an input_schema of another type than object',
      { tools: [tool('f', { input_schema: { type: 'array', items: {} } })] },
      'params.tools[0].input_schema.type: expected "object", got "array"',
    ],
  ])('refuses %s', (_name, extra, issue) => {
    expect(issuesOf(validateParams(request(extra)))).toEqual([issue]);
  });

  it('reports every such problem of a request at once, with the schema’s', () => {
    const params = request({
      max_tokens: 1024,
      messages: [
        { role: 'user', content: '', name: 'x' },
        { role: 'bot', content: 'a' },
      ],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [tool('f'), tool('f')],
    });
    expect(issuesOf(validateParams(params))).toEqual([
      'params.messages[1].role: expected one of "user" | "assistant", got "bot"',
      'params.messages[0].name: expected only "role" and "content" in a message, got "x"',
      'params.messages[0].content: expected non-empty content (only a final assistant turn may be empty), got ""',
      'params.thinking.budget_tokens: expected an integer below max_tokens (1024), got 1024',
      'params.tools[1].name: expected a name no other tool has, got "f" (the name of params.tools[0] too)',
    ]);
  });
});

describe('validateParams accepts what the API accepts', () => {
  it.each<[string, Record<string, unknown>]>([
    [
      'an assistant prefill as the last turn',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'The answer is' },
        ],
      },
    ],
    [
      'an empty final assistant turn',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: '' },
        ],
      },
    ],
    [
      'an empty final assistant array',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [] },
        ],
      },
    ],
    [
      'cache_control on blocks, tools and the system prompt',
      {
        system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral' } }] },
        ],
        tools: [tool('f', { cache_control: { type: 'ephemeral' } })],
      },
    ],
    [
      'server tools without input_schema',
      { tools: [{ type: 'web_search_20250305', name: 'web_search' }, tool('f')] },
    ],
    [
      'a tool name of 128 characters (the API took 64 until mid-2025)',
      { tools: [tool(`${'a'.repeat(64)}-_${'Z9'.repeat(31)}`)] },
    ],
    ['an input_schema without a type', { tools: [tool('f', { input_schema: { properties: {} } })] }],
    [
      'a thinking budget below max_tokens',
      { max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2047 } },
    ],
    ['adaptive thinking with a small max_tokens', { max_tokens: 16, thinking: { type: 'adaptive' } }],
    [
      'an empty tool result',
      { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: '' }] }] },
    ],
    ['an empty system prompt', { system: '' }],
  ])('accepts %s', (_name, extra) => {
    expectAccepted(request(extra));
  });
});

describe('the interleaved-thinking beta', () => {
  it('is named by an anthropic-beta value that lists it, alone or among others', () => {
    expect(namesInterleavedThinking('interleaved-thinking-2025-05-14')).toBe(true);
    expect(namesInterleavedThinking('tools-2024-04-04, interleaved-thinking-2025-05-14')).toBe(true);
    expect(namesInterleavedThinking('tools-2024-04-04')).toBe(false);
    expect(namesInterleavedThinking('not-interleaved-thinking-2025-05-14')).toBe(false);
    expect(namesInterleavedThinking(undefined)).toBe(false);
  });

  it('lets budget_tokens reach past max_tokens, and changes no other rule', () => {
    const params = request({ max_tokens: 1500, thinking: { type: 'enabled', budget_tokens: 4000 } });
    expect(validateParams(params).ok).toBe(false);
    expectAccepted(params, { interleavedThinking: true });
    const other = request({
      max_tokens: 1500,
      thinking: { type: 'enabled', budget_tokens: 4000 },
      tools: [tool('a b')],
    });
    expect(issuesOf(validateParams(other, 'params', { interleavedThinking: true }))).toEqual([
      'params.tools[0].name: expected 1 to 128 of a-z A-Z 0-9 _ -, got "a b"',
    ]);
  });
});
