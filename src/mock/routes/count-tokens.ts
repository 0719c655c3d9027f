/**
 * `POST /v1/messages/count_tokens`: `{"input_tokens": N}`, N counted by the same rule as `usage`
 * (every input token, cached or not: input + cache creation + cache read of the same request).
 */
import { answerAfterDelay, type Exchange, injectFault, type MockContext } from '../exchange.js';
import { faults } from '../faults.js';
import { sendJson } from '../respond.js';
import { countMockInputTokens } from '../tokens.js';
import { checkCountTokensParams } from '../validate.js';

/** Answer one `POST /v1/messages/count_tokens`. */
export async function handleCountTokens(ctx: MockContext, ex: Exchange): Promise<void> {
  if (!ex.parsed.ok) return answerAfterDelay(ex, faults.invalidRequest(ex.parsed.message));
  const checked = checkCountTokensParams(ex.parsed.value);
  if (!checked.ok) return answerAfterDelay(ex, faults.invalidRequest(checked.message));
  if (ex.chance.fault) return injectFault(ctx, ex, ex.chance.fault, undefined);
  if (!(await ex.delay())) return;
  sendJson(ex.out, 200, { input_tokens: countMockInputTokens(checked.params) });
}
