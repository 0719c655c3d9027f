import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMockMessage } from '../../src/mock/reply.js';
import { messageToSseEvents, splitIntoPieces } from '../../src/mock/sse.js';
import type { Message } from '../../src/types.js';
import { accumulateSse, params, parseSse } from './support.js';

const richMessage: Message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-mock-1',
  content: [
    { type: 'thinking', thinking: 'Let me think about this carefully.', signature: 'sig-abc' },
    { type: 'text', text: 'Here is the answer, with an emoji 😀 in it.' },
    { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'lp-batch', limit: 3 } },
    { type: 'redacted_thinking', data: 'opaque' },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 34, cache_creation_input_tokens: 5, cache_read_input_tokens: 6 },
};

describe('messageToSseEvents', () => {
  it('emits complete frames in the protocol order', () => {
    const frames = messageToSseEvents(buildMockMessage(params(), 1));
    for (const frame of frames) expect(frame).toMatch(/^event: [a-z_]+\ndata: \{.*\}\n\n$/);
    const names = parseSse(frames.join('')).map((e) => e.event);
    const deltas = names.filter((name) => name === 'content_block_delta').length;
    expect(deltas).toBeGreaterThanOrEqual(3);
    expect(names).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('starts with empty content, input and cache counts, and output_tokens 1', () => {
    const [start] = parseSse(messageToSseEvents(richMessage).join(''));
    expect(start?.data).toEqual({
      type: 'message_start',
      message: {
        ...richMessage,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...richMessage.usage, output_tokens: 1 },
      },
    });
  });

  it('accumulates back to the very message for text, thinking, tool_use and unknown blocks', () => {
    const events = parseSse(messageToSseEvents(richMessage).join(''));
    expect(accumulateSse(events)).toEqual(richMessage);
    const deltaTypes = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data.delta as { type: string }).type);
    expect(new Set(deltaTypes)).toEqual(
      new Set(['thinking_delta', 'signature_delta', 'text_delta', 'input_json_delta']),
    );
  });

  it('sends the stop reason and cumulative usage in message_delta', () => {
    const events = parseSse(messageToSseEvents(richMessage).join(''));
    const delta = events.find((e) => e.event === 'message_delta');
    expect(delta?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: richMessage.usage,
    });
  });
});

describe('splitIntoPieces', () => {
  it('cuts into at least 3 non-empty pieces that join back to the text', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, unit: 'grapheme' }), (text) => {
        const pieces = splitIntoPieces(text);
        expect(pieces.join('')).toBe(text);
        expect(pieces.length).toBeGreaterThanOrEqual(Math.min(3, Array.from(text).length));
        for (const piece of pieces) {
          expect(piece).not.toBe('');
          expect(Array.from(piece).length).toBeLessThanOrEqual(24);
        }
      }),
    );
  });

  it('gives no pieces for empty text and one per code point for short text', () => {
    expect(splitIntoPieces('')).toEqual([]);
    expect(splitIntoPieces('{}')).toEqual(['{', '}']);
  });
});
