/**
 * The simulator's Message Batches: created at once, processed "in parallel" on the injected
 * clock, ended after `batchProcessingMs` (or when canceled, or when a test says so), their results
 * fixed at that moment. Nothing runs in the background: every question first settles the batches
 * whose time has come, in the order they ended, so the clock alone decides what a client sees.
 */
import type { ErrorBody, Message, RequestCounts } from '../types.js';
import type { BatchOutcome, ResolvedMockOptions } from './options.js';
import type { CachePrefix } from './cache-plan.js';
import type { PromptCache } from './prompt-cache.js';
import { type Random, shuffled } from './random.js';
import { buildMockMessage } from './reply.js';
import type { SubmittedRequest } from './batch-validate.js';
import { checkParams } from './validate.js';

/** One line of a batch's results, as the API serves it. */
export interface BatchResultLine {
  custom_id: string;
  result:
    | { type: 'succeeded'; message: Message }
    | { type: 'errored'; error: Omit<ErrorBody, 'request_id'> }
    | { type: 'canceled' }
    | { type: 'expired' };
}

interface StoredRequest extends SubmittedRequest {
  index: number;
  /** When processing this request is done (epoch ms); a cancel before then cancels it. */
  doneAt: number;
  /** Decided at creation by `batchOutcome` or the rates; undefined: by its params. */
  outcome: BatchOutcome | undefined;
}

export interface StoredBatch {
  id: string;
  n: number;
  createdAt: number;
  /** When processing ends if nothing cancels it or ends it sooner. */
  endsAt: number;
  cancelInitiatedAt: number | undefined;
  /** Where the results are served once the batch has ended. */
  resultsUrl: string;
  /** In the order the results are served: the order they finished in, drawn from the seed. */
  requests: StoredRequest[];
  /** Set once processing has ended. */
  ended: { at: number; lines: string[]; counts: RequestCounts } | undefined;
}

type StoreOptions = Pick<
  ResolvedMockOptions,
  'batchProcessingMs' | 'batchCancelMs' | 'batchErrorRate' | 'batchExpireRate' | 'batchOutcome'
>;

const DAY_MS = 24 * 60 * 60_000;

export class BatchStore {
  readonly #batches = new Map<string, StoredBatch>();
  readonly #options: StoreOptions;
  readonly #random: Random;
  readonly #cache: PromptCache;
  #created = 0;

  constructor(options: StoreOptions, random: Random, cache: PromptCache) {
    this.#options = options;
    this.#random = random;
    this.#cache = cache;
  }

  /** Store a new batch created at `now`; `resultsUrlOf` gives its results URL from its id. */
  create(
    submitted: readonly SubmittedRequest[],
    now: number,
    resultsUrlOf: (id: string) => string,
  ): StoredBatch {
    const n = ++this.#created;
    const id = `msgbatch_mock_${n}`;
    const { batchProcessingMs, batchErrorRate, batchExpireRate, batchOutcome } = this.#options;
    const requests = submitted.map((request, index): StoredRequest => {
      const draw = this.#random();
      const chosen = batchOutcome?.({
        batchId: id,
        index,
        custom_id: request.custom_id,
        params: request.params,
      });
      const byRate =
        draw < batchErrorRate ? 'errored' : draw < batchErrorRate + batchExpireRate ? 'expired' : undefined;
      return { ...request, index, doneAt: now, outcome: chosen ?? byRate };
    });
    const order = shuffled(requests, this.#random);
    order.forEach((request, rank) => {
      request.doneAt = now + (batchProcessingMs * (rank + 1)) / order.length;
    });
    const batch: StoredBatch = {
      id,
      n,
      createdAt: now,
      endsAt: now + batchProcessingMs,
      cancelInitiatedAt: undefined,
      resultsUrl: resultsUrlOf(id),
      requests: order,
      ended: undefined,
    };
    this.#batches.set(id, batch);
    this.settle(now);
    return batch;
  }

  /** The batch with this id as it stands at `now`. */
  get(id: string, now: number): StoredBatch | undefined {
    this.settle(now);
    return this.#batches.get(id);
  }

  /** Every batch, oldest first, as they stand at `now`. */
  list(now: number): StoredBatch[] {
    this.settle(now);
    return [...this.#batches.values()];
  }

  /** Begin canceling at `now`: requests not done by then will be `canceled`. An ended batch is left as it is. */
  cancel(id: string, now: number): StoredBatch | undefined {
    this.settle(now);
    const batch = this.#batches.get(id);
    if (batch && !batch.ended && batch.cancelInitiatedAt === undefined) {
      batch.cancelInitiatedAt = now;
      this.settle(now);
    }
    return batch;
  }

  /** End a batch (or every batch still running) at `now`, its unfinished requests finishing now. */
  endNow(id: string | undefined, now: number): void {
    for (const batch of this.#batches.values()) {
      if (batch.ended || (id !== undefined && batch.id !== id)) continue;
      batch.endsAt = Math.min(batch.endsAt, now);
      for (const request of batch.requests) request.doneAt = Math.min(request.doneAt, now);
    }
    this.settle(now);
  }

  /**
   * Process every batch whose end time has come by `now`, earliest first, each at its own end time:
   * its requests consult the prompt cache together and commit their writes after all of them, so
   * no request of a batch sees another's write, and a later batch sees them all.
   */
  settle(now: number): void {
    const due = [...this.#batches.values()]
      .filter((batch) => !batch.ended && this.#endOf(batch) <= now)
      .sort((a, b) => this.#endOf(a) - this.#endOf(b));
    for (const batch of due) this.#process(batch, this.#endOf(batch));
  }

  #endOf(batch: StoredBatch): number {
    if (batch.cancelInitiatedAt === undefined) return batch.endsAt;
    return Math.min(batch.endsAt, batch.cancelInitiatedAt + this.#options.batchCancelMs);
  }

  #process(batch: StoredBatch, at: number): void {
    const counts: RequestCounts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    const writes: CachePrefix[] = [];
    const lines = batch.requests.map((request) => {
      const canceled = batch.cancelInitiatedAt !== undefined && request.doneAt > batch.cancelInitiatedAt;
      const result = canceled ? ({ type: 'canceled' } as const) : this.#resultOf(batch, request, at, writes);
      counts[result.type]++;
      const line: BatchResultLine = { custom_id: request.custom_id, result };
      return JSON.stringify(line);
    });
    this.#cache.commit(writes, at);
    batch.ended = { at, lines, counts };
  }

  #resultOf(
    batch: StoredBatch,
    request: StoredRequest,
    at: number,
    writes: CachePrefix[],
  ): BatchResultLine['result'] {
    const { outcome } = request;
    if (outcome === 'canceled' || outcome === 'expired') return { type: outcome };
    if (outcome === 'errored') return errored('api_error', 'Internal server error');
    if (typeof outcome === 'object') return errored(outcome.errorType, outcome.message);
    const checked = checkParams(request.params, 'params');
    if (!checked.ok) return errored('invalid_request_error', checked.message);
    const consulted = this.#cache.consult(checked.params, at);
    if (!consulted.ok) return errored('invalid_request_error', consulted.message);
    writes.push(...consulted.plan.writes);
    const id = `msg_mock_${batch.n}_${request.index}`;
    return { type: 'succeeded', message: buildMockMessage(checked.params, id, consulted.plan.usage) };
  }
}

function errored(type: string, message: string): BatchResultLine['result'] {
  return { type: 'errored', error: { type: 'error', error: { type, message } } };
}

/** The batch as the API describes it (`GET /v1/messages/batches/{id}`). */
export function batchObject(batch: StoredBatch): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null =>
    ms === undefined ? null : new Date(ms).toISOString();
  const total = batch.requests.length;
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: batch.ended
      ? 'ended'
      : batch.cancelInitiatedAt === undefined
        ? 'in_progress'
        : 'canceling',
    request_counts: batch.ended?.counts ?? {
      processing: total,
      succeeded: 0,
      errored: 0,
      canceled: 0,
      expired: 0,
    },
    ended_at: iso(batch.ended?.at),
    created_at: iso(batch.createdAt),
    expires_at: iso(batch.createdAt + DAY_MS),
    archived_at: null,
    cancel_initiated_at: iso(batch.cancelInitiatedAt),
    results_url: batch.ended ? batch.resultsUrl : null,
  };
}
