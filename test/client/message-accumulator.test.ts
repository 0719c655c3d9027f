import { describe, expect, it } from 'vitest';
import { createMessageAccumulator, type StreamEvent } from '../../src/client/message-accumulator.js';

function messageStart(usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }): StreamEvent {
  return {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  };
}

const blockStart = (index: number, content_block: Record<string, unknown>): StreamEvent => ({
  type: 'content_block_start',
  index,
  content_block,
});
const delta = (index: number, d: Record<string, unknown>): StreamEvent => ({
  type: 'content_block_delta',
  index,
  delta: d,
});
const blockStop = (index: number): StreamEvent => ({ type: 'content_block_stop', index });

function fold(events: StreamEvent[]) {
  const accumulator = createMessageAccumulator();
  for (const event of events) accumulator.apply(event);
  return accumulator;
}

describe('createMessageAccumulator', () => {
  it('starts from the message of message_start with empty content', () => {
    const accumulator = fold([messageStart()]);
    expect(accumulator.done).toBe(false);
    expect(accumulator.message()).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    });
  });

  it('does not mutate the message_start event it was given', () => {
    const start = messageStart();
    fold([
      start,
      blockStart(0, { type: 'text', text: '' }),
      { type: 'message_delta', delta: {}, usage: { output_tokens: 9 } },
    ]);
    expect(start.message).toMatchObject({ content: [], usage: { output_tokens: 1 } });
  });

  it('throws before message_start and ignores events that come before it', () => {
    const accumulator = fold([blockStart(0, { type: 'text', text: 'early' })]);
    expect(() => accumulator.message()).toThrow('no message_start has arrived yet');
    accumulator.apply(messageStart());
    expect(accumulator.message().content).toEqual([]);
  });

  it('appends text_delta pieces to the text of their block', () => {
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: 'Hel' }),
      delta(0, { type: 'text_delta', text: 'lo' }),
      blockStop(0),
    ]).message();
    expect(message.content).toEqual([{ type: 'text', text: 'Hello' }]);
  });

  it('concatenates input_json_delta pieces and parses them only at content_block_stop', () => {
    const accumulator = fold([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"city": "Par' }),
      delta(0, { type: 'input_json_delta', partial_json: 'is", "days": 3}' }),
    ]);
    expect(accumulator.message().content[0]).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'get_weather',
      input: {},
    });
    accumulator.apply(blockStop(0));
    expect(accumulator.message().content[0]).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'get_weather',
      input: { city: 'Paris', days: 3 },
    });
  });

  it('gives {} to a tool_use whose input_json_delta pieces are all empty', () => {
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '' }),
      blockStop(0),
    ]).message();
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} }]);
  });

  it('keeps the input of content_block_start when no input_json_delta arrives', () => {
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'tool_use', id: 'toolu_3', name: 'echo', input: { preset: true } }),
      blockStop(0),
    ]).message();
    expect(message.content[0]?.input).toEqual({ preset: true });
  });

  it('parses the input of a server_tool_use block too', () => {
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"query":"nyc"}' }),
      blockStop(0),
    ]).message();
    expect(message.content[0]?.input).toEqual({ query: 'nyc' });
  });

  it('throws at content_block_stop when the tool input is not JSON, naming the block and the text', () => {
    const accumulator = fold([
      messageStart(),
      blockStart(0, { type: 'text', text: '' }),
      blockStart(1, { type: 'tool_use', id: 'toolu_4', name: 'x', input: {} }),
      delta(1, { type: 'input_json_delta', partial_json: '{"a": 1' }),
    ]);
    expect(() => accumulator.apply(blockStop(1))).toThrow(
      /the input of block 1 is not JSON \(.+\): "\{\\"a\\": 1"$/,
    );
  });

  it('appends thinking_delta pieces and sets the signature from signature_delta', () => {
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'Let me ' }),
      delta(0, { type: 'thinking_delta', thinking: 'think.' }),
      delta(0, { type: 'signature_delta', signature: 'sig-A' }),
      delta(0, { type: 'signature_delta', signature: 'sig-B' }),
      blockStop(0),
    ]).message();
    expect(message.content).toEqual([{ type: 'thinking', thinking: 'Let me think.', signature: 'sig-B' }]);
  });

  it('pushes citations_delta citations onto the citations of a text block, creating the array', () => {
    const first = {
      type: 'char_location',
      cited_text: 'A',
      document_index: 0,
      start_char_index: 0,
      end_char_index: 1,
    };
    const second = {
      type: 'char_location',
      cited_text: 'B',
      document_index: 0,
      start_char_index: 1,
      end_char_index: 2,
    };
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'text', text: '' }),
      delta(0, { type: 'citations_delta', citation: first }),
      delta(0, { type: 'citations_delta', citation: second }),
      delta(0, { type: 'text_delta', text: 'AB' }),
      blockStop(0),
    ]).message();
    expect(message.content).toEqual([{ type: 'text', text: 'AB', citations: [first, second] }]);
  });

  it('routes deltas by index across several blocks and drops a delta that does not fit its block', () => {
    const message = fold([
      messageStart(),
      blockStart(0, { type: 'text', text: '' }),
      blockStart(1, { type: 'thinking', thinking: '', signature: '' }),
      delta(1, { type: 'text_delta', text: 'not for thinking' }),
      delta(0, { type: 'thinking_delta', thinking: 'not for text' }),
      delta(5, { type: 'text_delta', text: 'no such block' }),
      delta(1, { type: 'thinking_delta', thinking: 'hmm' }),
      delta(0, { type: 'text_delta', text: 'answer' }),
      delta(0, { type: 'future_delta', value: 1 }),
    ]).message();
    expect(message.content).toEqual([
      { type: 'text', text: 'answer' },
      { type: 'thinking', thinking: 'hmm', signature: '' },
    ]);
  });

  it('takes stop_reason, stop_sequence and output_tokens from message_delta', () => {
    const message = fold([
      messageStart(),
      {
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: '###' },
        usage: { output_tokens: 42 },
      },
    ]).message();
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('###');
    expect(message.usage).toEqual({ input_tokens: 10, output_tokens: 42 });
  });

  it('replaces usage counters with the cumulative ones of message_delta, keeping absent or null ones', () => {
    const start = messageStart({
      input_tokens: 3,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 5,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
      service_tier: 'standard',
    });
    const message = fold([
      start,
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: {
          input_tokens: 12,
          cache_creation_input_tokens: 2048,
          cache_read_input_tokens: null,
          cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
          output_tokens: 87,
          server_tool_use: { web_search_requests: 1 },
          service_tier: 'priority',
        },
      },
    ]).message();
    // As in the SDK: cache_creation and service_tier stay as message_start sent them.
    expect(message.usage).toEqual({
      input_tokens: 12,
      cache_creation_input_tokens: 2048,
      cache_read_input_tokens: 5,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 87,
      service_tier: 'standard',
      server_tool_use: { web_search_requests: 1 },
    });
  });

  it('copies stop_details and a non-null container from message_delta', () => {
    const message = fold([
      messageStart(),
      {
        type: 'message_delta',
        delta: {
          stop_reason: 'refusal',
          stop_sequence: null,
          stop_details: { type: 'refusal' },
          container: null,
        },
        usage: { output_tokens: 2 },
      },
    ]).message();
    expect(message.stop_details).toEqual({ type: 'refusal' });
    expect('container' in message).toBe(false);
  });

  it('is done at message_stop and ignores everything after it', () => {
    const accumulator = fold([
      messageStart(),
      blockStart(0, { type: 'text', text: 'final' }),
      { type: 'message_stop' },
    ]);
    expect(accumulator.done).toBe(true);
    accumulator.apply(delta(0, { type: 'text_delta', text: ' more' }));
    accumulator.apply(messageStart());
    expect(accumulator.message().content).toEqual([{ type: 'text', text: 'final' }]);
  });

  it('ignores ping and unknown event types', () => {
    const accumulator = fold([
      messageStart(),
      { type: 'ping' },
      { type: 'gateway_trace', upstream: 'us-east' },
      blockStart(0, { type: 'text', text: 'x' }),
    ]);
    expect(accumulator.message().content).toEqual([{ type: 'text', text: 'x' }]);
  });

  it('rejects a second message_start before message_stop', () => {
    const accumulator = fold([messageStart()]);
    expect(() => accumulator.apply(messageStart())).toThrow('message_start arrived twice');
  });

  it('rejects malformed known events with the field and the value', () => {
    const accumulator = fold([messageStart(), blockStart(0, { type: 'text', text: '' })]);
    expect(() => accumulator.apply(delta(0, { type: 'text_delta', text: 7 }))).toThrow(
      'text_delta: expected `text` to be a string, got 7',
    );
    expect(() => accumulator.apply({ type: 'content_block_stop', index: -1 })).toThrow(
      'content_block_stop: expected `index` to be a non-negative integer, got -1',
    );
    expect(() => accumulator.apply({ type: 'content_block_delta', index: 0, delta: 'x' })).toThrow(
      'content_block_delta.delta: expected an object, got "x"',
    );
    expect(() =>
      createMessageAccumulator().apply({ type: 'message_start', message: { content: null } }),
    ).toThrow('message_start: expected `message.content` to be an array, got null');
  });
});
