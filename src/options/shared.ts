/**
 * Options more than one command takes, each defined once (see ./define.ts). A command composes the
 * groups it needs: `run` takes them all; the batches commands will take the connection group.
 */
import { DEFAULT_KEY_VARIABLES } from '../client/api-key.js';
import { PROVIDER_NAMES } from '../client/providers.js';
import { MAX_TEXT_BYTES, option } from './define.js';

/** Where requests go and how they authenticate. */
export const CONNECTION_OPTIONS = {
  /**
   * The gateway preset: base URL, path and auth style (`littlepig`, `anthropic`, `serevix`, `aimlapi`,
   * or `mock`, the built-in simulator).
   * @default 'littlepig'
   */
  provider: option.choice({
    choices: PROVIDER_NAMES,
    default: 'littlepig',
    describe:
      'Gateway preset (base URL, path, auth style): `littlepig`, `anthropic`, `serevix`, `aimlapi`, or `mock` for the built-in simulator',
  }),
  /**
   * Override the provider's base URL; the provider's path is appended.
   * @default the provider's
   */
  baseUrl: option.string({
    arg: 'URL',
    defaultText: "the provider's",
    describe: "Override the base URL; the provider's path is appended",
  }),
  /**
   * Read the API key from this environment variable instead.
   * @default `LP_API_KEY`, then `ANTHROPIC_API_KEY`
   */
  apiKeyEnv: option.envName({
    arg: 'NAME',
    defaultText: DEFAULT_KEY_VARIABLES.map((name) => `\`${name}\``).join(', then '),
    describe: 'Read the key from this variable instead',
  }),
  /**
   * Extra request headers, each `Name: value` (`anthropic-beta`, a gateway's own headers); a name
   * given twice sends both values, joined by `, `. Never the key's headers (`x-api-key`,
   * `authorization`) nor those lp-batch sets itself (`host`, `content-length`, `content-type`, ...).
   * @default none
   */
  header: option.header({
    arg: "'NAME: VALUE'",
    describe:
      "Send this request header too (repeatable), e.g. `anthropic-beta: ...`; not the key's headers nor `host`, `content-length`, ...",
  }),
  /**
   * Allow plain `http://` to a host that is not loopback.
   * @default false
   */
  allowInsecureHttp: option.boolean({
    default: false,
    describe: 'Allow plain `http://` to a host that is not loopback',
  }),
};

/** How each request is sent: concurrency, retries, timeouts and rate limits. */
export const SENDING_OPTIONS = {
  /**
   * Requests in flight at once (also the size of the keep-alive pool).
   * @default 8
   */
  concurrency: option.count({
    alias: 'c',
    min: 1,
    default: 8,
    describe: 'Requests in flight at once (also the size of the keep-alive pool)',
  }),
  /**
   * Shrink concurrency on 529 and 429 and grow it back slowly; false holds it at `concurrency`.
   * @default true
   */
  adaptiveConcurrency: option.boolean({
    default: true,
    describe:
      'Halve concurrency on 529/429, grow it back slowly; `--no-adaptive-concurrency` holds it at `-c`',
  }),
  /**
   * Retries per request after the first attempt.
   * @default 8
   */
  maxRetries: option.count({ min: 0, default: 8, describe: 'Retries per request after the first attempt' }),
  /**
   * Cap on any wait between attempts, server-given or not, in seconds.
   * @default 60
   */
  maxRetryWait: option.seconds({
    allowZero: true,
    default: 60,
    describe: 'Cap on any wait between attempts, server-given or not, seconds',
  }),
  /**
   * Per-attempt limit, in seconds: on the response headers and body together, or for a stream on its
   * headers only (then `idleTimeout` applies: a stream that keeps sending is never cut).
   * @default 600
   */
  timeout: option.seconds({
    default: 600,
    describe:
      'Per-attempt limit on the response headers and body together (a stream: on its headers only), seconds',
  }),
  /**
   * A stream that sends nothing for this long (its headers come first) is given up and retried, in seconds.
   * @default 120
   */
  idleTimeout: option.seconds({
    default: 120,
    describe: 'A stream that sends nothing for this long is given up (and retried), seconds',
  }),
  /**
   * The largest response body read, in bytes: a larger one is an errored result (not retried).
   * At most the largest string Node holds.
   * @default 67108864 (64 MiB)
   */
  maxResponseBytes: option.count({
    min: 1,
    max: MAX_TEXT_BYTES,
    default: 64 * 1024 * 1024,
    defaultText: '67108864 (64 MiB)',
    describe: 'The largest response body read: a larger one is an errored result (not retried), bytes',
  }),
  /**
   * Send every request as a stream (a line's own `"stream": true` is always honoured).
   * @default false
   */
  stream: option.boolean({
    default: false,
    describe: 'Send every request as a stream (a line\'s own `"stream": true` is always honoured)',
  }),
  /**
   * Requests per minute at most.
   * @default no limit
   */
  rpm: option.perMinute({ describe: 'Requests per minute at most' }),
  /**
   * Input tokens per minute at most (uncached input and cache writes, estimated before sending).
   * @default no limit
   */
  itpm: option.perMinute({
    describe: 'Input tokens per minute at most (uncached input and cache writes, estimated before sending)',
  }),
  /**
   * Output tokens per minute at most (`max_tokens` reserved, the unused part refunded).
   * @default no limit
   */
  otpm: option.perMinute({
    describe: 'Output tokens per minute at most (`max_tokens` reserved, the unused part refunded)',
  }),
};

/** Fill-ins for input lines that lack a field. */
export const LINE_OPTIONS = {
  /**
   * `model` for lines that have none.
   * @default none: such lines are errored
   */
  model: option.string({ arg: 'NAME', describe: '`model` for lines that have none' }),
  /**
   * `max_tokens` for lines that have none.
   * @default none: such lines are errored
   */
  maxTokens: option.count({ min: 1, describe: '`max_tokens` for lines that have none' }),
};

/** Where prices come from: run, estimate and every command that prices. */
export const PRICING_OPTIONS = {
  /**
   * A JSON price file (the shape of `lp-batch pricing --json`) whose models and aliases override or
   * extend the built-in table.
   * @default the built-in table
   */
  pricing: option.string({
    arg: 'FILE',
    defaultText: 'the built-in table',
    describe: 'Prices from FILE (the shape of `lp-batch pricing --json`) over the built-in table',
  }),
};

/** How a command that reports prints its report. */
export const REPORT_OPTIONS = {
  /**
   * Print the report as JSON on stdout instead of a table.
   * @default false
   */
  json: option.boolean({ default: false, describe: 'Print JSON on stdout instead of a table' }),
};

/** Reports written beside the results, by `run` and `summarize`. */
export const REPORT_FILE_OPTIONS = {
  /**
   * Also write a JUnit XML report to this file: one test case per request (classname: its model;
   * name: its custom_id; time: its latency), an errored request a failure with its error type and
   * message. Written from the results file once the run is over.
   * @default no file
   */
  junit: option.string({
    arg: 'FILE',
    describe:
      'Also write JUnit XML to FILE: a test case per request (classname: model, name: custom_id), an errored one a failure',
  }),
};

/**
 * When the exit code is 1: the command line's alone (`run`, `summarize`, `results`). Each gate given
 * must hold; with neither, one errored result is too many. A request its Message Batch did not run
 * (canceled, expired) counts as errored: it is not done either.
 */
export const GATE_OPTIONS = {
  maxFailures: option.count({
    min: 0,
    defaultText: '0 (none with `--max-failure-rate`)',
    describe: 'Errored (or canceled, expired) results tolerated before the exit code is 1',
  }),
  maxFailureRate: option.fraction({
    arg: 'R',
    describe:
      'Share of errored (or canceled, expired) results (of all results, 0 to 1) tolerated before the exit code is 1',
  }),
};
