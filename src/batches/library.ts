/**
 * The Message Batches engine as the library offers it, one function per command: `submitBatches`
 * (`lp-batch submit`) here, `batchStatus` and `cancelBatches` (`status`, `cancel`) in
 * ./library-status.ts, `fetchBatchResults` (`results`) in ./library-results.ts, and what they share.
 * `runBatch({ engine: 'batches' })` does them all in one call (./run-job.ts).
 */
import { type Clock, systemClock } from '../clock.js';
import { SUBMIT_OPTIONS, type SubmitOptions } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import { type RunStop, Shutdown } from '../run/shutdown.js';
import type { ResultLine } from '../types.js';
import type { Job } from './job-file.js';
import { SINGLE_PHASE } from './phases.js';
import { withWritingSession } from './session.js';
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
export interface Callers {
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

/** The connection options a job's commands take from the job file. */
export function jobConnection(job: Job) {
  return {
    provider: job.provider,
    baseUrl: job.base_url,
    batchApi: { path: job.batch_path, dialect: job.batch_dialect },
  };
}

/** What every library function passes on of its caller's options and lp-batch's internals. */
export function callOf(
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
