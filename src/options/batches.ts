/**
 * The tables of the commands of the Message Batches engine (see ./define.ts): `submit` (what a batches
 * run does before it waits), and the commands that read a job file (`status`, `cancel`, `results`),
 * which need no more than the key, the run's headers and the limits of a call: the gateway is the job's.
 */
import { BATCH_JOB_OPTIONS } from './batch-job.js';
import type { OptionValues, ResolvedOptions } from './define.js';
import { RUN_OPTIONS } from './run.js';
import { CONNECTION_OPTIONS, LINE_OPTIONS, PRICING_OPTIONS, SENDING_OPTIONS } from './shared.js';

/** What the commands that read a job file take of a run's sending options: the limits of one call. */
const CALL_OPTIONS: Pick<
  typeof SENDING_OPTIONS,
  'maxRetries' | 'maxRetryWait' | 'timeout' | 'idleTimeout' | 'maxResponseBytes'
> = {
  maxRetries: SENDING_OPTIONS.maxRetries,
  maxRetryWait: SENDING_OPTIONS.maxRetryWait,
  timeout: SENDING_OPTIONS.timeout,
  idleTimeout: SENDING_OPTIONS.idleTimeout,
  maxResponseBytes: SENDING_OPTIONS.maxResponseBytes,
};

/** The key and the run's headers: the gateway and its base URL are the job file's. */
const KEY_OPTIONS: Pick<typeof CONNECTION_OPTIONS, 'apiKeyEnv' | 'header' | 'allowInsecureHttp'> = {
  apiKeyEnv: CONNECTION_OPTIONS.apiKeyEnv,
  header: CONNECTION_OPTIONS.header,
  allowInsecureHttp: CONNECTION_OPTIONS.allowInsecureHttp,
};

/** `lp-batch status JOB` and `lp-batch cancel JOB`. */
export const JOB_OPTIONS = { ...KEY_OPTIONS, ...CALL_OPTIONS };

/** `lp-batch results JOB [OUTPUT]`. */
export const RESULTS_OPTIONS = {
  ...JOB_OPTIONS,
  ...PRICING_OPTIONS,
  summary: RUN_OPTIONS.summary,
  order: RUN_OPTIONS.order,
};

/** `lp-batch submit IN OUT`: what a batches run does before it waits. */
export const SUBMIT_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...CALL_OPTIONS,
  ...LINE_OPTIONS,
  ...PRICING_OPTIONS,
  ...BATCH_JOB_OPTIONS,
  maxCost: RUN_OPTIONS.maxCost,
  overwrite: RUN_OPTIONS.overwrite,
  skipErrored: RUN_OPTIONS.skipErrored,
};

/** Every option of `submitBatches`, as the library takes them; `undefined` means the default. */
export type SubmitOptions = OptionValues<typeof SUBMIT_OPTIONS>;
export type SubmitSettings = ResolvedOptions<typeof SUBMIT_OPTIONS>;

/** Every option of `batchStatus` and `cancelBatches`. */
export type JobOptions = OptionValues<typeof JOB_OPTIONS>;
export type JobSettings = ResolvedOptions<typeof JOB_OPTIONS>;

/** Every option of `fetchBatchResults`. */
export type ResultsOptions = OptionValues<typeof RESULTS_OPTIONS>;
export type ResultsSettings = ResolvedOptions<typeof RESULTS_OPTIONS>;
