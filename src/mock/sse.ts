/**
 * Turn a finished message into the server-sent events the Messages API streams for it, so a
 * client that accumulates the events gets back exactly the message the JSON reply would carry.
 */
import type { ContentBlock, Message } from '../types.js';

/** Deltas are cut into pieces of at most this many code points, and into at least 3 pieces. */
const MAX_PIECE_LENGTH = 24;
const MIN_PIECES = 3;

/**
 * The SSE frames for `message`, each a complete `event: X\ndata: {...}\n\n` string:
 * `message_start` (empty content; usage with input and cache counts, output_tokens 1), `ping`,
 * then per block `content_block_start` / `content_block_delta`... / `content_block_stop`
 * (text as `text_delta`, tool input as `input_json_delta`, thinking as `thinking_delta` plus one
 * `signature_delta`; unknown blocks arrive whole in their start event), then `message_delta`
 * (stop_reason, stop_sequence and the cumulative usage) and `message_stop`.
 */
export function messageToSseEvents(message: Message): string[] {
  const events: string[] = [];
  const send = (type: string, data: Record<string, unknown>): void => {
    events.push(formatSseEvent(type, { type, ...data }));
  };

  send('message_start', {
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...message.usage, output_tokens: 1 },
    },
  });
  send('ping', {});
  message.content.forEach((block, index) => {
    send('content_block_start', { index, content_block: startOfBlock(block) });
    for (const delta of deltasOfBlock(block)) send('content_block_delta', { index, delta });
    send('content_block_stop', { index });
  });
  send('message_delta', {
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
    usage: message.usage,
  });
  send('message_stop', {});
  return events;
}

/** One SSE frame. `data` is one line: JSON.stringify never emits a raw newline. */
export function formatSseEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The block as `content_block_start` shows it: its streamed fields empty. */
function startOfBlock(block: ContentBlock): ContentBlock {
  switch (block.type) {
    case 'text':
      return { ...block, text: '' };
    case 'tool_use':
      return { ...block, input: {} };
    case 'thinking': {
      const { signature: _signature, ...rest } = block;
      return { ...rest, thinking: '' };
    }
    default:
      return block;
  }
}

function deltasOfBlock(block: ContentBlock): Record<string, unknown>[] {
  switch (block.type) {
    case 'text':
      return splitIntoPieces(textOf(block.text)).map((text) => ({ type: 'text_delta', text }));
    case 'tool_use':
      return splitIntoPieces(JSON.stringify(block.input ?? {})).map((partial_json) => ({
        type: 'input_json_delta',
        partial_json,
      }));
    case 'thinking':
      return [
        ...splitIntoPieces(textOf(block.thinking)).map((thinking) => ({
          type: 'thinking_delta',
          thinking,
        })),
        { type: 'signature_delta', signature: textOf(block.signature) },
      ];
    default:
      return [];
  }
}

/**
 * Cut `text` into at least 3 non-empty pieces (fewer only when it has fewer code points), none
 * longer than 24 code points. Splitting on code points keeps surrogate pairs whole.
 */
export function splitIntoPieces(text: string): string[] {
  const points = Array.from(text);
  if (points.length === 0) return [];
  const count = Math.min(points.length, Math.max(MIN_PIECES, Math.ceil(points.length / MAX_PIECE_LENGTH)));
  // Even boundaries (rather than a fixed size) so the piece count is exactly `count`.
  return Array.from({ length: count }, (_, i) =>
    points
      .slice(Math.floor((i * points.length) / count), Math.floor(((i + 1) * points.length) / count))
      .join(''),
  );
}

/** A block's text field as sent, or '' when it has none. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
