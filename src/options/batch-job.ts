/**
 * The option groups of the Message Batches engine (see ./define.ts): which engine a run uses, the job
 * and its batches (`submit` and `run --engine batches`), and how a run waits for them. The commands'
 * tables are in ./batches.ts.
 */
import { option } from './define.js';

/** `normal`: the Messages API, request by request. `batches`: the Message Batches API. */
export const ENGINES = ['normal', 'batches'] as const;
export type Engine = (typeof ENGINES)[number];

/** Which engine runs the requests. */
export const ENGINE_OPTIONS = {
  /**
   * `normal` (the Messages API, request by request) or `batches` (the Message Batches API: 50 % of
   * the price, the results within 24 h; see `job`, `deadline`, ...).
   * @default 'normal'
   */
  engine: option.choice({
    choices: ENGINES,
    arg: 'ENGINE',
    default: 'normal',
    describe:
      '`normal` (the Messages API, request by request) or `batches` (the Message Batches API: 50 % of the price, results within 24 h)',
  }),
};

/** What the Message Batches API allows in one batch (PROTOCOL.md): 100,000 requests, 256 MB. */
export const BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 } as const;

/** Where the job is kept and how its requests are cut into batches. */
export const BATCH_JOB_OPTIONS = {
  /**
   * The job file: the gateway, the batch ids and a hash of each request's params. The later commands
   * (`status`, `cancel`, `results`) need only this file.
   * @default `<output>.job.json`
   */
  job: option.string({
    arg: 'FILE',
    defaultText: '`<output>.job.json`',
    describe: 'The job file, where the batch ids are kept; `lp-batch status`, `cancel` and `results` read it',
  }),
  /**
   * The path of the gateway's Message Batches API, appended to the base URL: for a gateway lp-batch
   * does not know to have one (Little Pig and Serevix document none).
   * @default the provider's
   */
  batchPath: option.string({
    arg: 'PATH',
    defaultText: "the provider's",
    describe:
      "Path of the gateway's Message Batches API, e.g. `/v1/messages/batches`, for a provider that documents none",
  }),
  /**
   * Most requests in one batch; a larger input makes several batches. At most the API's 100,000.
   * @default 100000
   */
  batchMaxRequests: option.count({
    min: 1,
    max: BATCH_LIMITS.maxRequests,
    default: BATCH_LIMITS.maxRequests,
    describe: 'Most requests in one batch (more make several batches); at most 100000',
  }),
  /**
   * Largest batch in bytes as sent (the JSON of `{"requests": [...]}`); a larger input makes several
   * batches. At most the API's 256 MB.
   * @default 268435456 (256 MB)
   */
  batchMaxBytes: option.count({
    min: 1,
    max: BATCH_LIMITS.maxBytes,
    default: BATCH_LIMITS.maxBytes,
    defaultText: '268435456 (256 MB)',
    describe: 'Largest batch as sent (the JSON of `{"requests": [...]}`), bytes; more make several batches',
  }),
};

/** How a run waits for its batches. */
export const BATCH_WAIT_OPTIONS = {
  /**
   * The first wait between two looks at the batches, in seconds; each wait doubles, up to `maxPollInterval`.
   * @default 2
   */
  pollInterval: option.seconds({
    default: 2,
    describe:
      'First wait between two looks at the batches, seconds; each wait doubles, up to `--max-poll-interval`',
  }),
  /**
   * The longest wait between two looks at the batches, in seconds.
   * @default 60
   */
  maxPollInterval: option.seconds({
    default: 60,
    describe: 'Longest wait between two looks at the batches, seconds',
  }),
  /**
   * When the batches have not ended this long after the job was created (seconds, or `90m`, `2h`,
   * ...), cancel them and send what is left through the normal engine. Without it a run waits for
   * its batches, which end within 24 h.
   * @default none
   */
  deadline: option.duration({
    arg: 'DURATION',
    defaultText: 'none',
    describe:
      'If the batches have not ended this long after the job was created (`90m`, `2h`), cancel them and send what is left through the normal engine',
  }),
};
