/**
 * The simulator's options as a program passes them: the option table of src/options/mock-server.ts
 * (also the flags of `lp-batch mock-server`) plus what only code can give (a fault callback, a clock,
 * batch outcomes), and the check that turns them into the resolved set the server runs with.
 */
import { UsageError } from '../errors.js';
import { flagOf, resolveOptions } from '../options/define.js';
import {
  MOCK_LIBRARY_OPTIONS,
  MOCK_SERVER_OPTIONS,
  type MockServerSettings,
  type MockServerValues,
} from '../options/mock-server.js';
import type { Fault } from './faults.js';
import type { RecordedRequest } from './recorded.js';

/** A source of wall-clock time in epoch ms. Inject one to drive TTLs, batches and `rpm` without sleeping. */
export interface MockClock {
  now(): number;
}

/** What a batch request becomes when its batch is processed (`batchOutcome`). */
export type BatchOutcome =
  | 'succeeded'
  | 'errored'
  | 'canceled'
  | 'expired'
  /** Errored with this error instead of the default `api_error`. */
  | { errorType: string; message: string };

/** What `batchOutcome` is asked about: one request of a batch. */
export interface BatchRequestInfo {
  batchId: string;
  /** 0-based position in the batch as submitted. */
  index: number;
  custom_id: string;
  params: unknown;
}

/**
 * Every option of `startMockServer`: those of `lp-batch mock-server` (src/options/mock-server.ts,
 * under their camelCase names, each documented there with its default) and what only a program can
 * pass. Any option may be given as `undefined`, meaning its default (as an unset CLI flag gives).
 */
export interface MockServerOptions extends MockServerValues {
  /** Consulted for every request before anything else; a fault returned replaces the normal answer. */
  fault?: ((request: RecordedRequest) => Fault | undefined) | undefined;
  /** Wall-clock time source (epoch ms) for cache TTLs, batches and `rpm`. @default Date.now */
  clock?: MockClock | undefined;
  /** Decide a batch request's result (undefined: by the rates and the params). Consulted before the rates. */
  batchOutcome?: ((request: BatchRequestInfo) => BatchOutcome | undefined) | undefined;
}

/** The options with every default filled in and every value checked. */
export type ResolvedMockOptions = MockServerSettings & {
  clock: MockClock;
  fault: MockServerOptions['fault'];
  batchOutcome: MockServerOptions['batchOutcome'];
};

const systemClock: MockClock = { now: () => Date.now() };

/**
 * Fill in the defaults and check every value (the option table's checks, then the rates that share
 * one draw), throwing a UsageError that names the flag and the value
 * (`Expected \`--overload-rate\` to be a number from 0 to 1, got \`2\``).
 */
export function resolveMockOptions(options: MockServerOptions = {}): ResolvedMockOptions {
  const settings = resolveOptions({ ...MOCK_SERVER_OPTIONS, ...MOCK_LIBRARY_OPTIONS }, options);
  atMostOne(settings, ['overloadRate', 'rateLimitRate', 'errorRate', 'dropRate']);
  atMostOne(settings, ['batchErrorRate', 'batchExpireRate']);
  return {
    ...settings,
    clock: options.clock ?? systemClock,
    fault: options.fault,
    batchOutcome: options.batchOutcome,
  };
}

/** Rates drawn from one number add up to at most 1. */
function atMostOne(settings: MockServerSettings, names: readonly (keyof MockServerSettings)[]): void {
  const sum = names.reduce((total, name) => total + (settings[name] as number), 0);
  if (sum > 1) {
    throw new UsageError(
      `Expected ${names.map((name) => `\`--${flagOf(name)}\``).join(' + ')} to be at most 1, got \`${sum}\``,
    );
  }
}
