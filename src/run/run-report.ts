/**
 * A normal run's outcome as `runBatch` reports it: the budget in dollars, and why the run stopped
 * early in words for a person, in the report and in its summary. The batches engine reports the
 * normal engine that finishes its job past `--deadline` the same way.
 */
import { nanosToUsd } from '../pricing/cost.js';
import { counted } from '../shorten.js';
import type { RunBatchReport } from './run-batch.js';
import type { RunOutcome } from './run-files.js';
import type { Shard } from './shard.js';
import type { RunStop } from './shutdown.js';

/** The report of a normal run's `outcome`; `keySource` names where the key came from (for a refused key). */
export function reportOf(outcome: RunOutcome, keySource: string, shard: Shard | null): RunBatchReport {
  const budget = outcome.budget && {
    limitUsd: nanosToUsd(outcome.budget.limitNanos),
    spentUsd: nanosToUsd(outcome.budget.spentNanos),
    skipped: outcome.budget.skipped,
  };
  const stop = outcome.stop && describeStop(outcome.stop, keySource, budget, shard);
  // The summary says why the run stopped early, so that a run cut off by its budget reads as such.
  return { ...outcome, budget, stop, summary: { ...outcome.summary, stop }, job: null };
}

/** How many skipped custom_ids a message names before "and N more". */
const IDS_NAMED = 5;

/** The stop as one line for a person: the server's words with what they mean for the run. */
function describeStop(
  stop: RunStop,
  keySource: string,
  budget: RunBatchReport['budget'],
  shard: Shard | null,
): RunStop {
  switch (stop.reason) {
    case 'auth':
      return { ...stop, message: `the gateway refused the key from ${keySource}: ${stop.message}` };
    case 'spend_cap':
      return { ...stop, message: `the account's spend limit is reached: ${stop.message}` };
    case 'budget':
      return budget === null ? stop : { ...stop, message: describeBudget(budget, shard) };
    case 'interrupted':
    case 'write_error':
      return stop;
  }
}

/**
 * `--max-cost $0.5: $0.499 spent; 2 requests skipped, their worst case more than the $0.001 left: q7, q9`;
 * under `--shard 2/4`, `--max-cost $0.5 (shard 2/4's 1/4 of it)`.
 */
function describeBudget(
  { limitUsd, spentUsd, skipped }: NonNullable<RunBatchReport['budget']>,
  shard: Shard | null,
): string {
  const named = skipped.custom_ids.slice(0, IDS_NAMED).join(', ');
  const more = skipped.count > IDS_NAMED ? ` and ${skipped.count - IDS_NAMED} more` : '';
  const left = Math.max(0, limitUsd - spentUsd);
  const share = shard === null ? '' : ` (shard ${shard.k}/${shard.n}'s 1/${shard.n} of it)`;
  return (
    `--max-cost $${limitUsd}${share}: $${round6(spentUsd)} spent; ${counted(skipped.count, 'request')} skipped, ` +
    `their worst case more than the $${round6(left)} left: ${named}${more}`
  );
}

function round6(usd: number): string {
  return String(Math.round(usd * 1e6) / 1e6);
}

/** The report with `stop`, in its summary too. */
export function withStop(report: RunBatchReport, stop: RunStop): RunBatchReport {
  return { ...report, stop, summary: { ...report.summary, stop } };
}
