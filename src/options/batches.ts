/**
 * The tables of the commands of the Message Batches engine (see ./define.ts): `submit` (what a batches
 * run does before it waits), and the commands that read a job file (`status`, `cancel`, `results`),
 * which need no more than the key, the run's headers and the limits of a call: the gateway is the job's.
 */
import { BATCH_JOB_OPTIONS } from './batch-job.js';
import { ORDER_OPTIONS, RESUME_OPTIONS, SUMMARY_FILE_OPTIONS } from './run.js';
import { option, type OptionValues, type ResolvedOptions } from './define.js';
import {
  CONNECTION_OPTIONS,
  LINE_OPTIONS,
  PRICING_OPTIONS,
  REPORT_FILE_OPTIONS,
  SENDING_OPTIONS,
} from './shared.js';

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
  ...SUMMARY_FILE_OPTIONS,
  ...REPORT_FILE_OPTIONS,
  ...ORDER_OPTIONS,
};

/** `lp-batch submit IN OUT`: what a batches run does before it waits. */
export const SUBMIT_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...CALL_OPTIONS,
  ...LINE_OPTIONS,
  ...PRICING_OPTIONS,
  ...BATCH_JOB_OPTIONS,
  /**
   * Budget in USD: when the worst case of everything that would be submitted (at the batch price)
   * is over it, nothing is submitted (`stop.reason` `budget`, exit 3). A batch cannot stop halfway
   * through its requests: all or none.
   * @default no budget
   */
  maxCost: option.usd({
    describe:
      'Budget: when the worst case of all that would be submitted (at the batch price) is over it, nothing is; exit 3',
  }),
  ...RESUME_OPTIONS,
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
