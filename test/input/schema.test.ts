import { describe, expect, it } from 'vitest';
import { validateParams } from '../../src/input/schema.js';
import { showValue } from '../../src/input/schema-kit.js';
import { issuesOf, request } from './support.js';

/** A request whose only message holds `blocks`. */
function withBlocks(...blocks: unknown[]): Record<string, unknown> {
  return request({ messages: [{ role: 'user', content: blocks }] });
}

const PNG = { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' };

describe('validateParams on a valid request', () => {
  it('returns the very object it was given, with no unknown keys and no warnings', () => {
    const params = request({ temperature: 0.2, stream: true });
    const result = validateParams(params);
    expect(result).toEqual({ ok: true, params, unknownKeys: [], warnings: [] });
    expect(result.ok && result.params).toBe(params);
    expect(Object.keys(params)).toEqual(['model', 'max_tokens', 'messages', 'temperature', 'stream']);
  });

  it('passes an unknown top-level param through untouched and lists it', () => {
    const params = request({ output_config: { effort: 'low' }, inference_geo: 'us' });
    const result = validateParams(params);
    expect(result).toEqual({
      ok: true,
      params,
      unknownKeys: ['output_config', 'inference_geo'],
      warnings: [],
    });
    expect(params.output_config).toEqual({ effort: 'low' });
  });

  it('accepts every known optional top-level param', () => {
    const params = request({
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      stop_sequences: ['\n\nHuman:'],
      stream: false,
      temperature: 1.5,
      top_p: 0.9,
      top_k: 0,
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } },
        { type: 'custom', name: 'lookup', input_schema: { type: 'object' }, cache_control: null },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      ],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
      metadata: { user_id: null, team: 'x' },
      thinking: { type: 'enabled', budget_tokens: 1024 },
      service_tier: 'standard_only',
      max_tokens: 2048,
    });
    expect(validateParams(params)).toEqual({ ok: true, params, unknownKeys: [], warnings: [] });
  });

  it('accepts each tool_choice and thinking type', () => {
    for (const type of ['auto', 'any', 'none']) {
      expect(validateParams(request({ tool_choice: { type } })).ok).toBe(true);
    }
    for (const thinking of [
      { type: 'disabled' },
      { type: 'adaptive' },
      { type: 'enabled', budget_tokens: 8000 },
    ]) {
      expect(validateParams(request({ thinking, max_tokens: 16_000 })).ok).toBe(true);
    }
  });

  it('validates a 2 MB base64 image without changing it', () => {
    const data = 'A'.repeat(2 * 1024 * 1024);
    const params = withBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data } });
    const result = validateParams(params);
    expect(result.ok && result.params).toBe(params);
  });

  it('sends a block of an unknown type as is, with a warning naming its path', () => {
    const params = withBlocks({ type: 'text', text: 'a' }, { type: 'mcp_tool_use', id: 'm_1' });
    expect(validateParams(params)).toEqual({
      ok: true,
      params,
      unknownKeys: [],
      warnings: [
        { path: 'params.messages[0].content[1]', message: 'unknown block type "mcp_tool_use", sent as is' },
      ],
    });
  });

  it('warns about an unknown block nested in a tool result and an unknown thinking type', () => {
    const params = request({
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'x' }] }] },
      ],
      thinking: { type: 'between_tools' },
    });
    const result = validateParams(params);
    expect(result.ok && result.warnings).toEqual([
      {
        path: 'params.messages[0].content[0].content[0]',
        message: 'block type "x" is not known inside a tool_result, sent as is',
      },
      { path: 'params.thinking', message: 'unknown thinking type "between_tools", sent as is' },
    ]);
  });

  it('starts paths with the prefix it is given', () => {
    const result = validateParams({ ...request(), max_tokens: 0 }, 'body');
    expect(issuesOf(result)).toEqual(['body.max_tokens: expected a positive integer, got 0']);
  });
});

describe('validateParams on required fields', () => {
  it.each(['model', 'max_tokens', 'messages'])('reports a missing %s as required', (field) => {
    const params = request();
    delete params[field];
    expect(issuesOf(validateParams(params))).toEqual([`params.${field}: required`]);
  });

  it('reports every missing field of an empty object at once', () => {
    expect(issuesOf(validateParams({}))).toEqual([
      'params.model: required',
      'params.max_tokens: required',
      'params.messages: required',
    ]);
  });

  it('reports a missing role and a missing content of a message', () => {
    const result = validateParams(request({ messages: [{ content: 'a' }, { role: 'user' }] }));
    expect(issuesOf(result)).toEqual([
      'params.messages[0].role: required',
      'params.messages[1].content: required',
    ]);
  });

  it('rejects params that are not an object', () => {
    expect(issuesOf(validateParams(['a']))).toEqual(['params: expected an object, got ["a"]']);
    expect(issuesOf(validateParams(null))).toEqual(['params: expected an object, got null']);
  });
});

describe('validateParams on a field of the wrong type', () => {
  it.each<[string, unknown, string]>([
    ['model', '', 'expected a non-empty string, got ""'],
    ['model', 5, 'expected a non-empty string, got 5'],
    ['max_tokens', '64', 'expected a positive integer, got "64"'],
    ['max_tokens', 1.5, 'expected a positive integer, got 1.5'],
    ['max_tokens', 0, 'expected a positive integer, got 0'],
    ['messages', [], 'expected a non-empty array of messages, got []'],
    ['messages', 'hi', 'expected a non-empty array of messages, got "hi"'],
    ['system', 5, 'expected a string or an array of text blocks, got 5'],
    ['stop_sequences', 'END', 'expected an array of strings, got "END"'],
    ['stream', 'true', 'expected a boolean, got "true"'],
    ['temperature', 2.5, 'expected a number from 0 to 2, got 2.5'],
    ['temperature', -0.1, 'expected a number from 0 to 2, got -0.1'],
    ['top_p', 1.1, 'expected a number from 0 to 1, got 1.1'],
    ['top_k', -1, 'expected a non-negative integer, got -1'],
    ['top_k', 2.5, 'expected a non-negative integer, got 2.5'],
    ['tools', {}, 'expected an array of tools, got {}'],
    ['tool_choice', 'auto', 'expected a tool_choice object, got "auto"'],
    ['metadata', 'u1', 'expected an object, got "u1"'],
    ['thinking', true, 'expected a thinking object, got true'],
    ['service_tier', 1, 'expected a string, got 1'],
  ])('rejects %s = %j', (field, value, message) => {
    expect(issuesOf(validateParams(request({ [field]: value })))).toEqual([`params.${field}: ${message}`]);
  });

  it.each<[string, unknown, string]>([
    ['messages[0].role', { role: 'bot', content: 'a' }, 'expected one of "user" | "assistant", got "bot"'],
    [
      'messages[0].content',
      { role: 'user', content: 5 },
      'expected a string or an array of content blocks, got 5',
    ],
    ['messages[0]', 'hello', 'expected an object, got "hello"'],
  ])('reports params.%s for a bad message', (path, message, expected) => {
    expect(issuesOf(validateParams(request({ messages: [message] })))).toEqual([
      `params.${path}: ${expected}`,
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'thinking.budget_tokens',
      { thinking: { type: 'enabled', budget_tokens: 1023 } },
      'expected an integer >= 1024, got 1023',
    ],
    ['thinking.budget_tokens', { thinking: { type: 'enabled' } }, 'required'],
    ['thinking.type', { thinking: { budget_tokens: 2048 } }, 'required'],
    ['tool_choice.name', { tool_choice: { type: 'tool' } }, 'required'],
    [
      'tool_choice.type',
      { tool_choice: { type: 'some' } },
      'expected one of "auto" | "any" | "none" | "tool", got "some"',
    ],
    [
      'tool_choice.disable_parallel_tool_use',
      { tool_choice: { type: 'any', disable_parallel_tool_use: 1 } },
      'expected a boolean, got 1',
    ],
    ['tools[0].input_schema', { tools: [{ name: 'f' }] }, 'required'],
    [
      'tools[0].name',
      { tools: [{ name: '', input_schema: {} }] },
      'expected 1 to 128 of a-z A-Z 0-9 _ -, got ""',
    ],
    [
      'tools[0].description',
      { tools: [{ name: 'f', description: 3, input_schema: {} }] },
      'expected a string, got 3',
    ],
    ['tools[1].name', { tools: [{ name: 'f', input_schema: {} }, { type: 'bash_20250124' }] }, 'required'],
    ['tools[0].type', { tools: [{ type: 7, name: 'f' }] }, 'expected a string, got 7'],
    ['metadata.user_id', { metadata: { user_id: 42 } }, 'expected a string or null, got 42'],
    ['system[0].type', { system: [{ type: 'image', source: PNG }] }, 'expected "text", got "image"'],
    ['system[1].text', { system: [{ type: 'text', text: 'a' }, { type: 'text' }] }, 'required'],
    ['stop_sequences[1]', { stop_sequences: ['a', 3] }, 'expected a string, got 3'],
  ])('reports params.%s', (path, extra, message) => {
    expect(issuesOf(validateParams(request(extra)))).toEqual([`params.${path}: ${message}`]);
  });
});

describe('validateParams on content blocks', () => {
  const document = (source: unknown, extra = {}) => ({ type: 'document', source, ...extra });
  const valid: Array<[string, unknown]> = [
    ['text', { type: 'text', text: 'a', citations: null, cache_control: { type: 'ephemeral' } }],
    ['image base64', { type: 'image', source: PNG }],
    ['image url', { type: 'image', source: { type: 'url', url: 'https://x/a.png' } }],
    ['image file', { type: 'image', source: { type: 'file', file_id: 'file_1' } }],
    [
      'document base64',
      document({ type: 'base64', media_type: 'application/pdf', data: 'JVBE' }, { title: 'T' }),
    ],
    [
      'document text',
      document({ type: 'text', media_type: 'text/plain', data: 'a' }, { citations: { enabled: true } }),
    ],
    ['document url', document({ type: 'url', url: 'https://x/a.pdf' }, { context: null })],
    ['document content', document({ type: 'content', content: [{ type: 'text', text: 'a' }] })],
    ['document file', document({ type: 'file', file_id: 'file_1' })],
    [
      'search_result',
      { type: 'search_result', source: 's', title: 't', content: [{ type: 'text', text: 'a' }] },
    ],
    ['tool_use', { type: 'tool_use', id: 'toolu_1', name: 'f', input: { q: 1 } }],
    ['tool_result', { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok', is_error: false }],
    [
      'tool_result with blocks',
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'image', source: PNG }] },
    ],
    ['thinking', { type: 'thinking', thinking: 'hmm', signature: 'sig' }],
    ['redacted_thinking', { type: 'redacted_thinking', data: 'abc' }],
  ];

  it.each(valid)('accepts a valid %s block', (_name, block) => {
    const params = withBlocks(block);
    expect(validateParams(params)).toEqual({ ok: true, params, unknownKeys: [], warnings: [] });
  });

  it('keeps extra fields of a block', () => {
    const block = { type: 'text', text: 'a', future_field: { x: 1 } };
    const result = validateParams(withBlocks(block));
    expect(result.ok).toBe(true);
    expect(block.future_field).toEqual({ x: 1 });
  });

  const invalid: Array<[string, unknown, string, string]> = [
    ['text', { type: 'text', text: 5 }, '.text', 'expected a non-empty string, got 5'],
    [
      'text cache_control',
      { type: 'text', text: 'a', cache_control: { type: 'ephemeral', ttl: '2h' } },
      '.cache_control.ttl',
      'expected one of "5m" | "1h", got "2h"',
    ],
    [
      'image',
      { type: 'image', source: { ...PNG, media_type: 'image/bmp' } },
      '.source.media_type',
      'expected one of "image/jpeg" | "image/png" | "image/gif" | "image/webp", got "image/bmp"',
    ],
    [
      'image source',
      { type: 'image', source: { type: 'path', path: '/a' } },
      '.source.type',
      'expected one of "base64" | "url" | "file", got "path"',
    ],
    [
      'document',
      document({ type: 'base64', media_type: 'image/png', data: 'a' }),
      '.source.media_type',
      'expected "application/pdf", got "image/png"',
    ],
    [
      'document title',
      document({ type: 'url', url: 'u' }, { title: 5 }),
      '.title',
      'expected a string or null, got 5',
    ],
    [
      'document content',
      document({ type: 'content', content: [{ type: 'text' }] }),
      '.source.content[0].text',
      'required',
    ],
    [
      'search_result',
      { type: 'search_result', source: 's', title: 't', content: 'a' },
      '.content',
      'expected an array of text blocks, got "a"',
    ],
    [
      'tool_use',
      { type: 'tool_use', id: 'toolu_1', name: 'f', input: [] },
      '.input',
      'expected an object, got []',
    ],
    [
      'tool_result',
      { type: 'tool_result', tool_use_id: 'toolu_1', is_error: 'no' },
      '.is_error',
      'expected a boolean, got "no"',
    ],
    ['thinking', { type: 'thinking', thinking: 'hmm' }, '.signature', 'required'],
    ['redacted_thinking', { type: 'redacted_thinking', data: null }, '.data', 'expected a string, got null'],
    ['block without a type', { text: 'a' }, '.type', 'required'],
    ['block that is not an object', 'a', '', 'expected a content block object, got "a"'],
  ];

  it.each(invalid)('rejects an invalid %s block at the field', (_name, block, path, message) => {
    expect(issuesOf(validateParams(withBlocks({ type: 'text', text: 'ok' }, block)))).toEqual([
      `params.messages[0].content[1]${path}: ${message}`,
    ]);
  });

  it('reports a path several levels deep exactly', () => {
    const params = request({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't',
              content: [
                { type: 'text', text: 'c' },
                { type: 'image', source: { type: 'base64', data: 'x' } },
              ],
            },
          ],
        },
      ],
    });
    expect(issuesOf(validateParams(params))).toEqual([
      'params.messages[2].content[0].content[1].source.media_type: required',
    ]);
  });

  it('reports every bad block, not only the first', () => {
    const result = validateParams(
      withBlocks({ type: 'text' }, { type: 'unknown_kind' }, { type: 'tool_use', id: 'i', name: 'n' }),
    );
    expect(issuesOf(result)).toEqual([
      'params.messages[0].content[0].text: required',
      'params.messages[0].content[2].input: required',
    ]);
  });
});

describe('showValue', () => {
  it('cuts a long string to about 60 characters', () => {
    const shown = showValue('x'.repeat(2_000_000));
    expect(shown).toBe(`"${'x'.repeat(59)}...`);
  });

  it('says a number is too large where JSON.stringify would say null', () => {
    expect(showValue(Number.POSITIVE_INFINITY)).toBe('a number too large');
    expect(showValue([Number.NEGATIVE_INFINITY])).toBe('[a negative number too large]');
  });

  it('cuts a value nested 100,000 deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(showValue(deep)).toBe(`${'['.repeat(60)}...`);
  });

  it('encodes small values whole and cuts a big object', () => {
    expect(showValue({ a: [1, 'b'], c: null })).toBe('{"a":[1,"b"],"c":null}');
    expect(showValue(undefined)).toBe('nothing');
    const shown = showValue({ type: 'image', source: { type: 'base64', data: 'A'.repeat(1_000_000) } });
    expect(shown).toBe('{"type":"image","source":{"type":"base64","data":"AAAAAAAAAA...');
    expect(shown.length).toBe(63);
  });
});
