/**
 * The Message Batches API, Anthropic's (`/v1/messages/batches...`) and AI/ML API's variant
 * (`POST /v1/batches`, `GET /v1/batches?batch_id=ID`, `POST /v1/batches/cancel/ID`), over one
 * batch store. Results are JSONL, one line per request, in the order the requests finished.
 */
import { batchObject, type StoredBatch } from '../batch-store.js';
import { validateBatchCreate } from '../batch-validate.js';
import { answerAfterDelay, type Exchange, injectFault, type MockContext } from '../exchange.js';
import { faults } from '../faults.js';
import { sendBody, sendJson } from '../respond.js';
import type { Route } from '../router.js';

type BatchRoute = Extract<
  Route,
  {
    name:
      'batch_create' | 'batch_list' | 'batch_retrieve' | 'batch_cancel' | 'batch_results' | 'aiml_batch_get';
  }
>;

/** Content type of the results file. */
const JSONL = 'application/x-jsonl';

/** Answer one request to a Message Batches endpoint (either provider's paths). */
export async function handleBatches(ctx: MockContext, ex: Exchange, route: BatchRoute): Promise<void> {
  if (ex.chance.fault) return injectFault(ctx, ex, ex.chance.fault, undefined);
  const now = ctx.options.clock.now();
  const { batches } = ctx;
  const notFound = (id: string | undefined): Promise<void> =>
    answerAfterDelay(
      ex,
      faults.apiError(404, 'not_found_error', `No batch found with id ${JSON.stringify(id)}`),
    );

  switch (route.name) {
    case 'batch_create': {
      if (!ex.parsed.ok) return answerAfterDelay(ex, faults.invalidRequest(ex.parsed.message));
      const checked = validateBatchCreate(ex.parsed.value, ex.bodyBytes, {
        maxRequests: ctx.options.batchMaxRequests,
        maxBytes: ctx.options.batchMaxBytes,
      });
      if (!checked.ok) return answerAfterDelay(ex, faults.invalidRequest(checked.message));
      const resultsUrlOf = (id: string): string =>
        route.flavor === 'aiml'
          ? `${ctx.url}${route.base}?batch_id=${id}`
          : `${ctx.url}${route.base}/${id}/results`;
      const batch = batches.create(checked.requests, now, resultsUrlOf);
      return send(ex, route.flavor === 'aiml' ? 201 : 200, batchObject(batch));
    }
    case 'batch_list': {
      const data = batches.list(now).reverse().map(batchObject);
      return send(ex, 200, {
        data,
        has_more: false,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
      });
    }
    case 'batch_retrieve': {
      const batch = batches.get(route.id, now);
      return batch ? send(ex, 200, batchObject(batch)) : notFound(route.id);
    }
    case 'batch_cancel': {
      const batch = batches.cancel(route.id, now);
      return batch ? send(ex, route.flavor === 'aiml' ? 201 : 200, batchObject(batch)) : notFound(route.id);
    }
    case 'batch_results': {
      const batch = batches.get(route.id, now);
      if (!batch) return notFound(route.id);
      if (!batch.ended) return answerAfterDelay(ex, faults.invalidRequest(notEndedMessage(batch)));
      return sendResults(ex, batch);
    }
    case 'aiml_batch_get': {
      if (route.id === undefined) return answerAfterDelay(ex, faults.invalidRequest('batch_id: required'));
      const batch = batches.get(route.id, now);
      if (!batch) return notFound(route.id);
      return batch.ended ? sendResults(ex, batch) : send(ex, 200, batchObject(batch));
    }
  }
}

async function send(ex: Exchange, status: number, value: unknown): Promise<void> {
  if (await ex.delay()) sendJson(ex.out, status, value);
}

async function sendResults(ex: Exchange, batch: StoredBatch): Promise<void> {
  const lines = batch.ended?.lines ?? [];
  if (await ex.delay()) sendBody(ex.out, 200, JSONL, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

function notEndedMessage(batch: StoredBatch): string {
  const status = batch.cancelInitiatedAt === undefined ? 'in_progress' : 'canceling';
  return `Batch ${batch.id} has not ended yet (processing_status ${status}): its results are not available`;
}
