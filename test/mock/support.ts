/**
 * Test-side tools for the simulator's tests: an undici POST to the real server, and a hand-written
 * SSE accumulator (deliberately not the client's own, so the two can check each other). Servers
 * come from the `serve` fixture of test/helpers/fixtures.ts.
 */
import { type Dispatcher, request } from 'undici';
import type { ContentBlock, Message, MessageParams } from '../../src/types.js';

/** A small valid request; override any field. */
export function params(overrides: Partial<MessageParams> = {}): MessageParams {
  return {
    model: 'claude-mock-1',
    max_tokens: 200,
    messages: [{ role: 'user', content: 'Say hello to the batch runner' }],
    ...overrides,
  };
}

/** POST `body` (JSON unless already a string) to `${url}${path}`. */
export function post(
  url: string,
  body: unknown,
  options: { path?: string; headersTimeout?: number; bodyTimeout?: number } = {},
): Promise<Dispatcher.ResponseData> {
  return request(`${url}${options.path ?? '/v1/messages'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.headersTimeout === undefined ? {} : { headersTimeout: options.headersTimeout }),
    ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: options.bodyTimeout }),
  });
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Split an SSE body into its events (each frame: one `event:` line, one `data:` line). */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? '';
      const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length) ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

/** Rebuild the message from its events, following the protocol's accumulation rules. */
export function accumulateSse(events: SseEvent[]): Message {
  let message: Message | undefined;
  const partialJson = new Map<number, string>();
  for (const { event, data } of events) {
    if (event === 'message_start') {
      message = structuredClone(data.message) as Message;
    } else if (event === 'content_block_start' && message) {
      message.content[data.index as number] = structuredClone(data.content_block) as ContentBlock;
    } else if (event === 'content_block_delta' && message) {
      const index = data.index as number;
      const block = message.content[index] as ContentBlock;
      const delta = data.delta as Record<string, string>;
      if (delta.type === 'text_delta') block.text = `${block.text as string}${delta.text}`;
      if (delta.type === 'thinking_delta') block.thinking = `${block.thinking as string}${delta.thinking}`;
      if (delta.type === 'signature_delta') block.signature = delta.signature;
      if (delta.type === 'input_json_delta') {
        partialJson.set(index, `${partialJson.get(index) ?? ''}${delta.partial_json}`);
      }
    } else if (event === 'content_block_stop' && message) {
      const index = data.index as number;
      const json = partialJson.get(index);
      if (json !== undefined)
        (message.content[index] as ContentBlock).input = json === '' ? {} : JSON.parse(json);
    } else if (event === 'message_delta' && message) {
      const delta = data.delta as { stop_reason: string | null; stop_sequence: string | null };
      message.stop_reason = delta.stop_reason;
      message.stop_sequence = delta.stop_sequence;
      message.usage = { ...message.usage, ...(data.usage as Message['usage']) };
    }
  }
  if (!message) throw new Error('Expected a message_start event, got none');
  return message;
}

/** Send `method path` with an optional JSON body; the answer's status, headers and text. */
export async function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const res = await request(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A clock for the simulator that moves only when told: epoch ms, starting at 2025-01-01. */
export function manualClock(start = Date.UTC(2025, 0, 1)): { now(): number; advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}
