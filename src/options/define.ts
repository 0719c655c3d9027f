/**
 * How an option of lp-batch is defined, once: its kind (which says its type, unit and check), its
 * default and its description. The library's defaults and checks (`resolveOptions`), the yargs flags
 * (src/cli/yargs-options.ts) and the README's option tables (checked by a test) all derive from it.
 * An option's library name is its key (`maxRetryWait`); its flag is the key in kebab case.
 */
import { constants } from 'node:buffer';
import { parseHeaderLine } from '../client/extra-headers.js';
import { UsageError } from '../errors.js';
import { parseShard } from '../run/shard.js';
import { durationSeconds } from './duration.js';

/**
 * The longest wait a `seconds` option may ask for: Node's timers hold at most 2^31 - 1 ms (about
 * 24.8 days) and fire at once for anything longer.
 */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** The longest wait an `ms` option may ask for, for the same reason. */
export const MAX_MS = 2 ** 31 - 1;

/** The largest text V8 holds: a response body larger than this could never be read as a string. */
export const MAX_TEXT_BYTES = constants.MAX_STRING_LENGTH;

/** What an option holds; each kind has its own check and the placeholder its flag shows (`--timeout S`). */
export type OptionKind =
  /** A whole number at least `min`, at most `max` when it has one (`N`). */
  | 'count'
  /** Seconds, fractions allowed: above 0, or from 0 with `allowZero`; at most MAX_SECONDS (`S`). */
  | 'seconds'
  /** A rate per minute above 0 (`N`). */
  | 'per-minute'
  /** US dollars above 0 (`USD`). */
  | 'usd'
  /** A share from 0 to 1 (`arg` names it: `R`). */
  | 'fraction'
  /** Milliseconds, 0 or more, at most MAX_MS (`N`). */
  | 'ms'
  /** A TCP port from 0 to 65535, 0 meaning a free one (`N`). */
  | 'port'
  /** A seed: a number, or any other string (`S`); a flag's text that reads as a number is that number. */
  | 'seed'
  /** `K/N`: shard K of N, 1 <= K <= N. */
  | 'shard'
  /**
   * A span of time above 0: seconds as a number, or text such as `90s`, `45m`, `2h`, `1h30m`, `1d`
   * (`arg` names it: `DURATION`); resolved to seconds.
   */
  | 'duration'
  | 'boolean'
  /** Any string (`arg` names it: `URL`, `NAME`, `FILE`). */
  | 'string'
  /** One of `choices`. */
  | 'choice'
  /** The name of an environment variable; a wrong one is never echoed (it may be the key itself). */
  | 'env-name'
  /** `Name: value` request headers, repeatable (`arg` names it); their values are never echoed. */
  | 'header';

/** One option. `T` is the type of its value; `D` its default's type (`undefined`: no default). */
export interface OptionSpec<T, D extends T | undefined = T | undefined> {
  readonly kind: OptionKind;
  /** One line for `--help` and the README's table. */
  readonly describe: string;
  readonly default: D;
  /** How help and the README show the default when it is not the value itself (`the provider's`). */
  readonly defaultText?: string | undefined;
  /** A one-letter flag, e.g. `c` for `-c`. */
  readonly alias?: string | undefined;
  /** The placeholder of a `string` or `choice` flag's value in the docs. */
  readonly arg?: string | undefined;
  /** `count`: the least value. */
  readonly min?: number | undefined;
  /** `count`: the greatest value. */
  readonly max?: number | undefined;
  /** `seconds`: whether 0 is allowed. */
  readonly allowZero?: boolean | undefined;
  readonly choices?: readonly T[] | undefined;
  /** Phantom: carries `T` for the types below; never set. */
  readonly valueType?: T | undefined;
}

// Specs of any value type: `any` because OptionSpec<T> is invariant in T through `choices`; only read back typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptionSpec = OptionSpec<any, any>;
export type OptionTable = Readonly<Record<string, AnyOptionSpec>>;

type ValueOf<S> = S extends OptionSpec<infer T, infer _D> ? T : never;
type HasDefault<S> = S extends OptionSpec<infer _T, infer D> ? (undefined extends D ? false : true) : false;

/** What a caller may give: every option optional (`undefined` means the default). Keeps each option's JSDoc. */
export type OptionValues<T extends OptionTable> = { -readonly [K in keyof T]?: ValueOf<T[K]> | undefined };

/** Every option after `resolveOptions`: the default filled in where there is one. */
export type ResolvedOptions<T extends OptionTable> = {
  -readonly [K in keyof T]: HasDefault<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

type Common = Pick<OptionSpec<unknown>, 'describe' | 'defaultText' | 'alias'>;

/** Builders of option specs, one per kind. */
export const option = {
  count: <const D extends number | undefined = undefined>(
    s: Common & { min: number; max?: number; default?: D },
  ) => spec<number, D>('count', s),
  seconds: <const D extends number | undefined = undefined>(
    s: Common & { allowZero?: boolean; default?: D },
  ) => spec<number, D>('seconds', s),
  perMinute: (s: Common) => spec<number, undefined>('per-minute', s),
  usd: (s: Common) => spec<number, undefined>('usd', s),
  fraction: <const D extends number | undefined = undefined>(s: Common & { arg: string; default?: D }) =>
    spec<number, D>('fraction', s),
  ms: <const D extends number>(s: Common & { default: D }) => spec<number, D>('ms', s),
  port: <const D extends number>(s: Common & { default: D }) => spec<number, D>('port', s),
  seed: <const D extends number | string>(s: Common & { default: D }) => spec<number | string, D>('seed', s),
  shard: (s: Common) => spec<string, undefined>('shard', { ...s, arg: 'K/N' }),
  /** Given as seconds or as text (`2h`); `resolveOptions` turns it into seconds. */
  duration: (s: Common & { arg: string }) => spec<number | string, undefined>('duration', s),
  boolean: <const D extends boolean>(s: Common & { default: D }) => spec<boolean, D>('boolean', s),
  string: <const D extends string | undefined = undefined>(s: Common & { arg: string; default?: D }) =>
    spec<string, D>('string', s),
  choice: <const C extends string, const D extends C | undefined = undefined>(
    s: Common & { choices: readonly C[]; arg?: string; default?: D },
  ) => spec<C, D>('choice', s),
  envName: (s: Common & { arg: string }) => spec<string, undefined>('env-name', s),
  /** Given as one string or several (a repeated flag); always resolved to a list. */
  header: (s: Common & { arg: string }) => spec<readonly string[], undefined>('header', s),
};

function spec<T, D extends T | undefined>(
  kind: OptionKind,
  s: Common & { default?: D; arg?: string },
): OptionSpec<T, D> {
  return Object.freeze({ ...s, kind, default: s.default as D });
}

/** The placeholder of a flag's value in help and the docs (`N`, `S`, `USD`, `R`, `URL`, ...); '' for a boolean. */
export function placeholderOf(spec: AnyOptionSpec): string {
  switch (spec.kind) {
    case 'boolean':
      return '';
    case 'seconds':
      return 'S';
    case 'usd':
      return 'USD';
    case 'seed':
      return 'S';
    case 'count':
    case 'per-minute':
    case 'ms':
    case 'port':
      return 'N';
    case 'string':
    case 'choice':
    case 'env-name':
    case 'header':
    case 'fraction':
    case 'shard':
    case 'duration':
      return spec.arg ?? '';
  }
}

/** `maxRetryWait` → `max-retry-wait`. */
export function flagOf(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Check every option of `table` in `given` and fill in defaults. Keys of `given` that are not in
 * the table are ignored. Throws a UsageError that names the flag, what was expected and what came:
 * "Expected `--concurrency` to be a whole number >= 1, got `0`".
 */
export function resolveOptions<T extends OptionTable>(table: T, given: object): ResolvedOptions<T> {
  const values = given as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const value = values[name];
    out[name] = value === undefined ? spec.default : checked(flagOf(name), spec, value);
  }
  return out as ResolvedOptions<T>;
}

function checked(flag: string, spec: AnyOptionSpec, given: unknown): unknown {
  if (spec.kind === 'env-name') return checkedEnvName(flag, given);
  if (spec.kind === 'header') return checkedHeaders(flag, given);
  if (spec.kind === 'duration') {
    const seconds = durationSeconds(given);
    if (seconds === null) {
      throw new UsageError(`Expected \`--${flag}\` to be ${expectation(spec)}, got \`${String(given)}\``);
    }
    return seconds;
  }
  const value = spec.kind === 'seed' ? seedOf(given) : given;
  const ok = (() => {
    switch (spec.kind) {
      case 'count':
        return (
          Number.isInteger(value) &&
          (value as number) >= (spec.min ?? 0) &&
          (value as number) <= (spec.max ?? Infinity)
        );
      case 'seconds':
        return (
          isFiniteNumber(value) && (spec.allowZero === true ? value >= 0 : value > 0) && value <= MAX_SECONDS
        );
      case 'per-minute':
      case 'usd':
        return isFiniteNumber(value) && value > 0;
      case 'fraction':
        return isFiniteNumber(value) && value >= 0 && value <= 1;
      case 'ms':
        return isFiniteNumber(value) && value >= 0 && value <= MAX_MS;
      case 'port':
        return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65_535;
      case 'seed':
        return isFiniteNumber(value) || (typeof value === 'string' && value !== '');
      case 'shard':
        return typeof value === 'string' && parseShard(value) !== null;
      case 'boolean':
        return typeof value === 'boolean';
      case 'string':
        return typeof value === 'string';
      case 'choice':
        return (spec.choices as readonly unknown[]).includes(value);
    }
  })();
  if (!ok)
    throw new UsageError(`Expected \`--${flag}\` to be ${expectation(spec)}, got \`${String(given)}\``);
  return value;
}

/** Never echoes a wrong name: `--api-key-env sk-ant-...` would print the key. */
function checkedEnvName(flag: string, value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return value;
  throw new UsageError(
    `the value given to \`--${flag}\` is not a valid environment variable name (letters, digits and _, not starting with a digit); give the name of the variable that holds the key, not the key (the value is not shown, in case it is one)`,
  );
}

/** One string or a list of them, each `Name: value`; a problem names the header, never its value. */
function checkedHeaders(flag: string, value: unknown): readonly string[] {
  const lines = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(lines) || !lines.every((line) => typeof line === 'string')) {
    throw new UsageError(`Expected \`--${flag}\` to be \`Name: value\` strings`);
  }
  for (const line of lines) {
    const parsed = parseHeaderLine(line);
    if (!parsed.ok) throw new UsageError(`\`--${flag}\`: ${parsed.problem}`);
  }
  return lines;
}

/** What a kind expects, in words: `a whole number >= 1`, `a number of seconds > 0`, ... */
function expectation(spec: AnyOptionSpec): string {
  switch (spec.kind) {
    case 'count':
      return spec.max === undefined
        ? `a whole number >= ${spec.min ?? 0}`
        : `a whole number from ${spec.min ?? 0} to ${spec.max}`;
    case 'seconds':
      return `a number of seconds ${spec.allowZero === true ? '>= 0' : '> 0'} and at most ${MAX_SECONDS} (the longest timer Node allows, about 24 days)`;
    case 'per-minute':
    case 'usd':
      return 'a number > 0';
    case 'fraction':
      return 'a number from 0 to 1';
    case 'ms':
      return `a number of milliseconds from 0 to ${MAX_MS} (the longest timer Node allows)`;
    case 'port':
      return 'a whole number from 0 to 65535';
    case 'seed':
      return 'a number or a word';
    case 'shard':
      return '`K/N`, shard K of N with 1 <= K <= N (e.g. `2/4`)';
    case 'duration':
      return 'a duration > 0 such as `90s`, `45m`, `2h`, `1h30m` or `1d` (a bare number is seconds)';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'choice':
      return `one of ${(spec.choices as readonly string[]).join(' | ')}`;
    case 'env-name':
    case 'header':
      // Checked on their own, never echoed (checkedEnvName, checkedHeaders).
      return spec.kind;
  }
}

/** A flag gives a seed as text: `--seed 1` is the number 1, as `seed: 1` in a program. */
function seedOf(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
