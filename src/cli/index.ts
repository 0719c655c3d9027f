/**
 * The command line: yargs wiring of the commands (one file each) and the mapping of errors to exit
 * codes. `main` never exits the process itself; bin/lp-batch.js sets process.exitCode from what it returns.
 * Start-up loads only what is asked for: `--version` alone loads nothing more than this file; the
 * commands' flags and yargs load once there is a command line to read; a command's own dependencies
 * (undici, zod, cli-progress, ...) only when it runs (its handler imports them).
 */
import type { Argv } from 'yargs';
import { LpBatchError, UsageError } from '../errors.js';
import { packageVersion } from '../version.js';
import type { CliIO, Command } from './command.js';
import { EXIT } from './exit-codes.js';

export type { CliIO } from './command.js';

/** A command line as yargs read it, before its command runs. */
export interface ParsedCommandLine {
  command: Command;
  positionals: Record<string, string>;
  /** Positionals that take one or more (`merge <results..>`). */
  lists: Record<string, string[]>;
  options: Record<string, unknown>;
}

/** Runs the command line `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  ignoreWriteErrors(io.stderr);
  ignoreWriteErrors(io.stdout);
  let code: number = EXIT.ok;
  try {
    if (argv.length === 1 && argv[0] === '--version') {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    const cli = await commandLine(argv, async ({ command, positionals, options, lists }) => {
      code = await command.handler(positionals, options, io, lists);
    });
    if (argv.length === 0) {
      // A bare `lp-batch` is a question: the usage answers it. Exit 2 all the same: nothing ran,
      // and a script that calls it with no arguments by mistake must not go on as if it had.
      io.stderr.write(`${await cli.getHelp()}\n`);
      return EXIT.config;
    }
    await cli.parseAsync();
    return code;
  } catch (error) {
    if (error instanceof LpBatchError) {
      io.stderr.write(`lp-batch: ${error.message}\n`);
      return EXIT.config;
    }
    io.stderr.write(
      `lp-batch: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.config;
  }
}

/**
 * Reads `argv` exactly as `main` does and checks every option's value, without running anything:
 * how the README's CI workflow is checked against the real flags. Null for `--help` or `--version`
 * (which print).
 * @throws UsageError for an unknown command or flag, a missing positional or a bad value
 */
export async function parseCommandLine(argv: string[]): Promise<ParsedCommandLine | null> {
  const { resolveOptions } = await import('../options/define.js');
  let parsed: ParsedCommandLine | null = null;
  const cli = await commandLine(argv, (found) => {
    resolveOptions(found.command.options, found.options);
    parsed = found;
    return Promise.resolve();
  });
  await cli.parseAsync();
  return parsed;
}

/**
 * The yargs of every command, once `argv` has passed the checks made before yargs (a key on the
 * command line, a misspelt command or flag); `run` gets the command `argv` names, with its arguments.
 * @throws UsageError from those checks
 */
async function commandLine(argv: string[], run: (parsed: ParsedCommandLine) => Promise<void>): Promise<Argv> {
  refuseKeyInArgv(argv);
  const [{ COMMANDS }, { findArgvMistake }, { optionValues, yargsOptions }] = await Promise.all([
    import('./commands.js'),
    import('./suggest.js'),
    import('./command.js'),
  ]);
  const mistake = findArgvMistake(argv, COMMANDS);
  if (mistake !== null) throw new UsageError(mistake);
  const { default: yargs } = await import('yargs');
  // Texts only for a command line that asks for them (see yargsOptions).
  const described = argv.length === 0 || argv.some((arg) => arg === '--help' || arg.startsWith('--help='));
  let cli = yargs(argv.map((arg) => (arg === '-' ? DASH : arg)))
    .scriptName('lp-batch')
    .usage(
      '$0 <command> [options]\n\nRun JSONL files of Anthropic Messages API requests against Anthropic-compatible gateways.',
    );
  for (const command of COMMANDS) {
    cli = cli.command(
      command.command,
      command.describe,
      (y: Argv) => withPositionals(y, command).options(yargsOptions(command.options, described)),
      async (argv: Record<string, unknown>) => {
        const given = Object.fromEntries(Object.entries(argv).map(([key, value]) => [key, undashed(value)]));
        const positionals: Record<string, string> = {};
        const lists: Record<string, string[]> = {};
        for (const name of Object.keys(command.positionals)) {
          const value = given[name];
          // `<name..>` takes one or more: a list; an optional `[name]` not given is left out.
          if (Array.isArray(value)) lists[name] = value.map(String);
          else if (typeof value === 'string') positionals[name] = value;
        }
        await run({ command, positionals, lists, options: optionValues(command.options, given) });
      },
    );
  }
  return (
    cli
      .demandCommand(1, `Name a command: ${COMMANDS.map((c) => c.command.split(' ')[0]).join(', ')}`)
      .strict()
      .version(packageVersion())
      .help()
      // Wrapping is for a person reading the help (see `described`).
      .wrap(described ? Math.min(110, process.stdout.columns ?? 110) : null)
      .exitProcess(false)
      .fail((message, error) => {
        // yargs' own complaints (a flag without its value, ...) come as a YError: a usage error too.
        if (error === undefined || error === null || error.name === 'YError') {
          throw new UsageError(oneLine(message ?? error?.message ?? 'usage error'));
        }
        throw error;
      })
  );
}

/**
 * yargs' two-line answer to a value outside a flag's choices, in lp-batch's own one-line words
 * (those of resolveOptions): "Expected `--cache` to be one of schedule | auto | off, got `x`".
 */
function oneLine(message: string): string {
  const choice = /^Invalid values:\s+Argument: ([\w-]+), Given: "(.*)", Choices: (.*)$/s.exec(message);
  if (choice === null) return message.replace(/\s*\n\s*/g, ' ');
  const [, flag, given, choices] = choice as unknown as [string, string, string, string];
  const names = choices.split(', ').map((c) => c.replace(/^"|"$/g, ''));
  return `Expected \`--${flag}\` to be one of ${names.join(' | ')}, got \`${given}\``;
}

/**
 * A lone `-` (standard input) is dropped by yargs (yargs/yargs#1312): it is carried through yargs
 * under a name no real argument can have (C strings hold no NUL), and given back to the command.
 */
const DASH = '\u0000-';

function undashed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(undashed);
  return value === DASH ? '-' : value;
}

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * A closed stderr or stdout (its reader exited: `lp-batch run ... 2>&1 | head -1`) must not stop
 * the run: a failed write (EPIPE) is an 'error' event, which would end the process unheard; with a
 * listener it only ends the stream, and later writes go nowhere. Every write goes through a stream
 * guarded here.
 */
function ignoreWriteErrors(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', () => {
    // Nobody is reading any more: the run goes on; its results file holds what matters.
  });
}

function withPositionals(y: Argv, command: Command): Argv {
  let out = y;
  for (const [name, describe] of Object.entries(command.positionals)) {
    out = out.positional(name, { type: 'string', demandOption: true, describe });
  }
  return out;
}

/**
 * An argument shaped like an Anthropic key (`sk-ant-...`, `sk-...` without a file extension), or
 * equal to the key in the environment: given where a positional goes, yargs would repeat it in
 * "Unknown argument: ...".
 */
const KEY_SHAPED = /^sk-[A-Za-z0-9_-]{16,}$/;

function looksLikeKey(arg: string): boolean {
  if (KEY_SHAPED.test(arg)) return true;
  return [process.env.LP_API_KEY, process.env.ANTHROPIC_API_KEY].some(
    (key) => key !== undefined && key.length >= 8 && arg.includes(key),
  );
}

/** Refuses a key given on the command line, without repeating it. */
function refuseKeyInArgv(argv: readonly string[]): void {
  if (argv.some((arg) => /^--(api-key|apiKey|key)(=|$)/.test(arg) || looksLikeKey(arg))) {
    throw new UsageError(
      'the API key is read from the environment only (LP_API_KEY, ANTHROPIC_API_KEY or --api-key-env NAME), never from the command line',
    );
  }
}
