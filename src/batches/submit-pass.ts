/**
 * Submitting one phase of a job: one pass over the input with the run's own line check and resume
 * decision (`LineIntake.take`). An invalid line is written as an errored result at once and never
 * submitted; a line already done in the results file, or already in a batch of the job whose
 * results are not written yet, is left alone; the others of this phase are cut into batches
 * (./packer.ts), each recorded in the job file before it is created and again with its id after.
 */
import type { Clock } from '../clock.js';
import type { BatchApi } from '../client/batch-api.js';
import { ConnectionError } from '../errors.js';
import { type InputSource, readInputBatches } from '../input/input-source.js';
import type { LineDefaults } from '../input/parse-line.js';
import { estimateAttempt } from '../limits/attempt-estimate.js';
import { type Failure, notSentFailure } from '../output/result-line.js';
import type { PriceTable } from '../pricing/price-table.js';
import { LineIntake } from '../run/intake.js';
import { SKIPPED_IDS_KEPT, type Skipped } from '../run/run-files.js';
import type { RecordedRequest } from '../run/recorder.js';
import type { Shutdown } from '../run/shutdown.js';
import type { MessageParams, ShownPath } from '../types.js';
import { type Job, type JobBatch, pendingBatches, writeJobFile } from './job-file.js';
import type { JobOutput } from './job-output.js';
import { findOrphan } from './orphans.js';
import { type BatchLimits, BatchPacker, batchItem, fitsOneBatch, type PackedBatch } from './packer.js';
import type { PhasePlan } from './phases.js';

export interface SubmitContext {
  job: Job;
  jobFile: ShownPath;
  api: BatchApi;
  input: InputSource;
  out: JobOutput;
  defaults: LineDefaults;
  skipErrored: boolean;
  plan: PhasePlan;
  limits: BatchLimits;
  /** The batch tier. */
  prices: PriceTable;
  /** Under `--max-cost`: a line whose model has no price is written as errored (`no_price`), never submitted. */
  budgeted: boolean;
  clock: Clock;
  shutdown: Shutdown;
  warn: (message: string) => void;
}

/** What a submission did. */
export interface SubmitTally {
  /** Requests submitted, in `batches` (their ids, in order). */
  submitted: number;
  batches: string[];
  /** Lines written as errored results instead (invalid, too large for a batch, no price under a budget). */
  refused: number;
  /** Lines whose succeeded result (or kept errored one) is already in the results file. */
  done: number;
  /** Lines already in a batch of the job whose results are not written yet. */
  inBatches: number;
}

/** Submits what phase `phase` holds and no batch yet does. Stops reading when the run is told to stop. */
export async function submitPhase(ctx: SubmitContext, phase: number): Promise<SubmitTally> {
  const tally: SubmitTally = { submitted: 0, batches: [], refused: 0, done: 0, inBatches: 0 };
  const packer = new BatchPacker(ctx.limits);
  const create = async (packed: PackedBatch) => {
    const id = await createBatch(ctx, phase, packed);
    tally.batches.push(id);
    tally.submitted += packed.requests.size;
  };
  for await (const pick of picks(ctx, phase, ctx.warn)) {
    if (ctx.shutdown.draining.aborted) return tally;
    if (pick.kind === 'done' || pick.kind === 'in_batch') {
      tally[pick.kind === 'done' ? 'done' : 'inBatches'] += 1;
      continue;
    }
    if (pick.kind === 'refused') {
      const { line, failure } = pick;
      ctx.out.recorder.errored(line, failure, { attempts: 0, latencyMs: 0 });
      tally.refused += 1;
      continue;
    }
    const full = packer.add(pick.custom_id, { line: pick.line, paramsHash: pick.hash }, pick.item);
    if (full) await create(full);
  }
  const last = packer.finish();
  if (last && !ctx.shutdown.draining.aborted) await create(last);
  return tally;
}

/**
 * The worst case, in nano-dollars at the batch tier, of every request a submission of the job would
 * add (every phase): the one estimator `--max-cost` and `lp-batch estimate` use; and those requests
 * (their count and first custom_ids), which a refused submission leaves unsent. Lines whose model
 * has no price are left out: under a budget they are written as errored, never submitted.
 */
export async function worstCaseOfSubmission(
  ctx: SubmitContext,
): Promise<{ nanos: number; requests: Skipped }> {
  let nanos = 0;
  const requests: Skipped = { count: 0, custom_ids: [] };
  for (let phase = 0; phase < ctx.plan.phases; phase += 1) {
    for await (const pick of picks(ctx, phase, () => {})) {
      if (pick.kind !== 'submit') continue;
      nanos += pick.worstCaseNanos ?? 0;
      requests.count += 1;
      if (requests.custom_ids.length < SKIPPED_IDS_KEPT) requests.custom_ids.push(pick.custom_id);
    }
  }
  return { nanos, requests };
}

/** What a submission does with one line. */
type Pick =
  | { kind: 'done' }
  | { kind: 'in_batch' }
  | { kind: 'refused'; line: RecordedRequest; failure: Failure }
  | {
      kind: 'submit';
      custom_id: string;
      line: number;
      hash: string;
      item: Buffer;
      worstCaseNanos: number | null;
    };

/** The lines of the input as a submission of `phase` sees them (other phases' lines are skipped). */
async function* picks(
  ctx: SubmitContext,
  phase: number,
  warn: (message: string) => void,
): AsyncGenerator<Pick> {
  const intake = new LineIntake({
    file: ctx.input.shown,
    path: ctx.input.kind === 'file' ? ctx.input.path : undefined,
    defaults: ctx.defaults,
    prior: ctx.out.prior,
    skipErrored: ctx.skipErrored,
    batches: true,
  });
  const inBatches = new Set<string>();
  for (const batch of pendingBatches(ctx.job)) for (const id of batch.requests.keys()) inBatches.add(id);
  const place = ctx.plan.planner(ctx.prices);
  for await (const chunk of readInputBatches(ctx.input, ctx.shutdown.draining)) {
    for (const { line, text, invalidUtf8 } of chunk) {
      const taken = intake.take(text, line, warn, invalidUtf8);
      // No shard is given to a submission's intake: every line is its own.
      if (taken.kind === 'other_shard') continue;
      if (taken.kind === 'invalid') {
        if (phase === 0) yield { kind: 'refused', line: taken, failure: notSentFailure(taken.message) };
        continue;
      }
      // Every valid line is shown to the planner, in order, whatever becomes of it: its phase must not
      // depend on what is done already.
      const placed = place(taken.req);
      const lineOfPhase = placed.phase === phase;
      if (taken.kind === 'resumed') {
        if (lineOfPhase) yield { kind: 'done' };
        continue;
      }
      if (inBatches.has(taken.req.custom_id)) {
        if (lineOfPhase) yield { kind: 'in_batch' };
        continue;
      }
      if (!lineOfPhase) continue;
      yield pickOf(ctx, taken, placed.params);
    }
  }
}

/** The pick of a line to submit with `params` (the plan's: the line's own, or changed by its phase). */
function pickOf(
  ctx: SubmitContext,
  taken: Extract<ReturnType<LineIntake['take']>, { kind: 'send' }>,
  params: MessageParams,
): Pick {
  const { req, hash } = taken;
  const json = params === req.params ? taken.json : JSON.stringify(params);
  const where = `${ctx.input.shown}:${req.line}`;
  const id = { ...req, model: req.params.model, paramsHash: hash };
  const worstCaseNanos = estimateAttempt(params, ctx.prices).worstCaseNanos;
  if (ctx.budgeted && worstCaseNanos === null) {
    const message = `not sent: model "${req.params.model}" has no price, so its cost cannot be held under --max-cost`;
    return { kind: 'refused', line: id, failure: notSentFailure(message, 'no_price') };
  }
  const item = batchItem(req.custom_id, json);
  if (!fitsOneBatch(item, ctx.limits)) {
    const message = `${where}: params: ${item.length} bytes as sent, more than one batch may hold (--batch-max-bytes ${ctx.limits.maxBytes})`;
    return { kind: 'refused', line: id, failure: { ...notSentFailure(message), type: 'request_too_large' } };
  }
  return { kind: 'submit', custom_id: req.custom_id, line: req.line, hash, item, worstCaseNanos };
}

/**
 * Records the batch in the job file, creates it, and records its id. A create that fails for good
 * with an answer (the gateway refused it) takes its record back; one whose answer was lost keeps it,
 * for the next run to look for the batch it may have made (see `settleMarks`).
 */
async function createBatch(ctx: SubmitContext, phase: number, packed: PackedBatch): Promise<string> {
  const { job, jobFile, api } = ctx;
  const entry: JobBatch = {
    phase,
    id: null,
    submitted_at: new Date(ctx.clock.nowEpochMs()).toISOString(),
    results_written: false,
    requests: packed.requests,
  };
  job.batches.push(entry);
  await writeJobFile(jobFile.path, job);
  const name = `batch ${job.batches.length} of ${jobFile.shown}`;
  let created;
  try {
    created = await api.create(packed.body, () => findOrphan(api, entry, job, name));
  } catch (error) {
    const lost =
      error instanceof ConnectionError || (error as { cause?: unknown }).cause instanceof ConnectionError;
    if (!lost && !ctx.shutdown.aborted.aborted) {
      job.batches.splice(job.batches.indexOf(entry), 1);
      await writeJobFile(jobFile.path, job);
    }
    throw error;
  }
  entry.id = created.id;
  await writeJobFile(jobFile.path, job);
  return created.id;
}

/**
 * Settles the batches the job file marks as being created (a run stopped between a create call and
 * the record of its answer): the batch found on the gateway is the job's; none found, the mark goes
 * and its requests are submitted again. A gateway that cannot list its batches is not asked: the
 * requests are submitted again, with a warning that the first create may have gone through.
 */
export async function settleMarks(
  job: Job,
  jobFile: ShownPath,
  api: BatchApi,
  warn: (message: string) => void,
): Promise<void> {
  const marks = job.batches.filter((batch) => batch.id === null);
  for (const mark of marks) {
    const name = `batch ${job.batches.indexOf(mark) + 1} of ${jobFile.shown}`;
    const found = await findOrphan(api, mark, job, name);
    if (found !== null) {
      mark.id = found.id;
      warn(`${name} was being created when lp-batch stopped: found it on the gateway (${found.id}), kept`);
    } else {
      job.batches.splice(job.batches.indexOf(mark), 1);
      if (!api.canList) {
        warn(
          `${name} (${mark.requests.size} requests) was being created when lp-batch stopped, and this gateway cannot list its batches to tell whether it was: they are submitted again; if the first create went through, cancel that batch in the gateway's console (it was asked for at ${mark.submitted_at})`,
        );
      }
    }
    await writeJobFile(jobFile.path, job);
  }
}
