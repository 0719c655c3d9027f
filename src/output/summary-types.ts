/**
 * The run summary's shape: the object `--summary FILE` writes, `runBatch` reports and `lp-batch
 * summarize` prints, and what the builder (./summary.ts) learns from a run and tells a progress display.
 */
import type { PriceTier } from '../pricing/price-table.js';
import type { RunStop } from '../run/shutdown.js';
import type { CacheSummary } from './cache-summary.js';

export interface ModelSummary {
  requests: number;
  succeeded: number;
  errored: number;
  /** Requests a Message Batch did not run because it was canceled first. */
  canceled: number;
  /** Requests a Message Batch did not run within its 24 hours. */
  expired: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** USD; null when some succeeded request of this model has no price. */
  cost_usd: number | null;
  latency_ms: { p50: number | null; p95: number | null };
  ttft_ms: { p50: number | null; p95: number | null };
}

export interface RunSummary {
  /**
   * Results in the file (`total`, `succeeded`, `errored`; `canceled` and `expired`: requests a Message
   * Batch did not run, canceled first or past its 24 hours, which a later run sends; `resumed`: from
   * earlier runs), and `not_sent`: requests of the input this run did not send and a later run would
   * (cut off by a stop, skipped for the budget, beyond `--limit`, never read after a stop).
   */
  requests: {
    total: number;
    succeeded: number;
    errored: number;
    canceled: number;
    expired: number;
    resumed: number;
    /** Null from `lp-batch summarize`: a results file does not say what its input held. */
    not_sent: number | null;
  };
  /**
   * Why the run stopped before dealing with every line (`budget`, `interrupted`, `auth`,
   * `spend_cap`, `write_error`), or null when it did not. Always null from `lp-batch summarize`:
   * a results file does not say why its run ended.
   */
  stop: RunStop | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  };
  /** USD of the requests with a known price. */
  cost_usd: number;
  /**
   * The prices the costs are at: `standard` (the Messages API), `batch` (the Message Batches API, 50 %),
   * or `mixed` when the results file holds results of both engines (each priced at its own).
   */
  price_tier: PriceTier | 'mixed';
  /** False when some succeeded request has no price: `cost_usd` then leaves it out. */
  cost_complete: boolean;
  unpriced_models: string[];
  by_model: Record<string, ModelSummary>;
  /** Errored requests by Anthropic's error type, as their lines' `error.error.type` says. */
  errors_by_type: Record<string, number>;
  /** Errored requests by lp-batch's finer kind, as their lines' `error_kind` says. */
  errors_by_kind: Record<string, number>;
  retries: number;
  /**
   * Retries by the Anthropic error type of the failed attempt; null when unknown (`lp-batch
   * summarize`: a results line says how many attempts it took, not why each failed).
   */
  retries_by_type: Record<string, number> | null;
  /** Retries by lp-batch's kind of the failed attempt (`connection`, `http_error`, ...); null when unknown. */
  retries_by_kind: Record<string, number> | null;
  /** Wall time of the run; null from `lp-batch summarize` (not in the results file). */
  wall_ms: number | null;
  /** Results this run wrote (resumed ones aside) per second of wall time; null with `wall_ms`. */
  requests_per_second: number | null;
  /** What prompt caching did over the whole file (see {@link CacheSummary}). */
  cache: CacheSummary;
  /**
   * Under `--max-cost`: the limit, this run's spending, and the requests skipped because their worst
   * case did not fit what was left (their first 100 custom_ids); null without a budget, and from
   * `lp-batch summarize`.
   */
  budget: BudgetSummary | null;
}

export interface BudgetSummary {
  limit_usd: number;
  spent_usd: number;
  skipped: number;
  skipped_custom_ids: string[];
}

/** What the summary learns from the run rather than from its results. */
export interface RunFacts {
  notSent: number;
  budget: BudgetSummary | null;
}

/** Running totals for progress displays; input tokens include cache writes and reads. */
export interface LiveTotals {
  done: number;
  /** Of `done`, the results that came from earlier runs. */
  resumed: number;
  succeeded: number;
  errored: number;
  retries: number;
  costNanos: number;
  inputTokens: number;
  outputTokens: number;
}
