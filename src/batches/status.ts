/**
 * Where a job stands: each batch (from the job file, and as the gateway last described it) and the
 * totals, as `lp-batch status` prints it, `--json` gives it, and a batches run reports its progress.
 */
import type { BatchApi } from '../client/batch-api.js';
import type { BatchInfo, ProcessingStatus } from '../client/batch-info.js';
import type { RequestCounts } from '../types.js';
import type { ProviderName } from '../client/providers.js';
import type { Job } from './job-file.js';

/** One batch of a job. */
export interface BatchStatus {
  /** The gateway's id; null for a batch being created when a run stopped (the next submission settles it). */
  id: string | null;
  /** Its phase in the job's plan, from 0. */
  phase: number;
  /** `creating` for a batch with no id yet. */
  processing_status: ProcessingStatus | 'creating';
  /** Requests it holds, as the job file says. */
  requests: number;
  /** As the gateway counts them; null when it did not say (or was not asked: its results are written). */
  request_counts: RequestCounts | null;
  created_at: string | null;
  ended_at: string | null;
  expires_at: string | null;
  /** Whether its results are in the job's results file. */
  results_written: boolean;
}

/** What `batchStatus` resolves with and `lp-batch status --json` prints. */
export interface BatchJobStatus {
  /** The job file, as given. */
  job: string;
  provider: ProviderName;
  batches: BatchStatus[];
  /** The batches' requests and their counts, summed (a batch without counts adds its requests only). */
  totals: RequestCounts & { requests: number };
  /** Whether every batch has ended (or had its results written). */
  ended: boolean;
}

/** The status of `job` given what the gateway said of its batches (`infos`, by id). Pure. */
export function statusOf(job: Job, shown: string, infos: ReadonlyMap<string, BatchInfo>): BatchJobStatus {
  const batches = job.batches.map((batch): BatchStatus => {
    const info = batch.id === null ? undefined : infos.get(batch.id);
    return {
      id: batch.id,
      phase: batch.phase,
      processing_status:
        batch.id === null
          ? 'creating'
          : (info?.processing_status ?? (batch.results_written ? 'ended' : 'in_progress')),
      requests: batch.requests.size,
      request_counts: info?.request_counts ?? null,
      created_at: info?.created_at ?? null,
      ended_at: info?.ended_at ?? null,
      expires_at: info?.expires_at ?? null,
      results_written: batch.results_written,
    };
  });
  const totals = { requests: 0, processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  for (const batch of batches) {
    totals.requests += batch.requests;
    const counts = batch.request_counts;
    if (counts === null) continue;
    for (const key of ['processing', 'succeeded', 'errored', 'canceled', 'expired'] as const) {
      totals[key] += counts[key];
    }
  }
  const ended = batches.every((batch) => batch.processing_status === 'ended');
  return { job: shown, provider: job.provider, batches, totals, ended };
}

/** Asks the gateway about every batch of `job` that has an id. */
export async function lookAtBatches(job: Job, api: BatchApi): Promise<Map<string, BatchInfo>> {
  const infos = new Map<string, BatchInfo>();
  for (const batch of job.batches) if (batch.id !== null) infos.set(batch.id, await api.retrieve(batch.id));
  return infos;
}
