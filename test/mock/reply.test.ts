import { describe, expect, it } from 'vitest';
import { buildMockMessage } from '../../src/mock/reply.js';
import { countMockInputTokens, countMockTokens } from '../../src/mock/tokens.js';
import { params } from './support.js';

const TAIL = ' This is a deterministic answer from the lp-batch simulator.';

describe('countMockTokens', () => {
  it('counts one token per started group of 4 code points', () => {
    expect(countMockTokens('')).toBe(0);
    expect(countMockTokens('abcd')).toBe(1);
    expect(countMockTokens('abcde')).toBe(2);
    // Four emoji are eight UTF-16 units but four code points: one token.
    expect(countMockTokens('😀😀😀😀')).toBe(1);
  });
});

describe('countMockInputTokens', () => {
  it('sums the tokens of each block: tools as JSON, system, message texts, other blocks as JSON', () => {
    const tools = [
      { name: 'lookup', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
    ];
    const image = { type: 'image', source: { type: 'url', url: 'https://x/y.png' } };
    const request = params({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hello there' }, image] },
        { role: 'assistant', content: 'Hi' },
      ],
      tools,
    });
    // cache_control is not counted: a breakpoint never changes the count.
    const tool = JSON.stringify({ name: 'lookup', input_schema: { type: 'object' } });
    const expected = [tool, 'Be brief.', 'Hello there', JSON.stringify(image), 'Hi']
      .map((text) => Math.ceil(text.length / 4))
      .reduce((a, b) => a + b);
    expect(countMockInputTokens(request)).toBe(expected);
    expect(expected).toBe(13 + 3 + 3 + 16 + 1);
  });
});

describe('buildMockMessage', () => {
  it('echoes the last user message and the model, with id msg_mock_<n>', () => {
    const request = params({
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'an answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'second ' },
            { type: 'text', text: 'question' },
          ],
        },
      ],
    });
    const message = buildMockMessage(request, 7);
    expect(message.id).toBe('msg_mock_7');
    expect(message.model).toBe('claude-mock-1');
    expect(message.content).toEqual([{ type: 'text', text: `Mock reply to: second question${TAIL}` }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.stop_sequence).toBeNull();
  });

  it('gives the same content and usage for the same params whatever n is', () => {
    const a = buildMockMessage(params(), 1);
    const b = buildMockMessage(params(), 2);
    expect(b.content).toEqual(a.content);
    expect(b.usage).toEqual(a.usage);
    expect(b.id).not.toBe(a.id);
  });

  it('reports usage by the documented rule, with zero cache counts', () => {
    const request = params({ system: 'You are terse.' });
    const message = buildMockMessage(request, 1);
    const text = `Mock reply to: Say hello to the batch runner${TAIL}`;
    expect(message.usage).toEqual({
      input_tokens:
        Math.ceil('You are terse.'.length / 4) + Math.ceil('Say hello to the batch runner'.length / 4),
      output_tokens: Math.ceil(text.length / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
  });

  it('echoes only the first 80 characters of a long prompt', () => {
    const prompt = 'x'.repeat(200);
    const message = buildMockMessage(params({ messages: [{ role: 'user', content: prompt }] }), 1);
    expect(message.content[0]?.text).toBe(`Mock reply to: ${'x'.repeat(80)}${TAIL}`);
  });

  it('cuts the reply to max_tokens tokens and says max_tokens', () => {
    const message = buildMockMessage(params({ max_tokens: 3 }), 1);
    expect(message.content).toEqual([{ type: 'text', text: 'Mock reply t' }]);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(3);
  });

  it('does not claim a cut when the reply fits max_tokens exactly', () => {
    const full = buildMockMessage(params(), 1);
    const exact = buildMockMessage(params({ max_tokens: full.usage.output_tokens }), 1);
    expect(exact.stop_reason).toBe('end_turn');
    expect(exact.content).toEqual(full.content);
  });

  it('stops at the earliest stop sequence and names it', () => {
    const message = buildMockMessage(params({ stop_sequences: ['runner', 'hello'] }), 1);
    expect(message.content).toEqual([{ type: 'text', text: 'Mock reply to: Say ' }]);
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('hello');
    expect(message.usage.output_tokens).toBe(countMockTokens('Mock reply to: Say '));
  });

  it('adds a signed thinking block when thinking is enabled and counts it as output', () => {
    const message = buildMockMessage(params({ thinking: { type: 'enabled', budget_tokens: 1024 } }), 1);
    const thinking = 'Thinking about: Say hello to the batch runner';
    const text = `Mock reply to: Say hello to the batch runner${TAIL}`;
    expect(message.content).toEqual([
      { type: 'thinking', thinking, signature: 'mock-signature' },
      { type: 'text', text },
    ]);
    expect(message.usage.output_tokens).toBe(countMockTokens(thinking) + countMockTokens(text));
  });

  it('calls the forced tool with an input that fits its schema and stops with tool_use', () => {
    const tools = [
      { name: 'search', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
    ];
    const message = buildMockMessage(params({ tools, tool_choice: { type: 'any' } }), 4);
    const input = { query: 'mock query' };
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_mock_search', name: 'search', input }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage.output_tokens).toBe(countMockTokens(JSON.stringify(input)));
  });

  it('leaves out a tool call that does not fit max_tokens', () => {
    const tools = [{ name: 'search', input_schema: { type: 'object', required: ['query'] } }];
    const message = buildMockMessage(
      params({ max_tokens: 3, tools, tool_choice: { type: 'tool', name: 'search' } }),
      1,
    );
    expect(message.content).toEqual([]);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(0);
  });

  it('answers "(no text)" when there is no user message to echo', () => {
    const message = buildMockMessage(params({ messages: [{ role: 'assistant', content: 'prefill' }] }), 1);
    expect(message.content[0]?.text).toBe(`Mock reply to: (no text)${TAIL}`);
  });
});
