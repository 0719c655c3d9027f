/**
 * The exit code's gates (`--max-failures`, `--max-failure-rate`): whether a summary passes them.
 * Pure, shared by `run` and `summarize`.
 */
import type { RunSummary } from '../output/summary.js';

export interface Gates {
  /** Errored (or canceled, expired) results tolerated; when undefined, 0 unless `maxFailureRate` is given. */
  maxFailures?: number | undefined;
  /** Share of errored (or canceled, expired) results tolerated (of all results, 0 to 1). */
  maxFailureRate?: number | undefined;
}

/**
 * Why the summary fails a gate (one line for a person), or null when it passes every gate given.
 * Each gate given must hold; with neither, any result that did not succeed fails (`--max-failures
 * 0`). A file with no results has a failure rate of 0.
 */
export function failedGate(summary: RunSummary, gates: Gates): string | null {
  const { errored, canceled, expired, total } = summary.requests;
  // A request its Message Batch did not run (canceled, expired) is no more done than one that errored.
  const failed = errored + canceled + expired;
  const what = failed === errored ? 'errored' : 'did not succeed (errored, canceled or expired)';
  const maxFailures = gates.maxFailures ?? (gates.maxFailureRate === undefined ? 0 : undefined);
  if (maxFailures !== undefined && failed > maxFailures) {
    return `${failed} requests ${what} (--max-failures ${maxFailures})`;
  }
  const rate = total === 0 ? 0 : failed / total;
  if (gates.maxFailureRate !== undefined && rate > gates.maxFailureRate) {
    const percent = Math.round(rate * 10_000) / 100;
    return `${failed} of ${total} requests ${what} (${percent} %), more than --max-failure-rate ${gates.maxFailureRate}`;
  }
  return null;
}
