/**
 * The options of a run, shared by `lp-batch run` and `runBatch()`: the groups of ./shared.ts and
 * those only a run has. Values are in the CLI's units (seconds, USD) in both.
 */
import { BATCH_JOB_OPTIONS, BATCH_WAIT_OPTIONS, ENGINE_OPTIONS } from './batch-job.js';
import { option, type OptionValues, type ResolvedOptions } from './define.js';
import {
  CONNECTION_OPTIONS,
  LINE_OPTIONS,
  PRICING_OPTIONS,
  REPORT_FILE_OPTIONS,
  SENDING_OPTIONS,
} from './shared.js';

/** The values of `--cache` (here, not beside the caching itself: a flag table must load light, see ../cli/index.ts). */
export const CACHE_MODES = ['schedule', 'auto', 'off'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** `--summary FILE`: a run's, and `lp-batch results`'. */
export const SUMMARY_FILE_OPTIONS = {
  /**
   * Also write the summary as JSON to this file (the same object as the report's `summary`).
   * @default no file
   */
  summary: option.string({ arg: 'FILE', describe: 'Also write the summary as JSON to FILE' }),
};

/** How a run treats the results file it finds: a run's, and `lp-batch submit`'s. */
export const RESUME_OPTIONS = {
  /**
   * Start afresh: discard the output file instead of resuming from it.
   * @default false
   */
  overwrite: option.boolean({
    default: false,
    describe: 'Start afresh: discard `<output>` instead of resuming from it',
  }),
  /**
   * On resume, keep earlier errored results instead of sending those requests again.
   * @default false
   */
  skipErrored: option.boolean({
    default: false,
    describe: 'On resume, keep earlier errored results instead of sending those requests again',
  }),
};

/** The order of the final results file: a run's, and `lp-batch results`'. */
export const ORDER_OPTIONS = {
  /**
   * Order of the final output file: `completion` (as results came) or `input` (by input line).
   * @default 'completion'
   */
  order: option.choice({
    choices: ['completion', 'input'],
    arg: 'MODE',
    default: 'completion',
    describe: 'Order of the final `<output>`: `completion` (as results came) or `input` (by input line)',
  }),
};

export const RUN_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...SENDING_OPTIONS,
  ...LINE_OPTIONS,
  ...PRICING_OPTIONS,
  /**
   * Budget in USD: a request whose worst case does not fit what is left is skipped (not sent), smaller
   * ones go on; the run then reports `stop.reason` `budget` (exit 3).
   * @default no budget
   */
  maxCost: option.usd({
    describe:
      'Budget: a request whose worst case does not fit what is left is skipped, smaller ones go on; exit 3 if any was skipped',
  }),
  /**
   * Only the first N requests of the input (its first N non-blank lines, resumed ones included):
   * try a file before paying for all of it. Running the same command again sends nothing more.
   * @default all
   */
  limit: option.count({
    min: 1,
    defaultText: 'all',
    describe:
      'Only the first N requests of `<input>` (non-blank lines, resumed ones included): try a file before paying for all of it',
  }),
  /**
   * Prompt caching: `schedule` sends the first request of each cached prefix alone and the rest of
   * its group once its response has begun, so the group pays one cache write and then reads;
   * `auto` also marks a tools+system prefix other lines share with `cache_control`; `off` neither.
   * With `--engine batches`, `schedule` and `auto` submit the first request of each prefix in a
   * primer batch (1 h TTL) and the rest once it has ended (src/batches/primer.ts).
   * @default 'schedule'
   */
  cache: option.choice({
    choices: CACHE_MODES,
    arg: 'MODE',
    default: 'schedule',
    describe:
      'Prompt caching: `schedule` (the first request of each cached prefix alone, the rest once its answer has begun), `auto` (also mark tools+system prefixes lines share), `off`; with --engine batches, a primer batch first',
  }),
  ...SUMMARY_FILE_OPTIONS,
  ...REPORT_FILE_OPTIONS,
  ...RESUME_OPTIONS,
  ...ORDER_OPTIONS,
  /**
   * After an interrupt (Ctrl-C, SIGTERM, the run's `signal`), how long requests in flight may finish
   * before they are aborted, in seconds.
   * @default 30
   */
  grace: option.seconds({
    allowZero: true,
    default: 30,
    describe:
      'After Ctrl-C / SIGTERM, how long requests in flight may finish before they are aborted, seconds',
  }),
  /**
   * Only the lines whose custom_id falls in shard K of N (`'2/4'`): N runs, one per shard, send every
   * line exactly once between them. `rpm`, `itpm`, `otpm` and `maxCost` are then the whole job's:
   * each shard takes 1/N of each.
   * @default every line
   */
  shard: option.shard({
    defaultText: 'every line',
    describe:
      'Only the lines whose custom_id hashes to shard K of N; `--rpm`, `--itpm`, `--otpm`, `--max-cost` are then for all N together, 1/N each',
  }),
  ...ENGINE_OPTIONS,
  ...BATCH_JOB_OPTIONS,
  ...BATCH_WAIT_OPTIONS,
};

/** Every option of a run, as the library takes them; `undefined` means the default. */
export type RunOptions = OptionValues<typeof RUN_OPTIONS>;

/** A run's options with their defaults filled in and checked. */
export type RunSettings = ResolvedOptions<typeof RUN_OPTIONS>;
