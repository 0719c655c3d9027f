/**
 * Folds the events of a streamed Messages response into the final `Message`, the way
 * `MessageStream` of @anthropic-ai/sdk builds its final message. Pure: no I/O, no clock.
 */
import { showValue } from '../shorten.js';
import type { ContentBlock, Message } from '../types.js';

/** One decoded stream event: the JSON `data` of a server-sent event, dispatched on its `type`. */
export interface StreamEvent {
  type: string;
  [key: string]: unknown;
}

export interface MessageAccumulator {
  /**
   * Fold one event into the message. Events before `message_start` and after `message_stop`,
   * `ping` and unknown event or delta types are ignored, as the SDK ignores them.
   * @throws Error when a known event is malformed, a second `message_start` arrives, or the
   *   concatenated tool input is not JSON at `content_block_stop`.
   */
  apply(event: StreamEvent): void;
  /** True once `message_stop` was applied: the message is final. */
  readonly done: boolean;
  /**
   * The message so far (the accumulator's own object, final once `done`). While a tool_use
   * block streams, its `input` is what `content_block_start` said; it is parsed at the block's stop.
   * @throws Error before `message_start`.
   */
  message(): Message;
}

type Json = Record<string, unknown>;

/** How an error quotes a value the server sent: redacted, then cut. */
type Show = (value: unknown) => string;

/** Blocks whose `input` arrives as `input_json_delta` pieces (the SDK's `tracksToolInput`). */
const TOOL_INPUT_TYPES: ReadonlySet<string> = new Set(['tool_use', 'server_tool_use']);

/**
 * The usage counters a `message_delta` may carry: cumulative totals that replace the ones
 * from `message_start` when present and non-null. `output_tokens` is always copied. The SDK
 * copies exactly these; it leaves `cache_creation` (the 5m/1h split) and `service_tier` as
 * `message_start` sent them, and so do we, to stay equal to it.
 */
const REPLACED_USAGE_FIELDS = [
  'input_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'server_tool_use',
  'output_tokens_details',
] as const;

/**
 * Start folding one streamed response. `redact` is applied to what an error quotes of the events
 * before it is cut (they come from the server).
 */
export function createMessageAccumulator(
  redact: (text: string) => string = (text) => text,
): MessageAccumulator {
  const show = (value: unknown) => showValue(value, 120, redact);
  let snapshot: Message | undefined;
  let done = false;
  // Tool input stays a string until its block stops: a prefix of JSON is not JSON.
  const jsonBuffers = new Map<number, string>();

  return {
    apply(event) {
      if (done) return;
      if (event.type === 'message_start') {
        if (snapshot) throw new Error('message_start arrived twice, before any message_stop');
        snapshot = readStartMessage(event.message, show);
        return;
      }
      if (!snapshot) return;
      switch (event.type) {
        case 'content_block_start':
          snapshot.content.push({
            ...readBlock(event.content_block, 'content_block_start.content_block', show),
          });
          return;
        case 'content_block_delta':
          applyBlockDelta(
            snapshot.content,
            readIndex(event, show),
            readRecord(event.delta, 'content_block_delta.delta', show),
            jsonBuffers,
            show,
          );
          return;
        case 'content_block_stop':
          finishBlock(snapshot.content, readIndex(event, show), jsonBuffers, show);
          return;
        case 'message_delta':
          applyMessageDelta(snapshot, event, show);
          return;
        case 'message_stop':
          done = true;
          return;
        default:
          // `ping` and event types newer than this code.
          return;
      }
    },
    get done() {
      return done;
    },
    message() {
      if (!snapshot) throw new Error('no message_start has arrived yet');
      return snapshot;
    },
  };
}

function applyBlockDelta(
  content: ContentBlock[],
  index: number,
  delta: Json,
  jsonBuffers: Map<number, string>,
  show: Show,
): void {
  const block = content[index];
  // Like the SDK, a delta that does not fit the block it names is dropped, not an error.
  if (!block) return;
  switch (delta.type) {
    case 'text_delta':
      if (block.type === 'text') {
        content[index] = { ...block, text: stringOr(block.text) + readString(delta, 'text', show) };
      }
      return;
    case 'citations_delta':
      if (block.type === 'text') {
        const citations: unknown[] = Array.isArray(block.citations) ? block.citations : [];
        content[index] = { ...block, citations: [...citations, delta.citation] };
      }
      return;
    case 'input_json_delta':
      if (TOOL_INPUT_TYPES.has(block.type)) {
        jsonBuffers.set(index, (jsonBuffers.get(index) ?? '') + readString(delta, 'partial_json', show));
      }
      return;
    case 'thinking_delta':
      if (block.type === 'thinking') {
        content[index] = {
          ...block,
          thinking: stringOr(block.thinking) + readString(delta, 'thinking', show),
        };
      }
      return;
    case 'signature_delta':
      if (block.type === 'thinking') {
        content[index] = { ...block, signature: readString(delta, 'signature', show) };
      }
      return;
    default:
      // Delta kinds newer than this code.
      return;
  }
}

function finishBlock(
  content: ContentBlock[],
  index: number,
  jsonBuffers: Map<number, string>,
  show: Show,
): void {
  const block = content[index];
  const json = jsonBuffers.get(index);
  // No input_json_delta at all: the SDK keeps the `input` of content_block_start.
  if (!block || json === undefined || !TOOL_INPUT_TYPES.has(block.type)) return;
  jsonBuffers.delete(index);
  content[index] = { ...block, input: parseToolInput(json, index, show) };
}

function parseToolInput(json: string, index: number, show: Show): unknown {
  // A tool without parameters streams one empty piece: the API means `{}`.
  if (json === '') return {};
  try {
    return JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`content_block_stop: the input of block ${index} is not JSON (${reason}): ${show(json)}`);
  }
}

function applyMessageDelta(snapshot: Message, event: StreamEvent, show: Show): void {
  const delta = readRecord(event.delta, 'message_delta.delta', show);
  const usage = readRecord(event.usage, 'message_delta.usage', show);
  snapshot.stop_reason = nullableString(delta.stop_reason);
  snapshot.stop_sequence = nullableString(delta.stop_sequence);
  // Newer fields the SDK copies too: `stop_details` as sent, `container` only when set.
  if ('stop_details' in delta) snapshot.stop_details = delta.stop_details;
  if (delta.container != null) snapshot.container = delta.container;

  if (typeof usage.output_tokens === 'number') snapshot.usage.output_tokens = usage.output_tokens;
  // Copied as sent, like the SDK; a record view because the counters and objects mix here.
  const target: Record<string, unknown> = snapshot.usage;
  for (const field of REPLACED_USAGE_FIELDS) {
    if (usage[field] != null) target[field] = usage[field];
  }
}

function readStartMessage(value: unknown, show: Show): Message {
  const message = readRecord(value, 'message_start.message', show);
  if (!Array.isArray(message.content)) {
    throw new Error(
      `message_start: expected \`message.content\` to be an array, got ${show(message.content)}`,
    );
  }
  readRecord(message.usage, 'message_start.message.usage', show);
  // A copy, so folding never mutates the caller's event.
  return structuredClone(message) as Message;
}

function readBlock(value: unknown, where: string, show: Show): ContentBlock {
  const block = readRecord(value, where, show);
  if (typeof block.type !== 'string') {
    throw new Error(`${where}: expected \`type\` to be a string, got ${show(block.type)}`);
  }
  return block as ContentBlock;
}

function readIndex(event: StreamEvent, show: Show): number {
  const { index } = event;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw new Error(`${event.type}: expected \`index\` to be a non-negative integer, got ${show(index)}`);
  }
  return index;
}

function readRecord(value: unknown, where: string, show: Show): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object, got ${show(value)}`);
  }
  return value as Json;
}

function readString(delta: Json, field: string, show: Show): string {
  const value = delta[field];
  if (typeof value !== 'string') {
    throw new Error(`${String(delta.type)}: expected \`${field}\` to be a string, got ${show(value)}`);
  }
  return value;
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
