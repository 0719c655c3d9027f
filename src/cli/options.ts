/**
 * The `run` command's flags: their yargs definitions (the one source for --help and the README table)
 * and the pure checks that turn them into numbers the run can use.
 */
import type { Options } from 'yargs';
import { PROVIDER_NAMES } from '../client/providers.js';
import { UsageError } from '../errors.js';

export const RUN_OPTIONS = {
  provider: {
    choices: PROVIDER_NAMES,
    default: 'littlepig',
    describe: 'Gateway preset: base URL, path and auth style',
  },
  'base-url': { type: 'string', describe: 'Override the preset base URL (the path is appended)' },
  'api-key-env': {
    type: 'string',
    describe: 'Read the key from this variable (default LP_API_KEY, then ANTHROPIC_API_KEY)',
  },
  'allow-insecure-http': {
    type: 'boolean',
    default: false,
    describe: 'Allow plain http:// to a non-loopback host',
  },
  concurrency: { alias: 'c', type: 'number', default: 8, describe: 'Requests in flight at once' },
  'max-retries': { type: 'number', default: 8, describe: 'Retries per request after the first attempt' },
  'max-retry-wait': { type: 'number', default: 60, describe: 'Cap on any wait between attempts, seconds' },
  timeout: { type: 'number', default: 600, describe: 'Per-attempt limit on headers and body, seconds' },
  'idle-timeout': { type: 'number', default: 120, describe: 'Give up a stream silent this long, seconds' },
  stream: { type: 'boolean', default: false, describe: 'Send every request as a stream' },
  rpm: { type: 'number', describe: 'Requests per minute at most (token bucket, one second of burst)' },
  itpm: {
    type: 'number',
    describe: 'Input tokens per minute at most (estimated before sending, corrected after)',
  },
  otpm: {
    type: 'number',
    describe: 'Output tokens per minute at most (max_tokens reserved, unused refunded)',
  },
  'max-cost': {
    type: 'number',
    describe: 'Budget in USD: never send a request whose worst case could pass it; exit 3 when reached',
  },
  model: { type: 'string', describe: 'Model for lines that name none' },
  'max-tokens': { type: 'number', describe: 'max_tokens for lines that give none' },
  'max-failures': { type: 'number', default: 0, describe: 'Errored results tolerated before exit code 1' },
  summary: { type: 'string', describe: 'Also write the summary as JSON to this file' },
  overwrite: {
    type: 'boolean',
    default: false,
    describe: 'Start afresh: discard the output file instead of resuming from it',
  },
  'skip-errored': {
    type: 'boolean',
    default: false,
    describe: 'On resume, keep earlier errored results instead of retrying them',
  },
  order: {
    choices: ['completion', 'input'],
    default: 'completion',
    describe: 'Order of the final output file: as results came, or by input line',
  },
  grace: {
    type: 'number',
    default: 30,
    describe: 'After Ctrl-C/SIGTERM, how long requests in flight may finish, seconds',
  },
  progress: {
    choices: ['auto', 'bar', 'plain', 'none'],
    default: 'auto',
    describe: 'Progress display on stderr (auto: bar on a terminal, plain lines otherwise)',
  },
} as const satisfies Record<string, Options>;

/** Checks a flag that must be a whole number at least `min`. */
export function wholeNumber(flag: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new UsageError(`Expected \`--${flag}\` to be a whole number >= ${min}, got \`${String(value)}\``);
  }
  return value;
}

/** Checks a flag of seconds (> 0, or >= 0 when `allowZero`) and returns milliseconds. */
export function secondsToMs(flag: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(
      `Expected \`--${flag}\` to be a number of seconds ${allowZero ? '>= 0' : '> 0'}, got \`${String(value)}\``,
    );
  }
  return Math.round(value * 1000);
}

/** Checks an optional flag that must be a positive number. */
export function positiveOrUndefined(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`Expected \`--${flag}\` to be a number > 0, got \`${String(value)}\``);
  }
  return value;
}
