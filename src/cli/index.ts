/**
 * The command line: yargs wiring and the mapping of errors to exit codes. `main` never exits the
 * process itself; bin/lp-batch.js sets process.exitCode from what it returns.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import type { ProviderName } from '../client/providers.js';
import { LpBatchError, UsageError } from '../errors.js';
import { refuseKeyInArgv } from './api-key.js';
import { EXIT } from './exit-codes.js';
import { RUN_OPTIONS } from './options.js';
import type { ProgressMode } from './progress.js';
import { type CliIO, runCommand } from './run-command.js';

export type { CliIO } from './run-command.js';

/** The package version (src/cli and dist/cli both sit two folders below package.json). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs the command line `argv` (without node and script) and returns the exit code. */
export async function main(
  argv: string[],
  io: Omit<CliIO, 'version'> & { stdout: NodeJS.WritableStream },
): Promise<number> {
  const version = packageVersion();
  let code: number = EXIT.ok;
  try {
    refuseKeyInArgv(argv);
    await yargs(argv)
      .scriptName('lp-batch')
      .usage(
        '$0 <command> [options]\n\nRun JSONL files of Anthropic Messages API requests against Anthropic-compatible gateways.',
      )
      .command(
        'run <input> <output>',
        'Send every request of <input> (JSONL) and append one result line per request to <output>',
        (y) =>
          y
            .positional('input', { type: 'string', demandOption: true, describe: 'JSONL file of requests' })
            .positional('output', { type: 'string', demandOption: true, describe: 'JSONL file of results' })
            .options(RUN_OPTIONS),
        async (a) => {
          code = await runCommand(
            {
              input: a.input,
              output: a.output,
              provider: a.provider as ProviderName,
              baseUrl: a['base-url'],
              apiKeyEnv: a['api-key-env'],
              allowInsecureHttp: a['allow-insecure-http'],
              concurrency: a.concurrency,
              maxRetries: a['max-retries'],
              maxRetryWait: a['max-retry-wait'],
              timeout: a.timeout,
              idleTimeout: a['idle-timeout'],
              stream: a.stream,
              rpm: a.rpm,
              itpm: a.itpm,
              otpm: a.otpm,
              maxCost: a['max-cost'],
              model: a.model,
              maxTokens: a['max-tokens'],
              maxFailures: a['max-failures'],
              summary: a.summary,
              overwrite: a.overwrite,
              skipErrored: a['skip-errored'],
              order: a.order as 'completion' | 'input',
              grace: a.grace,
              progress: a.progress as ProgressMode,
            },
            { ...io, version },
          );
        },
      )
      .demandCommand(1, 'Name a command: run')
      .strict()
      .version(version)
      .help()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
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
