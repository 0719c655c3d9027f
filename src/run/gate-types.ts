/**
 * The dispatch gate's public shapes: its options, the admission answer and ticket, the outcome an
 * attempt settles with, and the state it reports.
 */
import type { ResponseHeaders } from '../errors.js';
import type { Usage } from '../types.js';
import type { Clock } from './clock.js';

/** Options of `DispatchGate`. */
export interface GateOptions {
  /** `--concurrency`: the most attempts in flight, and where adaptive concurrency starts. */
  maxConcurrency: number;
  /** Shrink concurrency on 529/429 and grow it back (default true); false holds it at `maxConcurrency`. */
  adaptive?: boolean | undefined;
  /** `--rpm`, `--itpm`, `--otpm`: per-minute rates; undefined means no limit. */
  rpm?: number | undefined;
  itpm?: number | undefined;
  otpm?: number | undefined;
  /** `--max-cost` in USD; undefined means no budget. */
  maxCostUsd?: number | undefined;
  /**
   * Longest global pause one 429 `retry-after` or one set of rate-limit headers may cause, ms.
   * Default 60,000 (the run's `maxRetryWaitMs` default): a longer ask is a broken gateway.
   */
  maxPauseMs?: number | undefined;
  /** Called when adaptive concurrency moves, with the new value (e.g. to set p-limit's `concurrency`). */
  onConcurrencyChange?: ((concurrency: number) => void) | undefined;
  clock: Clock;
}

/** Proof that one attempt was admitted; hand it to `DispatchGate.settle` exactly once. */
export interface AttemptTicket {
  /** `clock.now()` at admission: when the attempt was sent. */
  readonly admittedAt: number;
  /** Input tokens charged to ITPM (the estimate). */
  readonly inputTokens: number;
  /** Output tokens reserved from OTPM (`max_tokens`). */
  readonly maxTokens: number;
}

export type Admission =
  { ok: true; ticket: AttemptTicket } | { ok: false; reason: 'over_budget' | 'unknown_price' | 'aborted' };

/** How an attempt ended. `costNanos` null: the cost cannot be computed, so the worst case is recorded. */
export type AttemptOutcome =
  | { ok: true; usage: Usage; costNanos: number | null; headers: ResponseHeaders }
  | { ok: false; error: unknown };

export interface GateBudget {
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** Settled spending reached the limit, or a request was refused with nothing in flight to wait for. */
  exhausted: boolean;
}

export interface GateStats {
  concurrency: number;
  /** Times adaptive concurrency was cut. */
  shrinks: number;
  /** Total ms the head of the line slept on buckets and pauses. */
  waitedMs: number;
}

export const GATE_DEFAULTS = { maxPauseMs: 60_000 } as const;
