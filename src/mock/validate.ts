/**
 * The few checks the simulator makes before answering: enough to send the 400s a client must
 * handle, not a copy of the API's validation (unknown fields pass, as they do upstream).
 */
import type { MessageParams } from '../types.js';

export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

/** Parse a request body as JSON without throwing. */
export function parseJsonBody(raw: string): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    return { ok: false, message: `There was an error parsing the body of your request: ${String(error)}` };
  }
}

/**
 * Check the required fields of a Messages request: `model` a non-empty string, `max_tokens` an
 * integer >= 1, `messages` a non-empty array. Messages say the field path and the value.
 */
export function validateMockParams(
  body: unknown,
): { ok: true; params: MessageParams } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: `Expected the request body to be a JSON object, got ${describe(body)}` };
  }
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') {
    return { ok: false, message: `model: Expected a non-empty string, got ${describe(record.model)}` };
  }
  const maxTokens = record.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return { ok: false, message: `max_tokens: Expected an integer >= 1, got ${describe(maxTokens)}` };
  }
  if (!Array.isArray(record.messages) || record.messages.length === 0) {
    return { ok: false, message: `messages: Expected a non-empty array, got ${describe(record.messages)}` };
  }
  // The checks above are exactly MessageParams' required fields.
  return { ok: true, params: record as MessageParams };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 40)}...` : json;
}
