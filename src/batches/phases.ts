/**
 * A job's plan: which phase each request belongs to, and what is sent for it. The batches of phase k
 * are submitted only once every batch of phase k - 1 has ended, so that a later phase can build on an
 * earlier one (a primer batch that writes a prompt cache, then the batches that read it: ./primer.ts).
 * The default plan has one phase and sends every request as written.
 */
import type { PriceTable } from '../pricing/price-table.js';
import type { BatchRequest, MessageParams } from '../types.js';

/** Where a request goes: its phase (0 to `phases - 1`) and the params submitted for it. */
export interface Placement {
  phase: number;
  /** The params as submitted: the request's own object when the plan changes nothing. */
  params: MessageParams;
}

export interface PhasePlan {
  /** How many phases; at least 1. */
  phases: number;
  /**
   * A fresh planner for one pass over the input: it sees the valid requests in input order and places
   * each. It must place a line the same way on every pass over the same input, since a run stopped
   * between phases reads the input again to submit the next one. `prices` (the job's) resolve aliases.
   */
  planner(prices: PriceTable): (request: BatchRequest) => Placement;
}

/** Every request in one phase, as written. */
export const SINGLE_PHASE: PhasePlan = {
  phases: 1,
  planner: () => (request) => ({ phase: 0, params: request.params }),
};
