/**
 * `lp-batch run <input> <output>`: flags → a configured run → summary, files and an exit code.
 * All printing of the run happens here; the run itself (../run/run-batch.ts) only reports.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildEndpoint, PROVIDERS, type ProviderName } from '../client/providers.js';
import { UsageError } from '../errors.js';
import { countJsonlLines } from '../input/jsonl-reader.js';
import { startMockServer } from '../mock/server.js';
import { createRedactor } from '../output/redact.js';
import { type RunBatchReport, type RunProgress, runBatch } from '../run/run-batch.js';
import { Shutdown } from '../run/shutdown.js';
import { readApiKey } from './api-key.js';
import { EXIT } from './exit-codes.js';
import { positiveOrUndefined, secondsToMs, wholeNumber } from './options.js';
import { createProgressReporter, type ProgressMode } from './progress.js';
import { formatSummary } from './summary-table.js';

export interface RunArgs {
  input: string;
  output: string;
  provider: ProviderName;
  baseUrl?: string | undefined;
  apiKeyEnv?: string | undefined;
  allowInsecureHttp: boolean;
  concurrency: number;
  maxRetries: number;
  maxRetryWait: number;
  timeout: number;
  idleTimeout: number;
  stream: boolean;
  rpm?: number | undefined;
  itpm?: number | undefined;
  otpm?: number | undefined;
  maxCost?: number | undefined;
  model?: string | undefined;
  maxTokens?: number | undefined;
  maxFailures: number;
  summary?: string | undefined;
  overwrite: boolean;
  skipErrored: boolean;
  order: 'completion' | 'input';
  grace: number;
  progress: ProgressMode;
}

export interface CliIO {
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  version: string;
}

export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const input = resolve(io.cwd, args.input);
  const output = resolve(io.cwd, args.output);
  const concurrency = wholeNumber('concurrency', args.concurrency, 1);
  const settings = {
    concurrency,
    maxRetries: wholeNumber('max-retries', args.maxRetries, 0),
    maxRetryWaitMs: secondsToMs('max-retry-wait', args.maxRetryWait, true),
    timeoutMs: secondsToMs('timeout', args.timeout),
    idleTimeoutMs: secondsToMs('idle-timeout', args.idleTimeout),
    graceMs: secondsToMs('grace', args.grace, true),
    rpm: positiveOrUndefined('rpm', args.rpm),
    itpm: positiveOrUndefined('itpm', args.itpm),
    otpm: positiveOrUndefined('otpm', args.otpm),
    maxCostUsd: positiveOrUndefined('max-cost', args.maxCost),
    overwrite: args.overwrite,
    skipErrored: args.skipErrored,
    order: args.order,
  };
  const maxFailures = wholeNumber('max-failures', args.maxFailures, 0);
  const maxTokens = args.maxTokens === undefined ? undefined : wholeNumber('max-tokens', args.maxTokens, 1);
  if (!existsSync(input)) throw new UsageError(`input file not found: ${args.input}`);

  const mock = args.provider === 'mock' ? await startMockServer({ record: false }) : null;
  try {
    const key = mock ? { value: 'mock-key', variable: '(none: mock)' } : readApiKey(io.env, args.apiKeyEnv);
    const endpoint = buildEndpoint(PROVIDERS[args.provider], {
      baseUrl: mock ? mock.url : args.baseUrl,
      apiKey: key.value,
      allowInsecureHttp: args.allowInsecureHttp,
      userAgent: `lp-batch/${io.version}`,
    });
    const redact = createRedactor([key.value]);
    const say = (text: string) => io.stderr.write(redact(text));

    const total = args.progress === 'none' ? null : await countJsonlLines(input);
    const reporter = createProgressReporter(args.progress, total, io.stderr);
    const shutdown = new Shutdown();
    let interrupted = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!interrupted) {
        interrupted = true;
        shutdown.interrupt();
        say(
          `\nlp-batch: ${signal}: no new requests; waiting up to ${args.grace} s for those in flight (again to abort them)\n`,
        );
      } else {
        shutdown.abort();
        say(`\nlp-batch: ${signal} again: aborting requests in flight\n`);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let report: RunBatchReport;
    try {
      report = await runBatch({
        inputPath: input,
        outputPath: output,
        endpoint,
        ...settings,
        stream: args.stream,
        defaults: { model: args.model, maxTokens },
        secrets: [key.value],
        shutdown,
        onWarning: (message) => say(`lp-batch: warning: ${message}\n`),
        // Without a display, skip the per-result snapshot altogether.
        ...(args.progress === 'none' ? {} : { onProgress: (p: RunProgress) => reporter.update(p) }),
      });
    } finally {
      reporter.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }

    say(formatSummary(report.summary));
    if (args.summary)
      await writeFile(resolve(io.cwd, args.summary), `${JSON.stringify(report.summary, null, 2)}\n`);
    return exitCodeOf(report, maxFailures, key.variable, say);
  } finally {
    await mock?.close();
  }
}

function exitCodeOf(
  report: RunBatchReport,
  maxFailures: number,
  keyVariable: string,
  say: (t: string) => void,
): number {
  const { stop, summary, notSent } = report;
  const later = notSent > 0 ? `; ${notSent} requests not sent (run again to send them)` : '';
  if (stop?.reason === 'auth') {
    say(`lp-batch: stopped: the gateway refused the key from ${keyVariable}: ${stop.message}${later}\n`);
    return EXIT.config;
  }
  if (stop?.reason === 'spend_cap') {
    say(`lp-batch: stopped: the account's spend limit is reached: ${stop.message}${later}\n`);
    return EXIT.config;
  }
  if (stop?.reason === 'budget') {
    const spent = report.budget
      ? ` ($${report.budget.spentUsd.toFixed(6)} of $${report.budget.limitUsd} spent)`
      : '';
    say(`lp-batch: stopped: ${stop.message}${spent}${later}\n`);
    return EXIT.budget;
  }
  if (stop?.reason === 'interrupted') {
    say(`lp-batch: interrupted${later}\n`);
    return EXIT.interrupted;
  }
  if (summary.requests.errored > maxFailures) {
    say(`lp-batch: ${summary.requests.errored} requests errored (--max-failures ${maxFailures})\n`);
    return EXIT.failures;
  }
  return EXIT.ok;
}
