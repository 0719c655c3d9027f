/**
 * What one request may cost before it is sent: the input-token estimate ITPM is charged with, the
 * `max_tokens` OTPM reserves, and the worst-case price `--max-cost` holds. `lp-batch estimate`
 * prices its `max` the same way, so the estimate's worst case is the budget's.
 */
import type { PriceTable } from '../pricing/price-table.js';
import type { MessageParams, Usage } from '../types.js';
import { estimateInputTokens } from './estimate-tokens.js';

/** The limits' view of one request, computed once per request and reused by each of its attempts. */
export interface AttemptEstimate {
  /** Conservative input-token estimate (see `estimateInputTokens`). */
  readonly inputTokens: number;
  /** The request's `max_tokens`: the most output it can produce. */
  readonly maxTokens: number;
  /** The most the request can cost, in nano-dollars; null when its model has no price. */
  readonly worstCaseNanos: number | null;
}

/** Estimate `params` and its worst case at `prices`. */
export function estimateAttempt(params: MessageParams, prices: PriceTable): AttemptEstimate {
  const inputTokens = estimateInputTokens(params);
  return {
    inputTokens,
    maxTokens: params.max_tokens,
    worstCaseNanos: prices.costNanos(params.model, worstCaseUsage(params, inputTokens)),
  };
}

/**
 * The most a request of `inputTokens` input can be billed: its input at the input price and
 * `max_tokens` at the output price; when the request asks for prompt caching anywhere, the input is
 * priced as a 1 h cache write instead, since that is what the server may bill and a budget must
 * never be passed.
 */
export function worstCaseUsage(params: MessageParams, inputTokens: number): Usage {
  const output_tokens = params.max_tokens;
  return hasCacheControl(params)
    ? {
        input_tokens: 0,
        cache_creation_input_tokens: inputTokens,
        cache_creation: { ephemeral_1h_input_tokens: inputTokens },
        output_tokens,
      }
    : { input_tokens: inputTokens, output_tokens };
}

/** Whether any object inside `value` carries a `cache_control`. Strings (base64 images) are not scanned. */
export function hasCacheControl(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasCacheControl(item)) return true;
    return false;
  }
  // for...in: no array of entries per object, on a path that sees every request.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const inner = record[key];
    if (key === 'cache_control' ? inner !== null && inner !== undefined : hasCacheControl(inner)) return true;
  }
  return false;
}
