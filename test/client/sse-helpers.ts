/** Shared by the SSE tests: recorded fixtures, chunking, and the official SDK as a reference reader. */
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { MessageStreamReader, type StreamContext } from '../../src/client/sse-reader.js';
import type { Message } from '../../src/types.js';

const FIXTURES = new URL('../../fixtures/sse/', import.meta.url);

/** Fixtures that end with a complete message. */
export const COMPLETE_FIXTURES = [
  'text-ping',
  'tool-use',
  'thinking',
  'citations',
  'usage-cache',
  'unknown-event',
  'non-ascii',
  'server-tool',
] as const;

export type LineEnding = '\n' | '\r\n' | '\r';

/** A fixture's text (stored with LF endings) with the line ending a server might use instead. */
export function loadFixture(name: string, eol: LineEnding = '\n'): string {
  const text = readFileSync(new URL(`${name}.sse`, FIXTURES), 'utf8');
  return text.replaceAll('\n', eol);
}

/** Cut bytes at the given offsets (any order, duplicates and out-of-range ones dropped). */
export function cutBytes(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.slice(start, cut));
    start = cut;
  }
  return chunks;
}

export async function* toAsyncIterable<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

/** A whole body through a MessageStreamReader, chunk by chunk, as the transport feeds it. */
export async function readMessageStream(
  body: AsyncIterable<Uint8Array | string>,
  ctx: StreamContext,
): Promise<Message> {
  const reader = new MessageStreamReader(ctx);
  for await (const chunk of body) reader.push(chunk);
  return reader.end();
}

/**
 * The official SDK's final message for these bytes, read through its public API: a client
 * whose `fetch` answers with the chunks as a streamed body. Nothing touches the network.
 */
export async function readWithSdk(chunks: readonly Uint8Array[]): Promise<Record<string, unknown>> {
  const fetch = (): Promise<Response> => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    return Promise.resolve(
      new Response(body, {
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'request-id': 'req_sdk_reference' },
      }),
    );
  };
  const client = new Anthropic({ apiKey: 'test', fetch, maxRetries: 0 });
  const stream = client.messages.stream({
    model: 'claude-haiku-4-5-20251001',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  const message = await stream.finalMessage();
  return { ...message };
}

/**
 * What of the SDK's final message comes from the wire. The SDK adds `parsed_output: null`
 * (its structured-output helper; text blocks get a non-enumerable one too) and assigns
 * `stop_details` from every `message_delta`, so it is an own `undefined` when the wire has none.
 * A JSON round trip drops undefined and non-enumerable members, then `parsed_output` goes.
 */
export function wirePart(sdkMessage: Record<string, unknown>): Message {
  const { parsed_output: _parsedOutput, ...rest } = sdkMessage;
  return JSON.parse(JSON.stringify(rest)) as Message;
}
