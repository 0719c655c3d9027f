/**
 * The simulator's answer to a Messages API request: a pure, deterministic function of the
 * params (only the id depends on the request number), with usage counted by one documented rule
 * so tests and cost summaries can check the numbers by hand.
 */
import type { ContentBlock, Message, MessageParams } from '../types.js';
import type { CacheUsage } from '../cache/cache-plan.js';
import { isRecord } from '../is-record.js';
import { CHARS_PER_TOKEN, countMockInputTokens, countMockTokens } from './tokens.js';
import { exampleForSchema } from './tool-input.js';

const PROMPT_ECHO_CHARS = 80;
const REPLY_TAIL = ' This is a deterministic answer from the lp-batch simulator.';

/**
 * Build the reply the simulator sends for request number `n` (id `msg_mock_<n>`, or `id` itself
 * when it is a string; nothing else depends on it, so the same params always give the same
 * content and usage). The one builder of replies: `/v1/messages` and batch results both use it.
 *
 * Content: a `thinking` block when `thinking.type` is `enabled`; then a `tool_use` block when
 * `tool_choice` forces a tool (`any`: the first tool; `tool`: the named one) with an input that
 * fits its `input_schema` (see `exampleForSchema`), otherwise a text block
 * `Mock reply to: <first 80 chars of the last user message>` plus a fixed tail, cut at the first
 * of `stop_sequences` it contains. Output stops at `max_tokens` (stop_reason `max_tokens`; a
 * tool_use that does not fit is left out whole). output_tokens is the sum of `countMockTokens`
 * over each block's text (the input's JSON for tool_use). The input side of `usage` is `cache`
 * (the prompt cache's decision) or, without it, every input token uncached (tokens.ts).
 */
export function buildMockMessage(params: MessageParams, id: number | string, cache?: CacheUsage): Message {
  const prompt = lastUserText(params.messages);
  const budget: TokenBudget = { remaining: Math.max(0, Math.floor(params.max_tokens)), used: 0 };
  const content: ContentBlock[] = [];
  let stop: Stop = END_TURN;

  if (isThinkingEnabled(params)) {
    const thinking = takeTokens(budget, `Thinking about: ${prompt.slice(0, 40)}`);
    content.push({ type: 'thinking', thinking: thinking.text, signature: MOCK_SIGNATURE });
    if (thinking.cut) stop = MAX_TOKENS;
  }
  const tool = forcedTool(params);
  if (stop !== MAX_TOKENS && tool !== undefined) {
    const input = exampleForSchema(tool.input_schema ?? { type: 'object' }, prompt.slice(0, 40));
    const tokens = countMockTokens(JSON.stringify(input));
    if (tokens <= budget.remaining) {
      budget.remaining -= tokens;
      budget.used += tokens;
      content.push({ type: 'tool_use', id: `toolu_mock_${tool.name}`, name: tool.name, input });
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
    id: typeof id === 'string' ? id : `msg_mock_${id}`,
    type: 'message',
    role: 'assistant',
    model: params.model,
    content,
    stop_reason: stop.reason,
    stop_sequence: stop.sequence,
    usage: { ...(cache ?? uncached(countMockInputTokens(params))), output_tokens: budget.used },
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
function forcedTool(params: MessageParams): { name: string; input_schema?: unknown } | undefined {
  const choice = params.tool_choice;
  if (!isRecord(choice) || (choice.type !== 'tool' && choice.type !== 'any')) return undefined;
  const tools = (Array.isArray(params.tools) ? params.tools : []).filter(
    (tool): tool is { name: string; input_schema?: unknown } =>
      isRecord(tool) && typeof tool.name === 'string',
  );
  if (choice.type === 'any') return tools[0];
  if (typeof choice.name !== 'string') return undefined;
  return tools.find((tool) => tool.name === choice.name) ?? { name: choice.name };
}

function uncached(inputTokens: number): CacheUsage {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
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

function codePoints(text: string): string[] {
  return Array.from(text);
}
