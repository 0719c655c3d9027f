/**
 * `batchStatus` and `cancelBatches`, the library's `lp-batch status` and `lp-batch cancel`: the job's
 * batches as the gateway has them, after asking it to cancel those in progress for `cancel`.
 */
import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import { type JobOptions, JOB_OPTIONS } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import { openBatchConnection } from './batch-connection.js';
import { type BatchInternals, type Callers, jobConnection } from './library.js';
import { openJobForCommand } from './open-job.js';
import { type BatchJobStatus, lookAtBatches, statusOf } from './status.js';

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
