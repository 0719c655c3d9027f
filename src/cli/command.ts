/**
 * The shape every command of the CLI has, one file each under src/cli/: its positionals, its option
 * table (see ../options/define.ts) and a handler that returns the exit code. index.ts turns the list
 * of commands into yargs; this file turns an option table into yargs flags.
 */
import type { Options } from 'yargs';
import {
  type AnyOptionSpec,
  flagOf,
  type OptionKind,
  type OptionTable,
  type OptionValues,
} from '../options/define.js';

/** What a command may touch of the process: injected, so that a command is a plain async function. */
export interface CliIO {
  env: NodeJS.ProcessEnv;
  /** What an input of `-` reads; a function, since creating process.stdin is not free. */
  stdin: () => NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  /** Relative paths on the command line are relative to this folder. */
  cwd: string;
}

export interface Command<T extends OptionTable = OptionTable> {
  /** yargs' command string: the name and the positionals, e.g. `run <input> <output>`. */
  command: string;
  describe: string;
  /** Each positional of `command`, with its description. */
  positionals: Readonly<Record<string, string>>;
  options: T;
  /**
   * Runs the command; returns the exit code. Throws an LpBatchError for a usage or file problem.
   * `lists`: the values of a positional that takes one or more (`merge <results..>`).
   */
  handler(
    positionals: Readonly<Record<string, string>>,
    options: OptionValues<T>,
    io: CliIO,
    lists: Readonly<Record<string, readonly string[]>>,
  ): Promise<number>;
}

/** Typed in its own options, stored with the others. */
export function defineCommand<T extends OptionTable>(command: Command<T>): Command {
  return command;
}

/**
 * yargs flags of an option table: names in kebab case, no yargs defaults (the run fills them in).
 * `described` (default true): with the texts `--help` shows. Without them, parsing is the same and
 * the help yargs renders after every command line (it caches it for later) costs next to nothing:
 * with them it takes ~100 ms, before a run's first request.
 */
export function yargsOptions(table: OptionTable, described = true): Record<string, Options> {
  const flags: Record<string, Options> = {};
  for (const [name, spec] of Object.entries(table)) flags[flagOf(name)] = yargsOption(spec, described);
  return flags;
}

/** The option values of a table out of yargs' argv (which holds them under their camelCase names too). */
export function optionValues<T extends OptionTable>(
  table: T,
  argv: Record<string, unknown>,
): OptionValues<T> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const value = argv[name];
    values[name] = isNumberKind(spec.kind) ? numberFromText(value) : value;
  }
  return values as OptionValues<T>;
}

/** How a default is shown to a person (`8`, `off`, `` `littlepig` ``), or null for none. */
export function defaultShown(spec: AnyOptionSpec): string | null {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const value: unknown = spec.default;
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string') return `\`${value}\``;
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

const STRING_KINDS: ReadonlySet<OptionKind> = new Set([
  'string',
  'choice',
  'env-name',
  'header',
  'seed',
  'shard',
  'duration',
]);

function isNumberKind(kind: OptionKind): boolean {
  return kind !== 'boolean' && !STRING_KINDS.has(kind);
}

/**
 * A number flag's text as a number (`8`, `1e3`, `0.5`), or the text itself when it is not one, so
 * that the check names what was typed (`got \`abc\``), not what yargs would have made of it (`NaN`).
 */
function numberFromText(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const number = Number(value);
  return Number.isNaN(number) ? value : number;
}

function yargsOption(spec: AnyOptionSpec, described: boolean): Options {
  const shown = described ? defaultShown(spec) : null;
  return {
    // A repeated `string` flag comes as a list (yargs' duplicate-arguments-array): `--header` relies on it.
    // Numbers come as text too, made numbers by optionValues.
    type: spec.kind === 'boolean' ? 'boolean' : 'string',
    // `-o` with nothing after it is a mistake to name, not an empty path.
    requiresArg: spec.kind !== 'boolean',
    ...(described ? { describe: plain(spec.describe) } : {}),
    ...(spec.alias === undefined ? {} : { alias: spec.alias }),
    ...(spec.choices === undefined ? {} : { choices: spec.choices as string[] }),
    ...(shown === null ? {} : { defaultDescription: plain(shown) }),
  };
}

/** Markdown backticks read as noise in a terminal. */
function plain(text: string): string {
  return text.replaceAll('`', '');
}
