import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { StreamContext } from '../../src/client/sse-reader.js';
import { ApiError, ConnectionError, InvalidResponseError } from '../../src/errors.js';
import { loadFixture, readMessageStream, toAsyncIterable } from './sse-helpers.js';

const CTX: StreamContext = { requestId: 'req_ctx', redact: (text) => text };

const sse = (event: string, data: unknown): string =>
  `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const START = sse('message_start', {
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5-20251001',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});
const TEXT_START = sse('content_block_start', {
  type: 'content_block_start',
  index: 0,
  content_block: { type: 'text', text: '' },
});
const textDelta = (text: string): string =>
  sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
const END =
  sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  sse('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 3 },
  }) +
  sse('message_stop', { type: 'message_stop' });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('MessageStreamReader', () => {
  it('reads a recorded stream into the final message', async () => {
    const message = await readMessageStream(toAsyncIterable([loadFixture('text-ping')]), CTX);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello! How can I help you today?' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(12);
  });

  it('turns an error event into an ApiError with its type and message, status 200 and the request id', async () => {
    const error = await rejectionOf(
      readMessageStream(toAsyncIterable([loadFixture('error-overloaded')]), CTX),
    );
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(200);
    expect(apiError.type).toBe('overloaded_error');
    expect(apiError.apiMessage).toBe('Overloaded');
    expect(apiError.requestId).toBe('req_ctx');
    expect(apiError.headers).toEqual({});
    expect(apiError.message).toBe('200 overloaded_error: Overloaded (request-id req_ctx)');
  });

  it('takes the request id from the error body when the response had none', async () => {
    const error = await rejectionOf(
      readMessageStream(toAsyncIterable([loadFixture('error-overloaded')]), { ...CTX, requestId: null }),
    );
    expect((error as ApiError).requestId).toBe('req_011CSHoEeqs5C35K2UUqR7Fy');
  });

  it('keeps the text of an error event whose data is not JSON, typed api_error', async () => {
    const error = await rejectionOf(
      readMessageStream(toAsyncIterable([START, sse('error', 'upstream exploded')]), CTX),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).type).toBe('api_error');
    expect((error as ApiError).apiMessage).toBe('upstream exploded');
  });

  it('throws a ConnectionError when the body ends before message_stop', async () => {
    const error = await rejectionOf(readMessageStream(toAsyncIterable([loadFixture('truncated')]), CTX));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).status).toBeNull();
    expect((error as ConnectionError).type).toBe('api_error');
    expect((error as ConnectionError).errorKind).toBe('connection');
    expect((error as ConnectionError).message).toBe('stream ended before message_stop (after 4 events)');
  });

  it('throws a ConnectionError for an empty body', async () => {
    await expect(readMessageStream(toAsyncIterable([]), CTX)).rejects.toThrow(
      'stream ended before message_stop (after 0 events)',
    );
  });

  it('does not take an unterminated last event as message_stop', async () => {
    const cut = START + TEXT_START + textDelta('x') + END.slice(0, -1);
    await expect(readMessageStream(toAsyncIterable([cut]), CTX)).rejects.toBeInstanceOf(ConnectionError);
  });

  it('throws an InvalidResponseError with status 200 when event data is not JSON', async () => {
    const error = await rejectionOf(
      readMessageStream(toAsyncIterable([START, sse('content_block_start', '{"type":')]), CTX),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).status).toBe(200);
    expect((error as InvalidResponseError).requestId).toBe('req_ctx');
    expect((error as InvalidResponseError).kind).toBe('not_json');
    expect((error as InvalidResponseError).message).toBe(
      'stream event `content_block_start` has data that is not JSON: "{\\"type\\":"',
    );
  });

  it('throws an InvalidResponseError naming the event when a known event is malformed', async () => {
    const bad = sse('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta' },
    });
    const error = await rejectionOf(readMessageStream(toAsyncIterable([START, TEXT_START, bad]), CTX));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).kind).toBe('not_a_message');
    expect((error as InvalidResponseError).message).toContain(
      'stream event 3 (content_block_delta): text_delta: expected `text` to be a string, got nothing',
    );
  });

  it('calls onFirstContentDelta once, when the first content_block_delta arrives', async () => {
    let calls = 0;
    const seen: number[] = [];
    async function* body() {
      yield START + TEXT_START;
      seen.push(calls);
      yield textDelta('a');
      seen.push(calls);
      yield textDelta('b') + textDelta('c');
      seen.push(calls);
      yield END;
    }
    const message = await readMessageStream(body(), { ...CTX, onFirstContentDelta: () => calls++ });
    expect(seen).toEqual([0, 1, 1]);
    expect(calls).toBe(1);
    expect(message.content).toEqual([{ type: 'text', text: 'abc' }]);
  });

  it('does not call onFirstContentDelta for a stream without content deltas', async () => {
    let calls = 0;
    await readMessageStream(toAsyncIterable([START + TEXT_START + END]), {
      ...CTX,
      onFirstContentDelta: () => calls++,
    });
    expect(calls).toBe(0);
  });

  it('reads the body to its end but ignores what follows message_stop', async () => {
    let finished = false;
    async function* body() {
      yield START + TEXT_START + textDelta('kept') + END;
      yield (
        textDelta(' dropped') + sse('error', { type: 'error', error: { type: 'api_error', message: 'late' } })
      );
      finished = true;
    }
    const message = await readMessageStream(body(), CTX);
    expect(message.content).toEqual([{ type: 'text', text: 'kept' }]);
    expect(finished).toBe(true);
  });

  it('reads CR-only line endings, including a final \\r\\r with nothing after it', async () => {
    const text = (START + TEXT_START + textDelta('cr') + END).replaceAll('\n', '\r');
    expect(text.endsWith('}\r\r')).toBe(true);
    const message = await readMessageStream(toAsyncIterable([text]), CTX);
    expect(message.content).toEqual([{ type: 'text', text: 'cr' }]);
  });

  it('decodes a character whose bytes arrive in different chunks', async () => {
    const bytes = new TextEncoder().encode(START + TEXT_START + textDelta('🇯🇵') + END);
    const flag = new TextEncoder().encode('🇯🇵');
    const at = bytes.findIndex((_, i) => bytes[i] === flag[0] && bytes[i + 1] === flag[1]) + 2;
    const chunks = [bytes.slice(0, at), bytes.slice(at, at + 3), bytes.slice(at + 3)];
    const message = await readMessageStream(toAsyncIterable(chunks), CTX);
    expect(message.content).toEqual([{ type: 'text', text: '🇯🇵' }]);
  });

  it('reads an undici response body from a local server that writes the stream in pieces', async () => {
    const fixture = Buffer.from(loadFixture('tool-use', '\r\n'));
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Uneven pieces, so chunk borders fall inside lines.
      for (let start = 0; start < fixture.length; start += 97) res.write(fixture.subarray(start, start + 97));
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const response = await request(`http://127.0.0.1:${port}/v1/messages`, { method: 'POST', body: '{}' });
      const message = await readMessageStream(response.body, CTX);
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content.map((block) => block.input ?? block.text)).toEqual([
        "I'll check the weather and the time for you.",
        { location: 'San Francisco, CA', unit: 'fahrenheit', days: [1, 2.5, true, null] },
        {},
      ]);
    } finally {
      server.close();
      await once(server, 'close');
    }
  });
});
