/**
 * One request from dispatch to its final result: attempts under the retry policy, then the result
 * line (succeeded or errored) with usage, cost, attempts and timings. Cut-off requests (the run was
 * aborted) produce no line: the next run sends them.
 */
import type { Transport } from '../client/transport.js';
import { NotSentError, RequestError } from '../errors.js';
import { erroredLine, succeededLine } from '../output/result-line.js';
import { costNanos, nanosToUsd, priceOf } from '../pricing/cost.js';
import { type StopReason, stopReasonOf } from '../retry/policy.js';
import { type RetryOptions, withRetries } from '../retry/with-retries.js';
import type { BatchRequest, ResultLine } from '../types.js';
import type { Clock } from './clock.js';
import type { DispatchGate } from './dispatch-gate.js';

export interface ExecuteContext {
  transport: Transport;
  /** Rate limits, adaptive concurrency and the budget: passed before every attempt, settled after. */
  gate: DispatchGate;
  clock: Clock;
  retry: Omit<RetryOptions, 'signal' | 'onRetry' | 'nowEpochMs' | 'random' | 'sleep'>;
  /** Aborts attempts in flight (second Ctrl-C); such requests are cut off. */
  abortSignal?: AbortSignal | undefined;
  /** Aborted when no new attempt may start (the run is stopping): a request not yet admitted is cut off. */
  dispatchSignal?: AbortSignal | undefined;
  /** Stream every request (`--stream`), whatever its params say. */
  forceStream: boolean;
  redact: (text: string) => string;
  onRetry: (error: RequestError, delayMs: number) => void;
}

export type Execution =
  | { kind: 'done'; result: ResultLine; costNanos: number | null; pricedAs: string }
  | { kind: 'cut_off' }
  /** Never sent: `--max-cost` would have been passed. The run stops dispatching. */
  | { kind: 'over_budget' }
  | { kind: 'stop'; result: ResultLine; reason: StopReason; message: string };

/** Sends `req`, whose params serialize to `json` and hash to `paramsHash`, until it is final. */
export async function executeRequest(
  req: BatchRequest,
  json: string,
  paramsHash: string,
  ctx: ExecuteContext,
): Promise<Execution> {
  const { clock } = ctx;
  const started = clock.now();
  const stream = ctx.forceStream || req.params.stream === true;
  const body =
    ctx.forceStream && req.params.stream !== true ? JSON.stringify({ ...req.params, stream: true }) : json;
  let ttftMs: number | undefined;

  // Price by the name the user asked for; gateways may answer with another spelling of it.
  const pricedAs = (answered: string | undefined) =>
    priceOf(req.params.model) || !answered ? req.params.model : answered;

  const outcome = await withRetries(
    async (signal) => {
      const admission = await ctx.gate.admit(req.params, ctx.dispatchSignal ?? signal);
      if (!admission.ok) throw notSent(req.params.model, admission.reason);
      const attemptStart = clock.now();
      ttftMs = undefined;
      try {
        const sent = await ctx.transport.send(body, {
          stream,
          onFirstContentDelta: () => {
            ttftMs = clock.now() - attemptStart;
          },
        });
        const { usage, model } = sent.message;
        ctx.gate.settle(admission.ticket, {
          ok: true,
          usage,
          costNanos: costNanos(pricedAs(model), usage),
          headers: sent.headers,
        });
        return sent;
      } catch (error) {
        ctx.gate.settle(admission.ticket, { ok: false, error });
        throw error;
      }
    },
    {
      ...ctx.retry,
      nowEpochMs: clock.nowEpochMs,
      random: clock.random,
      sleep: clock.sleep,
      signal: ctx.abortSignal,
      onRetry: ctx.onRetry,
    },
  );
  const latencyMs = clock.now() - started;
  const id = { custom_id: req.custom_id, line: req.line };

  if (outcome.ok) {
    const message = outcome.value.message;
    const pricedName = pricedAs(message.model);
    const nanos = costNanos(pricedName, message.usage);
    const result = succeededLine(id, message, {
      costUsd: nanos === null ? null : nanosToUsd(nanos),
      attempts: outcome.attempts,
      latencyMs,
      ttftMs: stream ? ttftMs : undefined,
      paramsHash,
    });
    return { kind: 'done', result, costNanos: nanos, pricedAs: pricedName };
  }
  const error = outcome.error;
  if (outcome.aborted || (error instanceof NotSentError && error.reason === 'aborted'))
    return { kind: 'cut_off' };
  if (error instanceof NotSentError && error.reason === 'over_budget') return { kind: 'over_budget' };

  const described =
    error instanceof RequestError
      ? { type: error.type, message: ctx.redact(error.message), requestId: error.requestId }
      : error instanceof NotSentError
        ? { type: 'invalid_request_error', message: error.message, requestId: null }
        : { type: 'internal_error', message: ctx.redact(String(error)), requestId: null };
  const result = erroredLine(id, described, {
    status: error instanceof RequestError ? error.status : null,
    attempts: outcome.attempts,
    latencyMs,
    paramsHash,
  });
  const reason = stopReasonOf(error);
  if (reason) return { kind: 'stop', result, reason, message: described.message };
  return { kind: 'done', result, costNanos: null, pricedAs: req.params.model };
}

function notSent(model: string, reason: 'over_budget' | 'unknown_price' | 'aborted'): NotSentError {
  const messages = {
    over_budget: 'not sent: its worst case would take the run past --max-cost',
    unknown_price: `not sent: model "${model}" has no price, so its cost cannot be held under --max-cost`,
    aborted: 'not sent: the run is stopping',
  };
  return new NotSentError(reason, messages[reason]);
}
