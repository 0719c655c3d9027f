/**
 * The simulator's one counting rule, used for `usage`, `count_tokens` and cache prefixes alike:
 * a request is a sequence of blocks in the API's order (tools, system, messages), and each block
 * counts `ceil(code points / 4)` of its text. Simple enough for a test to compute by hand.
 */
import type { MessageParams } from '../types.js';
import { isRecord } from '../is-record.js';

/** Characters per mock token: the usual rough figure for English text. */
export const CHARS_PER_TOKEN = 4;

/** A block's `cache_control`, when it has one of type `ephemeral`. */
export interface Breakpoint {
  ttl: '5m' | '1h';
}

/** One block of a request's prompt, as the counting rule and the prompt cache see it. */
export interface PromptBlock {
  section: 'tools' | 'system' | 'messages';
  /** Tokens of this block under the mock rule. */
  tokens: number;
  /** What identifies the block in a cache key: its place (section, message, role, type) and its text. */
  identity: string;
  /** Its `cache_control: {type: "ephemeral"}`, if any. */
  breakpoint: Breakpoint | undefined;
}

/**
 * The mock's token rule: `ceil(code points / 4)`. Code points rather than UTF-16 units so that
 * cutting a reply to a token budget never splits a surrogate pair.
 */
export function countMockTokens(text: string): number {
  let points = 0;
  for (const _ of text) points++;
  return Math.ceil(points / CHARS_PER_TOKEN);
}

/**
 * The blocks of a request in the API's order. What each block counts:
 * - a tool: `JSON.stringify` of its definition without `cache_control`;
 * - `system` as a string, or a message's string `content`: that string (one block);
 * - a `text` block: its `text`;
 * - any other block (image, document, tool_use, tool_result, ...): `JSON.stringify` of the block
 *   without `cache_control` (crude for images, but easy to reproduce by hand).
 */
export function promptBlocks(params: MessageParams): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  if (Array.isArray(params.tools)) {
    params.tools.forEach((tool, index) => blocks.push(toBlock('tools', `tool ${index}`, tool, true)));
  }
  pushContent(blocks, 'system', 'system', params.system);
  params.messages.forEach((message, index) => {
    const record = isRecord(message) ? message : {};
    pushContent(blocks, 'messages', `message ${index} ${String(record.role)}`, record.content);
  });
  return blocks;
}

/** Input tokens of a request: the sum of its blocks' tokens (cached or not). */
export function countMockInputTokens(params: MessageParams): number {
  return promptBlocks(params).reduce((sum, block) => sum + block.tokens, 0);
}

function pushContent(
  blocks: PromptBlock[],
  section: PromptBlock['section'],
  place: string,
  content: unknown,
): void {
  if (content === undefined || content === null) return;
  if (!Array.isArray(content)) {
    // A string is the API's shorthand for one text block: same count, same cache key.
    blocks.push(toBlock(section, `${place} 0`, content, false));
    return;
  }
  content.forEach((block, index) => blocks.push(toBlock(section, `${place} ${index}`, block, false)));
}

function toBlock(
  section: PromptBlock['section'],
  place: string,
  value: unknown,
  isTool: boolean,
): PromptBlock {
  const text = countedText(value, isTool);
  const type = isRecord(value)
    ? typeName(value.type, isTool)
    : typeof value === 'string'
      ? 'text'
      : typeof value;
  return {
    section,
    tokens: countMockTokens(text),
    identity: `${place} ${type}\n${text}`,
    breakpoint: breakpointOf(value),
  };
}

function countedText(value: unknown, isTool: boolean): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return JSON.stringify(value) ?? '';
  if (!isTool && value.type === 'text' && typeof value.text === 'string') return value.text;
  const { cache_control: _ignored, ...rest } = value;
  return JSON.stringify(rest);
}

function breakpointOf(value: unknown): Breakpoint | undefined {
  if (!isRecord(value) || !isRecord(value.cache_control)) return undefined;
  if (value.cache_control.type !== 'ephemeral') return undefined;
  return { ttl: value.cache_control.ttl === '1h' ? '1h' : '5m' };
}

/** A block's `type` as text; a tool without one is `custom`. */
function typeName(type: unknown, isTool: boolean): string {
  if (type === undefined || type === null) return isTool ? 'custom' : '';
  return typeof type === 'string' ? type : JSON.stringify(type);
}
