/**
 * One request from dispatch to its final outcome: attempts through the dispatch gate under the retry
 * policy, then what happened (succeeded with its message and cost, errored with its failure, or never
 * sent). Writing the result line is the recorder's job.
 */
import type { CacheGate, CacheTicket } from '../cache/cache-gate.js';
import type { CachePrefix } from '../cache/prompt-prefixes.js';
import type { Clock } from '../clock.js';
import type { Transport } from '../client/transport.js';
import type { DispatchGate, Refusal } from '../limits/dispatch-gate.js';
import type { Slots } from '../limits/slots.js';
import { type Failure, failureOf, notSentFailure } from '../output/result-line.js';
import type { Priced, PriceTable } from '../pricing/price-table.js';
import { classify, type StopReason } from '../retry/policy.js';
import { type RetryOptions, withRetries } from '../retry/with-retries.js';
import type { BatchRequest, Message, Usage } from '../types.js';
import type { Shutdown } from './shutdown.js';

export interface ExecuteContext {
  /**
   * The slots of the run: each attempt holds one while it waits at the gate and is sent, and lets it
   * go during the wait before a retry, so a request waiting out a backoff never keeps another from
   * being sent.
   */
  slots: Slots;
  /** Told after each attempt let its slot go. */
  onAttemptEnd: () => void;
  transport: Transport;
  /** Rate limits, adaptive concurrency and the budget: passed before every attempt, settled after. */
  gate: DispatchGate;
  /** What a message's usage costs. */
  prices: PriceTable;
  clock: Clock;
  retry: { maxRetries: number; maxRetryWaitMs: number };
  /** Draining: an attempt not yet admitted is not sent. Aborted: a wait between attempts is cut off. */
  shutdown: Shutdown;
  /** Stream every request (`--stream`), whatever its params say. */
  forceStream: boolean;
  /** Told of every retry before its wait. */
  onRetry: (error: unknown) => void;
  /** `--cache schedule`: when a request with cacheable prefixes may go; none under `--cache off`. */
  cache?: CacheGate | null | undefined;
}

export type Execution =
  | {
      kind: 'succeeded';
      message: Message;
      /** The JSON text the message was read from (a plain response), or null (a stream). */
      messageJson: string | null;
      priced: Priced;
      attempts: number;
      latencyMs: number;
      /** Time to the first content delta of the attempt that succeeded (streams only). */
      ttftMs: number | undefined;
    }
  | {
      kind: 'errored';
      failure: Failure;
      attempts: number;
      latencyMs: number;
      /** Set when the failure means the whole run must stop (401/403, spend cap). */
      stop: StopReason | null;
    }
  /** Nothing to write: the budget would be passed, or the run is stopping. A later run sends it. */
  | { kind: 'not_sent'; reason: Exclude<Refusal, 'unknown_price'> };

/** One attempt's answer: the message and its cost, or the gate's refusal (a value, never thrown). */
type Attempt =
  | { sent: true; message: Message; messageJson: string | null; priced: Priced }
  | { sent: false; reason: Refusal };

/**
 * Sends `req`, whose params serialize to `json`, until its outcome is final. With cacheable
 * `prefixes`, each attempt first waits its turn in the cache schedule. Never throws.
 */
export async function executeRequest(
  req: BatchRequest,
  json: string,
  ctx: ExecuteContext,
  prefixes: readonly CachePrefix[] | null = null,
): Promise<Execution> {
  const ticket = prefixes === null || !ctx.cache ? null : ctx.cache.enter(prefixes, req);
  if (ticket === null) return attemptUntilFinal(req, json, ctx, null);
  let usage: Usage | null = null;
  try {
    const execution = await attemptUntilFinal(req, json, ctx, ticket);
    if (execution.kind === 'succeeded') usage = execution.message.usage;
    return execution;
  } finally {
    ticket?.done(usage);
  }
}

async function attemptUntilFinal(
  req: BatchRequest,
  json: string,
  ctx: ExecuteContext,
  ticket: CacheTicket | null,
): Promise<Execution> {
  const { clock, gate, shutdown } = ctx;
  const started = clock.now();
  const stream = ctx.forceStream || req.params.stream === true;
  const body =
    ctx.forceStream && req.params.stream !== true ? JSON.stringify({ ...req.params, stream: true }) : json;
  let ttftMs: number | undefined;

  const attempt = async (): Promise<Attempt> => {
    // Waiting for the group's warm-up holds no slot: the warm-up itself always finds one.
    const turn = ticket?.turn(shutdown.draining) ?? null;
    if (turn !== null) await turn;
    if (!ctx.slots.tryTake()) await ctx.slots.take();
    try {
      const admission =
        gate.admitNow(req.params, shutdown.draining) ?? (await gate.admit(req.params, shutdown.draining));
      if (!admission.ok) return { sent: false, reason: admission.reason };
      const attemptStart = clock.now();
      ttftMs = undefined;
      let begun = false;
      try {
        const { message, messageJson, headers } = await ctx.transport.send(body, {
          stream,
          onFirstContentDelta: stream
            ? () => {
                ttftMs = clock.now() - attemptStart;
              }
            : undefined,
          onBegin:
            ticket === null
              ? undefined
              : () => {
                  begun = true;
                  ticket.begun(attemptStart);
                },
        });
        const priced = ctx.prices.priceUsage(message.usage, req.params.model, message.model);
        gate.settle(admission.ticket, { ok: true, usage: message.usage, costNanos: priced.nanos, headers });
        return { sent: true, message, messageJson, priced };
      } catch (error) {
        gate.settle(admission.ticket, { ok: false, error });
        // A warm-up that failed before its response began hands its role to the next of its group.
        if (!begun) ticket?.failed();
        throw error;
      }
    } finally {
      ctx.slots.release();
      ctx.onAttemptEnd();
    }
  };

  const outcome = await withRetries(attempt, retryOptionsOf(ctx));
  const latencyMs = clock.now() - started;
  const { attempts } = outcome;
  if (outcome.ok) {
    const value = outcome.value;
    if (value.sent) {
      const { message, messageJson, priced } = value;
      return {
        kind: 'succeeded',
        message,
        messageJson,
        priced,
        attempts,
        latencyMs,
        ttftMs: stream ? ttftMs : undefined,
      };
    }
    if (value.reason !== 'unknown_price') return { kind: 'not_sent', reason: value.reason };
    const message = `not sent: model "${req.params.model}" has no price, so its cost cannot be held under --max-cost`;
    return { kind: 'errored', failure: notSentFailure(message, 'no_price'), attempts, latencyMs, stop: null };
  }
  if (outcome.aborted) return { kind: 'not_sent', reason: 'aborted' };
  const { stop } = classify(outcome.error, clock.nowEpochMs());
  return { kind: 'errored', failure: failureOf(outcome.error), attempts, latencyMs, stop };
}

/** The retry options of a run's requests: made once per context, not once per request. */
const retryOptions = new WeakMap<ExecuteContext, RetryOptions>();

function retryOptionsOf(ctx: ExecuteContext): RetryOptions {
  let options = retryOptions.get(ctx);
  if (options === undefined) {
    const { gate } = ctx;
    options = {
      ...ctx.retry,
      clock: ctx.clock,
      signal: ctx.shutdown.aborted,
      onRetry: ctx.onRetry,
      escalate: () => gate.backoffEscalates,
    };
    retryOptions.set(ctx, options);
  }
  return options;
}
