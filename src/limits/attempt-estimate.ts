/**
 * What one request may cost the dispatch gate before it is sent: the input-token estimate ITPM is
 * charged with, the `max_tokens` OTPM reserves, and the worst-case price `--max-cost` holds.
 */
import { estimateInputTokens } from './estimate-tokens.js';
import { costNanos } from '../pricing/cost.js';
import type { MessageParams, Usage } from '../types.js';

/** The limits' view of one request, computed once per request and reused by each of its attempts. */
export interface AttemptEstimate {
  /** Conservative input-token estimate (see `estimateInputTokens`). */
  readonly inputTokens: number;
  /** The request's `max_tokens`: the most output it can produce. */
  readonly maxTokens: number;
  /** The most the request can cost, in nano-dollars; null when its model has no price. */
  readonly worstCaseNanos: number | null;
}

/**
 * Estimate `params`. The worst case prices the input estimate at the input price and `max_tokens` at
 * the output price; when the request asks for prompt caching anywhere, the input is priced as a 1 h
 * cache write (2x input) instead, since that is what the server may bill and the budget must never
 * be passed.
 */
export function estimateAttempt(params: MessageParams): AttemptEstimate {
  const inputTokens = estimateInputTokens(params);
  const maxTokens = params.max_tokens;
  const worstUsage: Usage = hasCacheControl(params)
    ? {
        input_tokens: 0,
        cache_creation_input_tokens: inputTokens,
        cache_creation: { ephemeral_1h_input_tokens: inputTokens },
        output_tokens: maxTokens,
      }
    : { input_tokens: inputTokens, output_tokens: maxTokens };
  return { inputTokens, maxTokens, worstCaseNanos: costNanos(params.model, worstUsage) };
}

/** Whether any object inside `value` carries a `cache_control`. Strings (base64 images) are not scanned. */
function hasCacheControl(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasCacheControl);
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'cache_control' && inner !== null && inner !== undefined) return true;
    if (hasCacheControl(inner)) return true;
  }
  return false;
}
