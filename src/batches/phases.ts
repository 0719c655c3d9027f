/**
 * A job's plan: which phase each request belongs to. The batches of phase k are submitted only once
 * every batch of phase k - 1 has ended, so that a later phase can build on an earlier one (a primer
 * batch that writes a prompt cache, then the batches that read it). The default plan has one phase.
 */
import type { BatchRequest } from '../types.js';

export interface PhasePlan {
  /** How many phases; at least 1. */
  phases: number;
  /**
   * A fresh planner for one pass over the input: it sees the valid requests in input order and gives
   * each its phase (0 to `phases - 1`). It must give a line the same phase on every pass over the
   * same input, since a run stopped between phases reads the input again to submit the next one.
   */
  planner(): (request: BatchRequest) => number;
}

/** Every request in one phase. */
export const SINGLE_PHASE: PhasePlan = { phases: 1, planner: () => () => 0 };
