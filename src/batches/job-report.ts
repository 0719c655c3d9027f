/**
 * What a batches run reports, as `runBatch` reports a normal run: the summary of the whole results
 * file (with `not_sent`, the budget and the stop), the budget in dollars, and why the run stopped
 * early in words. A job finished past `--deadline` by the normal engine reports one run: the batches'
 * results are this run's, the spending is both engines', the wall time the whole run's.
 */
import type { RunSettings } from '../options/run.js';
import type { BudgetSummary, RunSummary } from '../output/summary.js';
import { nanosToUsd } from '../pricing/cost.js';
import type { RunBatchReport } from '../run/run-batch.js';
import type { RunOutcome, Skipped } from '../run/run-files.js';
import { reportOf as normalReportOf } from '../run/run-report.js';
import type { RunStop } from '../run/shutdown.js';
import type { JobBatch } from './job-file.js';
import type { BatchJobStatus } from './status.js';

/** A job whose batches all ended (or that stopped): its own results. */
export interface Finished {
  /** Built from the results file, without the run's facts (they are put in here). */
  summary: RunSummary;
  stop: RunStop | null;
  /** Lines of the input with no result in the file (never submitted, or in a batch still running). */
  notSent: number;
  unsaved: RunBatchReport['unsaved'];
  /** What the batches of this run cost. */
  batchCostNanos: number;
  /** Requests a submission refused by `--max-cost` left unsent. */
  skipped: Skipped;
}

/** A job the normal engine finished past `--deadline`. */
export interface Fallback {
  outcome: RunOutcome;
  /** Where the key came from, for a refused key. */
  keySource: string;
  /** Results the batches of this run wrote that the normal engine then counted as resumed. */
  batchResults: number;
  batchCostNanos: number;
  batchUnsaved: RunBatchReport['unsaved'];
}

/** How a batches run ended, and its batches as last seen. */
export type Ended = { status: BatchJobStatus } & ({ finished: Finished } | { fallback: Fallback });

/** The report of a batches run that took `wallMs`, before its report files are written. */
export function jobReportOf(ended: Ended, settings: RunSettings, wallMs: number): RunBatchReport {
  const limitUsd = settings.maxCost;
  if ('fallback' in ended) {
    const { outcome, keySource, batchResults, batchCostNanos, batchUnsaved } = ended.fallback;
    const normal = normalReportOf(outcome, keySource, null);
    const spentNanos = batchCostNanos + (outcome.budget?.spentNanos ?? 0);
    const budget =
      limitUsd === undefined
        ? null
        : { limitUsd, spentUsd: nanosToUsd(spentNanos), skipped: outcome.budget?.skipped ?? NONE };
    const summary = mergedSummary(normal.summary, batchResults, wallMs);
    return {
      ...normal,
      summary: { ...summary, budget: budgetSummaryOf(budget) },
      budget,
      unsaved: [...batchUnsaved, ...normal.unsaved],
      job: ended.status,
    };
  }
  const { finished } = ended;
  const budget =
    limitUsd === undefined
      ? null
      : { limitUsd, spentUsd: nanosToUsd(finished.batchCostNanos), skipped: finished.skipped };
  return {
    summary: {
      ...finished.summary,
      requests: { ...finished.summary.requests, not_sent: finished.notSent },
      budget: budgetSummaryOf(budget),
      stop: finished.stop,
    },
    stop: finished.stop,
    notSent: finished.notSent,
    // The input is a regular file, read to its end to account for every line.
    inputRead: true,
    budget,
    concurrency: { final: settings.concurrency, shrinks: 0 },
    unsaved: finished.unsaved,
    job: ended.status,
  };
}

const NONE: Skipped = { count: 0, custom_ids: [] };

function budgetSummaryOf(budget: RunBatchReport['budget']): BudgetSummary | null {
  return (
    budget && {
      limit_usd: budget.limitUsd,
      spent_usd: budget.spentUsd,
      skipped: budget.skipped.count,
      skipped_custom_ids: budget.skipped.custom_ids,
    }
  );
}

/**
 * The normal engine's summary of a run that began on the batches engine: the batches' results were
 * this run's, not an earlier one's, and the wall time is the whole run's.
 */
export function mergedSummary(summary: RunSummary, batchResults: number, wallMs: number): RunSummary {
  const resumed = Math.max(0, summary.requests.resumed - batchResults);
  const fresh = summary.requests.total - resumed;
  return {
    ...summary,
    requests: { ...summary.requests, resumed },
    wall_ms: Math.round(wallMs),
    requests_per_second: wallMs > 0 ? Math.round((fresh / wallMs) * 100_000) / 100 : 0,
  };
}

/** An interruption says what it leaves behind: batches keep running (and are paid for) on the gateway. */
export function describeInterruption(stop: RunStop, running: readonly JobBatch[]): RunStop {
  if (stop.reason !== 'interrupted' || running.length === 0) return stop;
  return {
    reason: 'interrupted',
    message: `interrupted: ${running.length} batches keep running on the gateway; run the same command again to wait for them and write their results (or lp-batch cancel)`,
  };
}
