/**
 * The exit code's gates (`--max-failures`, `--max-failure-rate`): whether a summary passes them.
 * Pure, shared by `run` and `summarize`.
 */
import type { RunSummary } from '../output/summary.js';

export interface Gates {
  /** Errored results tolerated; when undefined, 0 unless `maxFailureRate` is given. */
  maxFailures?: number | undefined;
  /** Share of errored results tolerated (errored / results, 0 to 1). */
  maxFailureRate?: number | undefined;
}

/**
 * Why the summary fails a gate (one line for a person), or null when it passes every gate given.
 * Each gate given must hold; with neither, any errored result fails (`--max-failures 0`). A file
 * with no results has a failure rate of 0.
 */
export function failedGate(summary: RunSummary, gates: Gates): string | null {
  const { errored, total } = summary.requests;
  const maxFailures = gates.maxFailures ?? (gates.maxFailureRate === undefined ? 0 : undefined);
  if (maxFailures !== undefined && errored > maxFailures) {
    return `${errored} requests errored (--max-failures ${maxFailures})`;
  }
  const rate = total === 0 ? 0 : errored / total;
  if (gates.maxFailureRate !== undefined && rate > gates.maxFailureRate) {
    const percent = Math.round(rate * 10_000) / 100;
    return `${errored} of ${total} requests errored (${percent} %), more than --max-failure-rate ${gates.maxFailureRate}`;
  }
  return null;
}
