/**
 * A batch recorded as being created (`id: null`) when the run stopped, or whose create call lost its
 * answer: the gateway may have created it. Before its requests are submitted again, the gateway's
 * list of batches is searched for it, so that a kill -9 at the wrong moment does not pay twice.
 *
 * What identifies it, since the list shows no custom_id: created since the mark was written (less
 * CLOCK_SKEW_MS, this machine's clock and the gateway's may differ), holding as many requests as the
 * mark, not canceled, and not already one of the job's batches. A gateway with no list (AI/ML API)
 * cannot be searched: that narrow window is accepted there, with a warning.
 */
import type { BatchApi } from '../client/batch-api.js';
import { type BatchInfo, totalOf } from '../client/batch-info.js';
import { BatchJobError } from '../errors.js';
import type { Job, JobBatch } from './job-file.js';

/** How much earlier than the mark the gateway's clock may date the batch. */
export const CLOCK_SKEW_MS = 10 * 60_000;

/** The batches of `listed` that could be the one `marked` stands for. Pure. */
export function orphanCandidates(marked: JobBatch, listed: readonly BatchInfo[], job: Job): BatchInfo[] {
  const known = new Set(job.batches.map((batch) => batch.id));
  const since = Date.parse(marked.submitted_at) - CLOCK_SKEW_MS;
  return listed.filter((batch) => {
    const created = Date.parse(batch.created_at ?? '');
    return (
      !known.has(batch.id) &&
      batch.cancel_initiated_at === null &&
      (!Number.isFinite(created) || created >= since) &&
      totalOf(batch.request_counts) === marked.requests.size
    );
  });
}

/**
 * The batch the gateway created for `marked`, or null when it created none (or cannot be asked:
 * `api.canList` false). `name` says which batch of which job, for messages.
 * @throws BatchJobError when several batches could be it: lp-batch cannot tell, the user can
 */
export async function findOrphan(
  api: BatchApi,
  marked: JobBatch,
  job: Job,
  name: string,
): Promise<BatchInfo | null> {
  if (!api.canList) return null;
  const listed = await api.listSince(Date.parse(marked.submitted_at) - CLOCK_SKEW_MS);
  const candidates = orphanCandidates(marked, listed, job);
  if (candidates.length <= 1) return candidates[0] ?? null;
  const ids = candidates.map((batch) => batch.id).join(', ');
  throw new BatchJobError(
    `${name} was being created when lp-batch stopped, and ${candidates.length} batches of its size were created since (${ids}): lp-batch cannot tell which is this job's; cancel those that are not (they then no longer count), and run again`,
  );
}
