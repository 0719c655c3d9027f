/**
 * Tallies results into the run summary: requests, tokens and money per model and in total, errors and
 * retries by type, latency and time-to-first-token percentiles. Money is summed in nano-dollars.
 * A run feeds it as results come; `lp-batch summarize` feeds it a results file's lines (./summarize.ts).
 * What it builds is the shape of ./summary-types.ts.
 */
import { nanosToUsd } from '../pricing/cost.js';
import type { PriceTier } from '../pricing/price-table.js';
import type { AnthropicErrorType, ErrorKind, NotRunType, Usage } from '../types.js';
import { cacheSummary } from './cache-summary.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { LiveTotals, ModelSummary, RunFacts, RunSummary } from './summary-types.js';

// The shape is summary-types.ts's; those who build or read a summary import it from here too.
export type { BudgetSummary, LiveTotals, ModelSummary, RunFacts, RunSummary } from './summary-types.js';

interface ModelTally {
  requests: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  costNanos: number;
  unpriced: number;
  /** Fixed-size, whatever the number of results (see ./latency-histogram.ts for its error). */
  latency: LatencyHistogram;
  ttft: LatencyHistogram;
}

/** Model name used for lines that never named one (not JSON, say). */
export const NO_MODEL = '(none)';

export class SummaryBuilder {
  /** The tier of the results this run priced when none was priced (a run with no succeeded result). */
  readonly #defaultTier: PriceTier;
  readonly #tiers = new Set<PriceTier>();
  readonly #models = new Map<string, ModelTally>();
  readonly #errors = new Map<string, number>();
  readonly #errorKinds = new Map<string, number>();
  readonly #retries = new Map<string, number>();
  readonly #retryKinds = new Map<string, number>();
  #retryCount = 0;
  /** Retries known only by number (from a results line's `attempts`), not by why they failed. */
  #untypedRetries = 0;
  #resumed = 0;
  /** What prompt caching saved, over the priced results. */
  #cacheSavedNanos = 0;

  /** `tier`: the prices of the engine that builds it (`batch` for the batches engine). */
  constructor(tier: PriceTier = 'standard') {
    this.#defaultTier = tier;
  }

  /**
   * A succeeded request. `costNanos` null: the model has no price. Resumed results count as such.
   * `tier`: the prices `costNanos` is at (default: the builder's). `cacheSavedNanos`: what prompt
   * caching saved on it (null: no price).
   */
  addSucceeded(
    model: string,
    usage: Usage,
    costNanos: number | null,
    timing: { latencyMs?: number; ttftMs?: number | undefined; resumed?: boolean; tier?: PriceTier },
    cacheSavedNanos: number | null = 0,
  ): void {
    this.#tiers.add(timing.tier ?? this.#defaultTier);
    const t = this.#tally(model);
    t.requests += 1;
    t.succeeded += 1;
    t.input += usage.input_tokens;
    t.output += usage.output_tokens;
    t.cacheWrite += usage.cache_creation_input_tokens ?? 0;
    t.cacheRead += usage.cache_read_input_tokens ?? 0;
    if (costNanos === null) t.unpriced += 1;
    else t.costNanos += costNanos;
    this.#cacheSavedNanos += cacheSavedNanos ?? 0;
    if (timing.resumed) this.#resumed += 1;
    if (timing.latencyMs !== undefined) t.latency.add(timing.latencyMs);
    if (timing.ttftMs !== undefined) t.ttft.add(timing.ttftMs);
  }

  /** A request that failed for good (or was never sent because its line was bad). */
  addErrored(
    model: string,
    type: AnthropicErrorType,
    kind: ErrorKind,
    opts: { resumed?: boolean } = {},
  ): void {
    const t = this.#tally(model);
    t.requests += 1;
    t.errored += 1;
    count(this.#errors, type);
    count(this.#errorKinds, kind);
    if (opts.resumed) this.#resumed += 1;
  }

  /** A request a Message Batch did not run (canceled or expired). */
  addNotRun(model: string, type: NotRunType, opts: { resumed?: boolean } = {}): void {
    const t = this.#tally(model);
    t.requests += 1;
    t[type] += 1;
    if (opts.resumed) this.#resumed += 1;
  }

  addRetry(type: AnthropicErrorType, kind: ErrorKind): void {
    this.#retryCount += 1;
    count(this.#retries, type);
    count(this.#retryKinds, kind);
  }

  /** `count` retries whose failures are not known (a results line only says how many attempts it took). */
  addRetries(count: number): void {
    this.#retryCount += count;
    this.#untypedRetries += count;
  }

  /** Live totals for progress displays. */
  get totals(): LiveTotals {
    const totals = {
      done: 0,
      resumed: this.#resumed,
      succeeded: 0,
      errored: 0,
      retries: this.#retryCount,
      costNanos: 0,
      inputTokens: 0,
      outputTokens: 0,
    };
    let notRun = 0;
    for (const t of this.#models.values()) {
      totals.succeeded += t.succeeded;
      totals.errored += t.errored;
      notRun += t.canceled + t.expired;
      totals.costNanos += t.costNanos;
      totals.inputTokens += t.input + t.cacheWrite + t.cacheRead;
      totals.outputTokens += t.output;
    }
    totals.done = totals.succeeded + totals.errored + notRun;
    return totals;
  }

  /**
   * The summary. `wallMs` and `facts` null: not known (a results file read afresh, `lp-batch
   * summarize`). The stop is the run's to say once it is put in words (see run-batch.ts).
   */
  build(wallMs: number | null, facts: RunFacts | null = { notSent: 0, budget: null }): RunSummary {
    const byModel: Record<string, ModelSummary> = {};
    const usage = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    const notSent = facts?.notSent ?? null;
    const requests = {
      total: 0,
      succeeded: 0,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: this.#resumed,
      not_sent: notSent,
    };
    const unpriced: string[] = [];
    let costNanos = 0;
    for (const [model, t] of [...this.#models].sort(([a], [b]) => a.localeCompare(b))) {
      byModel[model] = {
        requests: t.requests,
        succeeded: t.succeeded,
        errored: t.errored,
        canceled: t.canceled,
        expired: t.expired,
        input_tokens: t.input,
        output_tokens: t.output,
        cache_creation_input_tokens: t.cacheWrite,
        cache_read_input_tokens: t.cacheRead,
        cost_usd: t.unpriced > 0 ? null : nanosToUsd(t.costNanos),
        latency_ms: percentiles(t.latency),
        ttft_ms: percentiles(t.ttft),
      };
      if (t.unpriced > 0) unpriced.push(model);
      requests.total += t.requests;
      requests.succeeded += t.succeeded;
      requests.errored += t.errored;
      requests.canceled += t.canceled;
      requests.expired += t.expired;
      usage.input_tokens += t.input;
      usage.output_tokens += t.output;
      usage.cache_creation_input_tokens += t.cacheWrite;
      usage.cache_read_input_tokens += t.cacheRead;
      costNanos += t.costNanos;
    }
    const typed = this.#untypedRetries === 0;
    return {
      requests,
      stop: null,
      usage,
      cost_usd: nanosToUsd(costNanos),
      price_tier: this.#tierShown(),
      cost_complete: unpriced.length === 0,
      unpriced_models: unpriced,
      by_model: byModel,
      errors_by_type: sorted(this.#errors),
      errors_by_kind: sorted(this.#errorKinds),
      retries: this.#retryCount,
      retries_by_type: typed ? sorted(this.#retries) : null,
      retries_by_kind: typed ? sorted(this.#retryKinds) : null,
      wall_ms: wallMs === null ? null : Math.round(wallMs),
      requests_per_second: wallMs === null ? null : perSecond(requests.total - this.#resumed, wallMs),
      cache: cacheSummary(usage, this.#cacheSavedNanos),
      budget: facts?.budget ?? null,
    };
  }

  #tierShown(): PriceTier | 'mixed' {
    if (this.#tiers.size > 1) return 'mixed';
    const [only] = this.#tiers;
    return only ?? this.#defaultTier;
  }

  #tally(model: string): ModelTally {
    let t = this.#models.get(model);
    if (!t) {
      t = {
        requests: 0,
        succeeded: 0,
        errored: 0,
        canceled: 0,
        expired: 0,
        input: 0,
        output: 0,
        cacheWrite: 0,
        cacheRead: 0,
        costNanos: 0,
        unpriced: 0,
        latency: new LatencyHistogram(),
        ttft: new LatencyHistogram(),
      };
      this.#models.set(model, t);
    }
    return t;
  }
}

function perSecond(results: number, wallMs: number): number {
  return wallMs > 0 ? Math.round((results / wallMs) * 100_000) / 100 : 0;
}

function count(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sorted(counts: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Nearest-rank median and 95th percentile, or nulls for no samples: exact below 256 ms, above that
 * less than 1/128 below the true value (see ./latency-histogram.ts).
 */
export function percentiles(samples: LatencyHistogram): { p50: number | null; p95: number | null } {
  return { p50: samples.quantile(0.5), p95: samples.quantile(0.95) };
}
