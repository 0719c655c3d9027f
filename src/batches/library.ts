/**
 * The Message Batches engine as the library offers it, one function per command: `submitBatches`
 * (`lp-batch submit`), `batchStatus` (`status`), `cancelBatches` (`cancel`) and `fetchBatchResults`
 * (`results`). `runBatch({ engine: 'batches' })` does them all in one call (./run-job.ts).
 */
import { relative, resolve } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { resolveOptions } from '../options/define.js';
import {
  JOB_OPTIONS,
  type JobOptions,
  RESULTS_OPTIONS,
  type ResultsOptions,
  SUBMIT_OPTIONS,
  type SubmitOptions,
} from '../options/batches.js';
import type { RunSummary } from '../output/summary.js';
import { writeReportFiles } from '../run/report-files.js';
import { loadPriceTable } from '../pricing/price-file.js';
import { checkRunPaths, reportFilesOf } from '../run/run-paths.js';
import { type RunStop, Shutdown } from '../run/shutdown.js';
import type { ResultLine, ShownPath } from '../types.js';
import { openBatchConnection } from './batch-connection.js';
import { accountLines } from './input-passes.js';
import type { Job } from './job-file.js';
import { openJobForCommand } from './open-job.js';
import { SINGLE_PHASE } from './phases.js';
import { fileInput, lineDefaultsOf, ResultsTaker, withWritingSession } from './session.js';
import { type BatchJobStatus, lookAtBatches, statusOf } from './status.js';
import { submitPhase } from './submit-pass.js';
import { prepareSubmission, submissionSpec, submitContextOf } from './submitting.js';

/** What only lp-batch itself passes in: the CLI's environment, folder, stdin and shutdown; tests' clocks. */
export interface BatchInternals {
  env?: NodeJS.ProcessEnv;
  /** Relative paths are relative to this folder. Default: the process's. */
  cwd?: string;
  clock?: Clock;
  shutdown?: Shutdown;
  stdin?: () => NodeJS.ReadableStream;
}

/** What the library functions take besides their options: the key and where warnings go. */
interface Callers {
  /** The API key; when absent it is read from the environment as the CLI reads it. Never written anywhere. */
  apiKey?: string | undefined;
  /** Told of each warning, redacted. */
  onWarning?: ((message: string) => void) | undefined;
}

/** What `submitBatches` takes: the files, and every option of `lp-batch submit`. */
export interface SubmitBatchesOptions extends SubmitOptions, Callers {
  /** The JSONL file of requests: a regular file (it is read again to join the results). */
  inputPath: string;
  /** The results file: invalid lines are written to it at once, and the batches' results later. */
  outputPath: string;
  /** Aborting it stops the submission between two batches (those created are in the job file). */
  signal?: AbortSignal | undefined;
}

/** What `submitBatches` resolves with. */
export interface BatchSubmitReport {
  /** The job file, as given (`<output>.job.json` by default). */
  job: string;
  /** The batches created by this call, in order. */
  batches: string[];
  /** Requests submitted in them. */
  submitted: number;
  /** Lines written as errored results instead: invalid, too large for a batch, or no price under `maxCost`. */
  refused: number;
  /** Lines already done in the results file (succeeded, or errored and kept under `skipErrored`). */
  done: number;
  /** Lines already in a batch of the job whose results are not written yet. */
  in_batches: number;
  /** Why it stopped early (`budget`: nothing was submitted; `interrupted`; `write_error`), or null. */
  stop: RunStop | null;
}

/**
 * Submits the requests of `inputPath` that are not done in `outputPath` as Message Batches, and writes
 * the job file. Invalid lines are written to `outputPath` as errored results, never submitted.
 * Throws (UsageError, ResultsFileError, BatchJobError) only when it cannot: a bad option or path, a
 * provider without a batch API, a results file that is not lp-batch output, a call that failed for good.
 */
export function submitBatches(options: SubmitBatchesOptions): Promise<BatchSubmitReport> {
  return submitBatchesWith(options, {});
}

export async function submitBatchesWith(
  options: SubmitBatchesOptions,
  internals: BatchInternals,
): Promise<BatchSubmitReport> {
  const settings = resolveOptions(SUBMIT_OPTIONS, options);
  const shutdown = internals.shutdown ?? new Shutdown();
  const detach = shutdown.interruptOn(options.signal);
  try {
    const { spec } = await submissionSpec({
      ...callOf(options, internals, shutdown),
      settings,
      inputPath: options.inputPath,
      outputPath: options.outputPath,
      plan: SINGLE_PHASE,
    });
    return await withWritingSession(spec, async (session) => {
      const ctx = submitContextOf(session, settings, SINGLE_PHASE);
      const { stop: budgetStop } = await prepareSubmission(ctx, settings.maxCost);
      const tally =
        budgetStop === null
          ? await submitPhase(ctx, 0)
          : { submitted: 0, batches: [], refused: 0, done: 0, inBatches: 0 };
      const closeStop = await session.out.close('completion');
      return {
        job: spec.jobFile.shown,
        batches: tally.batches,
        submitted: tally.submitted,
        refused: tally.refused,
        done: tally.done,
        in_batches: tally.inBatches,
        stop: budgetStop ?? shutdown.reason ?? closeStop,
      };
    });
  } finally {
    detach();
    shutdown.dispose();
  }
}

/** What `batchStatus` and `cancelBatches` take: the job file and the key (the gateway is the job's). */
export interface BatchJobOptions extends JobOptions, Callers {
  /** The job file `submitBatches` or a batches run wrote. */
  jobPath: string;
}

/** Where each batch of a job stands, as the gateway says now. Throws a BatchJobError when a call fails for good. */
export function batchStatus(options: BatchJobOptions): Promise<BatchJobStatus> {
  return batchStatusWith(options, {});
}

/** What `cancelBatches` resolves with: where the batches stand once asked, and which were asked. */
export interface BatchCancelReport extends BatchJobStatus {
  /** The ids of the batches asked to cancel (those in progress); the others had ended or were canceling. */
  canceled: string[];
}

/**
 * Asks the gateway to cancel every batch of the job that is in progress. Their requests not yet run
 * come back `canceled` once the batch has ended: `fetchBatchResults` writes them.
 */
export function cancelBatches(options: BatchJobOptions): Promise<BatchCancelReport> {
  return cancelBatchesWith(options, {});
}

export async function batchStatusWith(
  options: BatchJobOptions,
  internals: BatchInternals,
): Promise<BatchJobStatus> {
  const { status } = await lookAtJob(options, internals, false);
  return status;
}

export async function cancelBatchesWith(
  options: BatchJobOptions,
  internals: BatchInternals,
): Promise<BatchCancelReport> {
  const { status, canceled } = await lookAtJob(options, internals, true);
  return { ...status, canceled };
}

/** The job's batches as the gateway has them, after asking it to cancel those in progress when `cancel`. */
async function lookAtJob(
  options: BatchJobOptions,
  internals: BatchInternals,
  cancel: boolean,
): Promise<{ status: BatchJobStatus; canceled: string[] }> {
  const settings = resolveOptions(JOB_OPTIONS, options);
  const jobFile = { path: resolve(internals.cwd ?? process.cwd(), options.jobPath), shown: options.jobPath };
  const job = await openJobForCommand(jobFile);
  const connection = await openBatchConnection({
    ...settings,
    ...jobConnection(job),
    apiKey: options.apiKey,
    env: internals.env ?? process.env,
    clock: internals.clock ?? systemClock,
  });
  try {
    const infos = await lookAtBatches(job, connection.api);
    const canceled: string[] = [];
    for (const [id, info] of infos) {
      if (!cancel || info.processing_status !== 'in_progress') continue;
      infos.set(id, await connection.api.cancel(id));
      canceled.push(id);
    }
    return { status: statusOf(job, jobFile.shown, infos), canceled };
  } finally {
    await connection.close();
  }
}

/** What `fetchBatchResults` takes: the job file, where the results go, and every option of `lp-batch results`. */
export interface FetchBatchResultsOptions extends ResultsOptions, Callers {
  jobPath: string;
  /** The results file. Default: the job's own (the one given when it was submitted). */
  outputPath?: string | undefined;
  /** Called once per result line, in the order written. */
  onResult?: ((line: ResultLine) => void) | undefined;
  /** Aborting it stops between two lines of a download (what was written stays). */
  signal?: AbortSignal | undefined;
}

/** What `fetchBatchResults` resolves with. */
export interface BatchResultsReport {
  /** The summary of the whole results file, as a run gives it (at the batch price). */
  summary: RunSummary;
  stop: RunStop | null;
  /** Lines of the input with no result in the file: in batches that have not ended, or never submitted. */
  notSent: number;
  /** Batches that have not ended (a later call writes their results), and the requests they hold. */
  waiting: { batches: number; requests: number };
  /** Results the results file could not take (a failed write): paid for, keep them. */
  unsaved: ResultLine[];
}

/**
 * Writes the results of every batch of the job that has ended to the results file (joined to their
 * input lines, as a run writes them), and summarizes the file. Batches still running are counted in
 * `waiting`: call it again once they have ended.
 */
export function fetchBatchResults(options: FetchBatchResultsOptions): Promise<BatchResultsReport> {
  return fetchBatchResultsWith(options, {});
}

export async function fetchBatchResultsWith(
  options: FetchBatchResultsOptions,
  internals: BatchInternals,
): Promise<BatchResultsReport> {
  const settings = resolveOptions(RESULTS_OPTIONS, options);
  const cwd = internals.cwd ?? process.cwd();
  const jobFile = { path: resolve(cwd, options.jobPath), shown: options.jobPath };
  const job = await openJobForCommand(jobFile);
  const output =
    options.outputPath === undefined ? shownOf(job.output, cwd) : pathOf(options.outputPath, cwd);
  const input = fileInput(shownOf(job.input, cwd).shown, cwd, internals.stdin ?? (() => process.stdin));
  const files = reportFilesOf(settings, output, cwd);
  checkRunPaths(input, output, files, [], jobFile);
  const prices = await loadPriceTable({
    file: settings.pricing ?? job.pricing ?? undefined,
    cwd,
    tier: 'batch',
  });
  const shutdown = internals.shutdown ?? new Shutdown();
  const detach = shutdown.interruptOn(options.signal);
  const call = callOf(options, internals, shutdown);
  try {
    const spec = {
      ...call,
      input,
      output,
      jobFile,
      connection: { ...settings, ...jobConnection(job) },
      prices,
      overwrite: false,
      openJob: () => openJobForCommand(jobFile),
    };
    return await withWritingSession(spec, async (session) => {
      const started = call.clock.now();
      const own = session.out.file.path === session.job.output;
      const batches = session.job.batches.filter((batch) => !own || !batch.results_written);
      const taker = new ResultsTaker(session);
      await taker.prepare(batches.filter((batch) => batch.id !== null));
      const waiting = { batches: 0, requests: 0 };
      for (const batch of batches) {
        const info =
          batch.id === null || shutdown.draining.aborted ? null : await session.api.retrieve(batch.id);
        if (info?.processing_status === 'ended') await taker.take(batch, info);
        else {
          waiting.batches += 1;
          waiting.requests += batch.requests.size;
        }
      }
      const accounting = await accountLines(input, lineDefaultsOf(session.job), session.out);
      const closeStop = await session.out.close(settings.order);
      const summary = session.out.summary.build(call.clock.now() - started);
      const summaryStop = await writeReportFiles(files, summary);
      return {
        summary,
        stop: shutdown.reason ?? closeStop ?? summaryStop,
        notSent: accounting.notInFile,
        waiting,
        unsaved: session.out.unsaved,
      };
    });
  } finally {
    detach();
    shutdown.dispose();
  }
}

/** The connection options a job's commands take from the job file. */
export function jobConnection(job: Job) {
  return {
    provider: job.provider,
    baseUrl: job.base_url,
    batchApi: { path: job.batch_path, dialect: job.batch_dialect },
  };
}

function callOf(
  options: Callers & { onResult?: ((line: ResultLine) => void) | undefined },
  internals: BatchInternals,
  shutdown: Shutdown,
) {
  return {
    apiKey: options.apiKey,
    env: internals.env ?? process.env,
    cwd: internals.cwd ?? process.cwd(),
    stdin: internals.stdin ?? (() => process.stdin),
    clock: internals.clock ?? systemClock,
    shutdown,
    onWarning: options.onWarning,
    onResult: options.onResult,
  };
}

function pathOf(given: string, cwd: string): ShownPath {
  return { path: resolve(cwd, given), shown: given };
}

/** An absolute path from a job file, shown relative to the current folder when that is shorter. */
function shownOf(path: string, cwd: string): ShownPath {
  const near = relative(cwd, path);
  return { path, shown: near !== '' && near.length < path.length ? near : path };
}
