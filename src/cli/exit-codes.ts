/** The exit codes of lp-batch, as documented in the README. */
export const EXIT = {
  /** Every request succeeded (or no more errored than --max-failures). */
  ok: 0,
  /** More requests errored than --max-failures allows. */
  failures: 1,
  /** Usage, configuration, authentication or spend-cap error. */
  config: 2,
  /** --max-cost reached: dispatching stopped, requests not sent are left for a later run. */
  budget: 3,
  /** Interrupted by SIGINT or SIGTERM. */
  interrupted: 130,
} as const;
