/**
 * Reads a streamed Messages response body (server-sent events) into the final `Message`,
 * chunk by chunk, and turns what can go wrong inside a 200 stream into lp-batch errors.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ConnectionError, InvalidResponseError } from '../errors.js';
import { showValue } from '../shorten.js';
import type { Message } from '../types.js';
import {
  createMessageAccumulator,
  type MessageAccumulator,
  type StreamEvent,
} from './message-accumulator.js';
import { errorFromResponse, type Redact } from './responses.js';

/** What error messages need of the stream, and a hook for time-to-first-token. */
export interface StreamContext {
  /** The response's `request-id` header, or null when the gateway dropped it. */
  requestId: string | null;
  /** Called once, when the first `content_block_delta` arrives. */
  onFirstContentDelta?: (() => void) | undefined;
  /** Called once, at the first event (`message_start`): the response has begun. */
  onBegin?: (() => void) | undefined;
  /** Applied to everything the server sent that an error quotes, before it is shortened (no secret is half-kept). */
  redact: Redact;
}

/**
 * Decode and fold a streamed Messages response. Reads the body to its end (so the connection
 * can be reused) but ignores everything after `message_stop`, a failure of the body included.
 * @throws ApiError (status 200) for an `event: error`; the caller should send the request again
 *   when its type is retryable.
 * @throws ConnectionError when the body ends before `message_stop`.
 * @throws InvalidResponseError (status 200) when an event's data is not JSON or a known event is malformed.
 */
export async function readMessageStream(
  body: AsyncIterable<Uint8Array | string>,
  ctx: StreamContext,
): Promise<Message> {
  const accumulator = createMessageAccumulator(ctx.redact);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const received: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => received.push(event) });
  const state = { events: 0, sawContentDelta: false, endsWithCR: false };

  // Events are collected, then handled outside the parser's callback, so a throw never
  // leaves the parser half-way through a line.
  const feed = (text: string): void => {
    if (text === '') return;
    parser.feed(text);
    state.endsWithCR = text.endsWith('\r');
    for (const event of received) {
      if (accumulator.done) break;
      handleEvent(event, accumulator, ctx, state);
    }
    received.length = 0;
  };

  try {
    for await (const chunk of body) {
      if (accumulator.done) continue;
      // Strings go through the decoder too, so one decoder owns the BOM and split characters.
      feed(decoder.decode(typeof chunk === 'string' ? encoder.encode(chunk) : chunk, { stream: true }));
    }
  } catch (error) {
    // After message_stop the message is whole and paid for: a socket reset, a silence past
    // --idle-timeout or bytes past --max-response-bytes that follow it must not send it again.
    if (!accumulator.done) throw error;
  }
  if (!accumulator.done) {
    feed(decoder.decode());
    // The parser waits for a '\n' after a final '\r'; at the end of the body none can come.
    // The SDK takes the '\r' as a line end, so a CR-only stream's last event still counts.
    if (state.endsWithCR) feed('\n');
  }
  if (!accumulator.done) {
    throw new ConnectionError({
      reason: `stream ended before message_stop (after ${state.events} events)`,
    });
  }
  return accumulator.message();
}

function handleEvent(
  sse: EventSourceMessage,
  accumulator: MessageAccumulator,
  ctx: StreamContext,
  state: { events: number; sawContentDelta: boolean },
): void {
  // The SDK skips events without a name (e.g. an OpenAI-style `data: [DONE]`), pings and empty data.
  if (sse.event === undefined || sse.event === 'ping') return;
  // The stream's own headers (x-should-retry, retry-after) were about the 200, not about this error.
  if (sse.event === 'error') throw errorFromResponse(200, {}, sse.data, ctx);
  if (sse.data === '') return;

  const event = parseEvent(sse, ctx);
  state.events += 1;
  if (state.events === 1) ctx.onBegin?.();
  if (event.type === 'content_block_delta' && !state.sawContentDelta) {
    state.sawContentDelta = true;
    ctx.onFirstContentDelta?.();
  }
  try {
    accumulator.apply(event);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(ctx, 'not_a_message', `stream event ${state.events} (${event.type}): ${reason}`);
  }
}

function parseEvent(sse: EventSourceMessage, ctx: StreamContext): StreamEvent {
  let data: unknown;
  try {
    data = JSON.parse(sse.data);
  } catch {
    throw invalid(
      ctx,
      'not_json',
      `stream event \`${sse.event}\` has data that is not JSON: ${showValue(sse.data, 120, ctx.redact)}`,
    );
  }
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') {
    throw invalid(
      ctx,
      'not_a_message',
      `stream event \`${sse.event}\` has data without a string \`type\`: ${showValue(sse.data, 120, ctx.redact)}`,
    );
  }
  return data as StreamEvent;
}

function invalid(
  ctx: StreamContext,
  kind: InvalidResponseError['kind'],
  reason: string,
): InvalidResponseError {
  return new InvalidResponseError({
    status: 200,
    kind,
    // The reason quotes what the server sent: an event's name, its data, a tool input that is not JSON.
    reason: ctx.redact(reason),
    requestId: ctx.requestId,
  });
}
