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
 * Decodes and folds a streamed Messages response as its chunks arrive (undici hands them over one
 * by one: nothing waits on a promise per chunk). Once `message_stop` came the message is whole and
 * paid for: whatever follows is ignored, and so should a failure of the body be (a socket reset, a
 * silence past --idle-timeout, bytes past --max-response-bytes): see `done`.
 */
export class MessageStreamReader {
  readonly #ctx: StreamContext;
  readonly #accumulator: MessageAccumulator;
  readonly #decoder = new TextDecoder();
  readonly #received: EventSourceMessage[] = [];
  readonly #parser = createParser({ onEvent: (event) => this.#received.push(event) });
  readonly #state = { events: 0, sawContentDelta: false, endsWithCR: false };

  constructor(ctx: StreamContext) {
    this.#ctx = ctx;
    this.#accumulator = createMessageAccumulator(ctx.redact);
  }

  /** Whether `message_stop` came: the message is whole, whatever happens to the rest of the body. */
  get done(): boolean {
    return this.#accumulator.done;
  }

  /**
   * One chunk of the body, cut anywhere (inside a line, inside a character).
   * @throws ApiError (status 200) for an `event: error`; the caller should send the request again
   *   when its type is retryable.
   * @throws InvalidResponseError (status 200) when an event's data is not JSON or a known event is malformed.
   */
  push(chunk: Uint8Array | string): void {
    if (this.done) return;
    // Strings go through the decoder too, so one decoder owns the BOM and split characters.
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    this.#feed(this.#decoder.decode(bytes, { stream: true }));
  }

  /**
   * The body ended: the final message.
   * @throws ConnectionError when it ended before `message_stop`, and whatever `push` throws for its last bytes.
   */
  end(): Message {
    if (!this.done) {
      this.#feed(this.#decoder.decode());
      // The parser waits for a '\n' after a final '\r'; at the end of the body none can come.
      // The SDK takes the '\r' as a line end, so a CR-only stream's last event still counts.
      if (this.#state.endsWithCR) this.#feed('\n');
    }
    if (!this.done) {
      throw new ConnectionError({
        reason: `stream ended before message_stop (after ${this.#state.events} events)`,
      });
    }
    return this.#accumulator.message();
  }

  // Events are collected, then handled outside the parser's callback, so a throw never leaves the
  // parser half-way through a line.
  #feed(text: string): void {
    if (text === '') return;
    this.#parser.feed(text);
    this.#state.endsWithCR = text.endsWith('\r');
    const received = this.#received;
    try {
      for (const event of received) {
        if (this.done) break;
        handleEvent(event, this.#accumulator, this.#ctx, this.#state);
      }
    } finally {
      received.length = 0;
    }
  }
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
