/**
 * A fast path of `validateParams` for the plainest requests: text messages, a system prompt, the
 * sampling parameters. It says "valid" only for a request the full check (schema, rules, JSON limits)
 * would accept with no unknown key and no warning; anything else (tools, images, an unknown key, a
 * value it is not sure of) goes to the full check, which then explains what is wrong. So it never
 * validates less than the full check: a property test holds the two to that. Worth it because the
 * schema costs more than reading and parsing a short line (`lp-batch estimate` reads 200,000 lines
 * a second).
 */
import { isRecord } from '../is-record.js';

/**
 * The top-level fields the fast path knows how to check; any other sends a request to the full check.
 * A Map: keys of a parsed line such as `constructor` or `__proto__` must not find Object's own.
 */
const FAST_FIELDS: ReadonlyMap<string, (value: unknown) => boolean> = new Map(
  Object.entries({
    model: (v) => typeof v === 'string' && v.length > 0 && v.isWellFormed(),
    max_tokens: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
    messages: () => true, // checked with the message rules below
    system: (v) =>
      typeof v === 'string' ? v.isWellFormed() : Array.isArray(v) && v.every((block) => isTextBlock(block)),
    stop_sequences: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.isWellFormed()),
    stream: (v) => typeof v === 'boolean',
    temperature: (v) => isNumberIn(v, 0, 2),
    top_p: (v) => isNumberIn(v, 0, 1),
    top_k: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
    service_tier: (v) => typeof v === 'string' && v.isWellFormed(),
  } satisfies Record<string, (value: unknown) => boolean>),
);

/**
 * Whether `params` is certainly a valid request: true only when the full check would say so with no
 * unknown key and no warning. False means "not sure": the full check decides.
 */
export function isPlainValidRequest(params: unknown): boolean {
  if (!isRecord(params)) return false;
  let required = 0;
  for (const key in params) {
    const check = FAST_FIELDS.get(key);
    if (check === undefined || !check(params[key])) return false;
    if (key === 'model' || key === 'max_tokens' || key === 'messages') required += 1;
  }
  return required === 3 && areMessagesPlain(params.messages);
}

/** Messages of `role` and `content` only, text content that is not empty (save a final assistant prefill). */
function areMessagesPlain(messages: unknown): boolean {
  if (!Array.isArray(messages) || messages.length === 0) return false;
  const last = messages.length - 1;
  for (let i = 0; i <= last; i += 1) {
    const message: unknown = messages[i];
    if (!isRecord(message)) return false;
    let keys = 0;
    for (const key in message) {
      if (key !== 'role' && key !== 'content') return false;
      keys += 1;
    }
    const { role, content } = message;
    if (keys !== 2 || (role !== 'user' && role !== 'assistant')) return false;
    const prefill = i === last && role === 'assistant';
    if (typeof content === 'string') {
      if (!content.isWellFormed() || (content === '' && !prefill)) return false;
    } else if (!Array.isArray(content) || !content.every((block) => isTextBlock(block))) {
      return false;
    } else if (content.length === 0 && !prefill) return false;
  }
  return true;
}

/** `{"type": "text", "text": "..."}` and nothing else, with non-empty text. */
function isTextBlock(block: unknown): boolean {
  if (!isRecord(block)) return false;
  let keys = 0;
  for (const key in block) {
    if (key !== 'type' && key !== 'text') return false;
    keys += 1;
  }
  const { text } = block;
  return (
    keys === 2 && block.type === 'text' && typeof text === 'string' && text !== '' && text.isWellFormed()
  );
}

function isNumberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}
