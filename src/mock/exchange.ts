/**
 * What every route handler is given: the simulator's shared state (`MockContext`) and one request
 * in progress (`Exchange`), with the few steps all routes share.
 */
import type { MessageParams } from '../types.js';
import type { BatchStore } from './batch-store.js';
import type { Chance } from './chance.js';
import type { Fault, FaultKind } from './faults.js';
import type { ResolvedMockOptions } from './options.js';
import type { PromptCache } from './prompt-cache.js';
import type { Random } from './random.js';
import type { RequestLimit } from './rate-limit.js';
import type { RecordedRequest } from './recorded.js';
import { buildMockMessage } from './reply.js';
import { type Responder, sendFault } from './respond.js';
import type { ParsedBody } from './validate.js';

export interface MockServerStats {
  /** Requests received. */
  received: number;
  /** Responses started, by HTTP status. */
  byStatus: Record<number, number>;
  /** Faults acted out (from the `fault` option and from the rates), by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Requests being answered now (arrived, response not yet closed). */
  inFlight: number;
  peakInFlight: number;
  /** 529s sent because maxConcurrent was reached. */
  overCapacity: number;
  /** 429s sent because `rpm` was reached. */
  rateLimited: number;
}

/** The simulator's state, shared by every request. */
export interface MockContext {
  options: ResolvedMockOptions;
  random: Random;
  cache: PromptCache;
  batches: BatchStore;
  rpm: RequestLimit | undefined;
  stats: MockServerStats;
  /** Base URL, known once the server listens. */
  url: string;
  /** `/v1/messages` requests holding a `maxConcurrent` slot. */
  slots: number;
}

/** One request being answered. */
export interface Exchange {
  n: number;
  out: Responder;
  recorded: RecordedRequest;
  /** Size of the body as received. */
  bodyBytes: number;
  parsed: ParsedBody;
  /** This request's draw of faults and jitter. */
  chance: Chance;
  /** Hold a `maxConcurrent` slot until the response closes. */
  holdSlot(): void;
  /** Wait the latency plus jitter; false when the response closed or the server began closing meanwhile. */
  delay(): Promise<boolean>;
}

/** What a fault that sends part of a reply uses when the request itself was not valid. */
const FALLBACK_PARAMS: MessageParams = {
  model: 'mock',
  max_tokens: 64,
  messages: [{ role: 'user', content: '(invalid request)' }],
};

/**
 * Act out an injected fault (from the `fault` option or the rates) after the latency, counting it
 * in `stats.faults`. `params` give the reply the faults that send part of one are cut from (a
 * placeholder when the request had none that are valid).
 */
export function injectFault(
  ctx: MockContext,
  ex: Exchange,
  fault: Fault,
  params: MessageParams | undefined,
): Promise<void> {
  ctx.stats.faults[fault.kind] = (ctx.stats.faults[fault.kind] ?? 0) + 1;
  return answerAfterDelay(ex, fault, params);
}

/** Answer with `fault` after the latency: the way every error answer (a 400 too) goes out. */
export async function answerAfterDelay(
  ex: Exchange,
  fault: Fault,
  params: MessageParams | undefined = undefined,
): Promise<void> {
  if (!(await ex.delay())) return;
  sendFault(ex.out, fault, buildMockMessage(params ?? FALLBACK_PARAMS, ex.n), params?.stream === true);
}
