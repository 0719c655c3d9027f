/**
 * One ended batch's results into the results file: streamed line by line (never the whole file in
 * memory, any order), joined by custom_id to the request the batch holds (its line, its params' hash)
 * and to its input line (model, metadata), and written through the Recorder as a run writes them:
 * succeeded at the batch price, errored with the API's error (`error_kind` `batch_error`), canceled
 * and expired with their type. A result never replaces a succeeded one already in the file.
 */
import type { Clock } from '../clock.js';
import type { BatchApi } from '../client/batch-api.js';
import type { BatchInfo, BatchResult } from '../client/batch-info.js';
import { anthropicErrorType, type Failure } from '../output/result-line.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { RecordedRequest } from '../run/recorder.js';
import { ANTHROPIC_ERROR_TYPES } from '../types.js';
import type { LineInfo } from './input-passes.js';
import type { JobBatch } from './job-file.js';
import type { JobOutput } from './job-output.js';
import { isRecord } from '../is-record.js';

export interface DownloadContext {
  api: BatchApi;
  out: JobOutput;
  /** The batch tier. */
  prices: PriceTable;
  /** Model and metadata of the input lines, by custom_id (see ./input-passes.ts). */
  index: ReadonlyMap<string, LineInfo>;
  clock: Clock;
  warn: (message: string) => void;
  /** Stops reading (the lines read so far are written); the batch is then not complete. */
  stop: AbortSignal;
}

/** What a download did. */
export interface Downloaded {
  /**
   * Every line was read (not stopped). A request with no line in the results (reported in a
   * warning) is not in the file: a later run sends it.
   */
  complete: boolean;
  written: number;
  /** Results not written because the file already had a succeeded one for that custom_id. */
  kept: number;
}

/** Writes the results of `batch` (ended, as `info` says). A download cut off and started again skips what it wrote. */
export async function downloadBatch(
  ctx: DownloadContext,
  batch: JobBatch,
  info: BatchInfo,
): Promise<Downloaded> {
  const { out } = ctx;
  const seen = new Set<string>();
  const latencyMs = latencyOf(batch, info, ctx.clock);
  let written = 0;
  let kept = 0;
  let foreign = 0;
  let bad: { count: number; first: string } | null = null;
  await ctx.api.results(
    info,
    (item) => {
      if (!item.ok) {
        bad = bad ? { ...bad, count: bad.count + 1 } : { count: 1, first: item.reason };
        return;
      }
      const { custom_id, result } = item.line;
      const submitted = batch.requests.get(custom_id);
      if (submitted === undefined) {
        foreign += 1;
        return;
      }
      if (seen.has(custom_id)) return;
      seen.add(custom_id);
      if (out.prior.get(custom_id)?.type === 'succeeded') {
        kept += 1;
        return;
      }
      const known = ctx.index.get(custom_id);
      const req: RecordedRequest = {
        custom_id,
        line: submitted.line,
        metadata: known?.metadata,
        model: known?.model ?? null,
        paramsHash: submitted.paramsHash,
        batchId: info.id,
      };
      write(ctx, req, result, latencyMs);
      written += 1;
    },
    ctx.stop,
  );
  const name = `batch ${info.id}`;
  if (foreign > 0)
    ctx.warn(`${name}: ${foreign} results for custom_ids it was not submitted with: not written`);
  const reading = bad as { count: number; first: string } | null;
  if (reading !== null) {
    ctx.warn(
      `${name}: ${reading.count} lines of its results are not results (${reading.first}): not written`,
    );
  }
  const missing = batch.requests.size - seen.size;
  if (missing > 0 && !ctx.stop.aborted) {
    ctx.warn(
      `${name}: ${missing} of its requests have no line in its results: they are not in ${out.file.shown}, so a later run sends them`,
    );
  }
  return { complete: !ctx.stop.aborted, written, kept };
}

function write(ctx: DownloadContext, req: RecordedRequest, result: BatchResult, latencyMs: number): void {
  const { recorder } = ctx.out;
  switch (result.type) {
    case 'succeeded': {
      const { message } = result;
      const priced = ctx.prices.priceUsage(message.usage, req.model ?? message.model, message.model);
      const model = req.model ?? message.model;
      const execution = {
        kind: 'succeeded',
        message,
        messageJson: null,
        priced,
        attempts: 1,
        latencyMs,
        ttftMs: undefined,
      } as const;
      recorder.succeeded({ ...req, model }, execution);
      return;
    }
    case 'errored':
      recorder.errored(req, batchFailure(result.error), { attempts: 1, latencyMs });
      return;
    case 'canceled':
    case 'expired':
      recorder.notRun(req, result.type, { latencyMs });
  }
}

const ANTHROPIC_TYPES: ReadonlySet<string> = new Set(ANTHROPIC_ERROR_TYPES);

/**
 * The failure a batch's errored result stands for: the API's error body (`{"type":"error","error":
 * {"type","message"},"request_id"}`; a bare `{"type","message"}` is read too). A type that is not
 * one of Anthropic's gives way to `api_error` and leads the message, as for an error answer.
 */
export function batchFailure(error: unknown): Failure {
  const body = isRecord(error) ? error : {};
  const inner = isRecord(body.error) ? body.error : body;
  const sent = typeof inner.type === 'string' && inner.type !== 'error' ? inner.type : 'api_error';
  const said = typeof inner.message === 'string' ? inner.message : 'the batch gave no message';
  const known = ANTHROPIC_TYPES.has(sent);
  return {
    type: anthropicErrorType(sent),
    kind: 'batch_error',
    message: known ? said : `${sent}: ${said}`,
    requestId: typeof body.request_id === 'string' ? body.request_id : null,
    status: null,
  };
}

/** From the batch's creation to its end, as the gateway dates them; else from its submission to now. */
function latencyOf(batch: JobBatch, info: BatchInfo, clock: Clock): number {
  const created = Date.parse(info.created_at ?? '');
  const ended = Date.parse(info.ended_at ?? '');
  if (Number.isFinite(created) && Number.isFinite(ended) && ended >= created) return ended - created;
  return Math.max(0, clock.nowEpochMs() - Date.parse(batch.submitted_at));
}
