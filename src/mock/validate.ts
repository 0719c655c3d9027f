/**
 * How the simulator judges a request body: JSON first, then lp-batch's own `validateParams`, so
 * the simulator is exactly as strict as lp-batch (one validator, not two). Unknown top-level
 * fields pass, as they do upstream.
 */
import { type RuleOptions, validateParams } from '../input/schema.js';
import type { MessageParams } from '../types.js';

export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

export type CheckedParams = { ok: true; params: MessageParams } | { ok: false; message: string };

/** Parse a request body as JSON without throwing. */
export function parseJsonBody(raw: string): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    return { ok: false, message: `There was an error parsing the body of your request: ${String(error)}` };
  }
}

/**
 * Check a Messages request body with `validateParams` (`options`: how it was sent). The message of a failure lists every
 * issue as `path: message` joined by `; `, paths starting at `prefix` (`messages[0].role` for
 * `/v1/messages`, `requests[3].params.messages[0].role` in a batch).
 */
export function checkParams(body: unknown, prefix = '', options: RuleOptions = {}): CheckedParams {
  const checked = validateParams(body, prefix, options);
  if (checked.ok) return { ok: true, params: checked.params };
  const message = checked.issues
    .map((issue) => `${issue.path.replace(/^\./, '')}: ${issue.message}`)
    .join('; ');
  return { ok: false, message };
}

/**
 * Check a `count_tokens` body: a Messages request without `max_tokens` (given or not: the
 * endpoint counts, it does not generate). Paths and messages as `checkParams`.
 */
export function checkCountTokensParams(body: unknown): CheckedParams {
  const withLimit =
    typeof body === 'object' && body !== null && !Array.isArray(body) && !('max_tokens' in body)
      ? // Above any thinking budget, which validateParams requires to be below max_tokens.
        { ...body, max_tokens: Number.MAX_SAFE_INTEGER }
      : body;
  return checkParams(withLimit);
}
