/**
 * The simulator's answer to a Messages API request: a pure, deterministic function of the
 * params (only the id depends on the request number), with usage counted by one documented rule
 * so tests and cost summaries can check the numbers by hand.
 */
import type { ContentBlock, Message, MessageParams } from '../types.js';

/** Characters per mock token: the usual rough figure for English text. */
const CHARS_PER_TOKEN = 4;
const PROMPT_ECHO_CHARS = 80;
const REPLY_TAIL = ' This is a deterministic answer from the lp-batch simulator.';

/**
 * The mock's one token rule: `ceil(code points / 4)`. Code points rather than UTF-16 units so
 * that cutting a reply to a token budget never splits a surrogate pair.
 */
export function countMockTokens(text: string): number {
  return Math.ceil(codePoints(text).length / CHARS_PER_TOKEN);
}

/**
 * Input tokens of a request under the mock rule: `countMockTokens` over the concatenation of the
 * system prompt, every message's content and `JSON.stringify(tools)`. Text blocks count their
 * `text`; any other block (image, tool_use, tool_result, ...) counts its JSON, which is crude but
 * easy to reproduce by hand.
 */
export function countMockInputTokens(params: MessageParams): number {
  const parts = [contentToText(params.system), ...params.messages.map((m) => contentToText(contentOf(m)))];
  if (Array.isArray(params.tools) && params.tools.length > 0) parts.push(JSON.stringify(params.tools));
  return countMockTokens(parts.join(''));
}

/**
 * Build the reply the simulator sends for request number `n` (id `msg_mock_<n>`; nothing else
 * depends on `n`, so the same params always give the same content and usage).
 *
 * Content: a `thinking` block when `thinking.type` is `enabled`; then a `tool_use` block when
 * `tool_choice` forces a tool (`any` or `tool`), otherwise a text block
 * `Mock reply to: <first 80 chars of the last user message>` plus a fixed tail, cut at the first
 * of `stop_sequences` it contains. Output stops at `max_tokens` (stop_reason `max_tokens`; a
 * tool_use that does not fit is left out whole). output_tokens is the sum of `countMockTokens`
 * over each block's text (the input's JSON for tool_use). Cache counts are 0: the mock has no cache.
 */
export function buildMockMessage(params: MessageParams, n: number): Message {
  const prompt = lastUserText(params.messages);
  const budget: TokenBudget = { remaining: Math.max(0, Math.floor(params.max_tokens)), used: 0 };
  const content: ContentBlock[] = [];
  let stop: Stop = END_TURN;

  if (isThinkingEnabled(params)) {
    const thinking = takeTokens(budget, `Thinking about: ${prompt.slice(0, 40)}`);
    content.push({ type: 'thinking', thinking: thinking.text, signature: MOCK_SIGNATURE });
    if (thinking.cut) stop = MAX_TOKENS;
  }
  const toolName = forcedToolName(params);
  if (stop !== MAX_TOKENS && toolName !== undefined) {
    const input = { query: prompt.slice(0, 40) };
    const tokens = countMockTokens(JSON.stringify(input));
    if (tokens <= budget.remaining) {
      budget.remaining -= tokens;
      budget.used += tokens;
      content.push({ type: 'tool_use', id: `toolu_mock_${toolName}`, name: toolName, input });
      stop = { reason: 'tool_use', sequence: null };
    } else {
      stop = MAX_TOKENS;
    }
  } else if (stop !== MAX_TOKENS) {
    const full = `Mock reply to: ${prompt.slice(0, PROMPT_ECHO_CHARS)}${REPLY_TAIL}`;
    const stopped = applyStopSequences(full, params.stop_sequences);
    const text = takeTokens(budget, stopped.text);
    content.push({ type: 'text', text: text.text });
    if (text.cut) stop = MAX_TOKENS;
    else if (stopped.sequence !== null) stop = { reason: 'stop_sequence', sequence: stopped.sequence };
  }

  return {
    id: `msg_mock_${n}`,
    type: 'message',
    role: 'assistant',
    model: params.model,
    content,
    stop_reason: stop.reason,
    stop_sequence: stop.sequence,
    usage: {
      input_tokens: countMockInputTokens(params),
      output_tokens: budget.used,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

interface TokenBudget {
  remaining: number;
  used: number;
}

interface Stop {
  reason: string;
  sequence: string | null;
}

const END_TURN: Stop = { reason: 'end_turn', sequence: null };
const MAX_TOKENS: Stop = { reason: 'max_tokens', sequence: null };
/** Thinking blocks must carry a signature; the mock's is a fixed, obviously fake one. */
const MOCK_SIGNATURE = 'mock-signature';

/** Take as much of `text` as the budget allows (whole tokens of 4 code points). */
function takeTokens(budget: TokenBudget, text: string): { text: string; cut: boolean } {
  const points = codePoints(text);
  const allowed = budget.remaining * CHARS_PER_TOKEN;
  const kept = points.length <= allowed ? text : points.slice(0, allowed).join('');
  const tokens = countMockTokens(kept);
  budget.remaining -= tokens;
  budget.used += tokens;
  return { text: kept, cut: kept !== text };
}

/** Cut at the earliest stop sequence found; the sequence itself is not part of the reply (as in the API). */
function applyStopSequences(text: string, stopSequences: unknown): { text: string; sequence: string | null } {
  if (!Array.isArray(stopSequences)) return { text, sequence: null };
  let best: { index: number; sequence: string } | undefined;
  for (const sequence of stopSequences) {
    if (typeof sequence !== 'string' || sequence === '') continue;
    const index = text.indexOf(sequence);
    if (index >= 0 && (best === undefined || index < best.index)) best = { index, sequence };
  }
  return best === undefined
    ? { text, sequence: null }
    : { text: text.slice(0, best.index), sequence: best.sequence };
}

function isThinkingEnabled(params: MessageParams): boolean {
  return isRecord(params.thinking) && params.thinking.type === 'enabled';
}

/** The tool the request forces: `tool_choice: {type:"tool", name}`, or the first tool for `any`. */
function forcedToolName(params: MessageParams): string | undefined {
  const choice = params.tool_choice;
  if (!isRecord(choice)) return undefined;
  if (choice.type === 'tool' && typeof choice.name === 'string') return choice.name;
  if (choice.type !== 'any' || !Array.isArray(params.tools)) return undefined;
  const first: unknown = params.tools[0];
  return isRecord(first) && typeof first.name === 'string' ? first.name : undefined;
}

/** Text of the last `user` message, or `(no text)` when there is none. */
function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isRecord(message) && message.role === 'user') return textOf(message.content);
  }
  return '(no text)';
}

/** Only the text blocks, joined: what a human would call "the prompt". */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((block): block is { text: string } => isRecord(block) && typeof block.text === 'string')
    .map((block) => block.text)
    .join('');
}

/** Everything a message carries, for input counting: text as is, other blocks as JSON. */
function contentToText(content: unknown): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  return content
    .map((block) =>
      isRecord(block) && block.type === 'text' && typeof block.text === 'string'
        ? block.text
        : JSON.stringify(block),
    )
    .join('');
}

function contentOf(message: unknown): unknown {
  return isRecord(message) ? message.content : undefined;
}

function codePoints(text: string): string[] {
  return Array.from(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
