/**
 * `POST /v1/messages`: capacity and rate limit first (answered at once, as a loaded server does),
 * then the body (lp-batch's validation), the injected faults, the prompt cache, and the reply,
 * JSON or SSE, after the latency.
 */
import { namesInterleavedThinking } from '../../input/schema-rules.js';
import { midstreamErrorAfter } from '../chance.js';
import { answerAfterDelay, type Exchange, injectFault, type MockContext } from '../exchange.js';
import { faults } from '../faults.js';
import { buildMockMessage } from '../reply.js';
import { sendApiError, sendFault, sendMessage } from '../respond.js';
import { messageToSseEvents } from '../sse.js';
import { checkParams } from '../validate.js';

/** The Messages API's largest request body (PROTOCOL.md): beyond it, 413 request_too_large. */
export const MAX_MESSAGES_BODY_BYTES = 32 * 1024 * 1024;

/** Answer one `POST /v1/messages`. */
export async function handleMessages(ctx: MockContext, ex: Exchange): Promise<void> {
  const { out } = ex;
  const { maxConcurrent } = ctx.options;
  if (maxConcurrent !== undefined && ctx.slots >= maxConcurrent) {
    ctx.stats.overCapacity++;
    sendApiError(out, 529, 'overloaded_error', 'Overloaded');
    return;
  }
  if (ctx.rpm) {
    const decision = ctx.rpm.admit(ctx.options.clock.now());
    for (const [name, value] of Object.entries(decision.headers)) out.res.setHeader(name, value);
    if (!decision.admitted) {
      ctx.stats.rateLimited++;
      sendApiError(
        out,
        429,
        'rate_limit_error',
        'Number of requests has exceeded your per-minute rate limit',
      );
      return;
    }
  }
  ex.holdSlot();

  const invalid = (message: string): Promise<void> => answerAfterDelay(ex, faults.invalidRequest(message));
  if (ex.bodyBytes > MAX_MESSAGES_BODY_BYTES) {
    const fault = faults.apiError(
      413,
      'request_too_large',
      `Request exceeds the maximum size of ${MAX_MESSAGES_BODY_BYTES} bytes`,
    );
    return answerAfterDelay(ex, fault);
  }
  if (!ex.parsed.ok) return invalid(ex.parsed.message);
  const checked = checkParams(ex.parsed.value, '', {
    interleavedThinking: namesInterleavedThinking(ex.recorded.headers['anthropic-beta']),
  });
  if (!checked.ok) return invalid(checked.message);
  const { params } = checked;
  if (ex.chance.fault) return injectFault(ctx, ex, ex.chance.fault, params);

  const consulted = ctx.cache.consult(params, ctx.options.clock.now());
  if (!consulted.ok) return invalid(consulted.message);
  const { plan } = consulted;
  const message = buildMockMessage(params, ex.n, plan.usage);
  if (!(await ex.delay())) return; // gone before it began: its cache writes never happen
  const commit = (): void => ctx.cache.commit(plan.writes, ctx.options.clock.now());
  const stream = params.stream === true;
  const { midstreamAt } = ex.chance;
  if (stream && midstreamAt !== undefined) {
    const afterEvents = midstreamErrorAfter(midstreamAt, messageToSseEvents(message).length);
    ctx.stats.faults['stream-error'] = (ctx.stats.faults['stream-error'] ?? 0) + 1;
    sendFault(out, faults.streamError(afterEvents), message, true);
    commit(); // message_start went out before the error
    return;
  }
  sendMessage(out, message, stream, commit);
}
