/**
 * `lp-batch run <input> <output>`: its options and its handler. Flags → a run → the summary on
 * stderr and an exit code. All printing of the run happens here; the run itself only reports.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readApiKey } from '../client/api-key.js';
import { buildEndpoint, PROVIDERS } from '../client/providers.js';
import { UsageError } from '../errors.js';
import { countJsonlLines } from '../input/jsonl-reader.js';
import { startMockServer } from '../mock/server.js';
import { option, resolveOptions } from '../options/define.js';
import { RUN_OPTIONS } from '../options/run.js';
import { createRedactor } from '../output/redact.js';
import { type RunBatchReport, type RunProgress, runBatch } from '../run/run-batch.js';
import { Shutdown } from '../run/shutdown.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { createProgressReporter } from './progress.js';
import { formatSummary } from './summary-table.js';

/** What only the command line has: an exit code and a display. */
const RUN_CLI_OPTIONS = {
  maxFailures: option.count({
    min: 0,
    default: 0,
    describe: 'Errored results tolerated before the exit code is 1',
  }),
  progress: option.choice({
    choices: ['auto', 'bar', 'plain', 'none'],
    arg: 'MODE',
    default: 'auto',
    describe:
      '`bar` (a progress bar), `plain` (a line every 10 s and at the end), `none`; `auto` is `bar` on a terminal, `plain` otherwise',
  }),
};

export const runCommand = defineCommand({
  command: 'run <input> <output>',
  describe: 'Send every request of <input> (JSONL) and append one result line per request to <output>',
  positionals: { input: 'JSONL file of requests', output: 'JSONL file of results' },
  options: { ...RUN_OPTIONS, ...RUN_CLI_OPTIONS },
  async handler(positionals, given, io) {
    const { maxFailures, progress } = resolveOptions(RUN_CLI_OPTIONS, given);
    const settings = resolveOptions(RUN_OPTIONS, given);
    const args = { input: positionals.input ?? '', output: positionals.output ?? '' };
    const input = resolve(io.cwd, args.input);
    if (!existsSync(input)) throw new UsageError(`input file not found: ${args.input}`);

    const mock = settings.provider === 'mock' ? await startMockServer({ record: false }) : null;
    try {
      const key = mock
        ? { value: 'mock-key', variable: '(none: mock)' }
        : readApiKey(io.env, settings.apiKeyEnv);
      const endpoint = buildEndpoint(PROVIDERS[settings.provider], {
        baseUrl: mock ? mock.url : settings.baseUrl,
        apiKey: key.value,
        allowInsecureHttp: settings.allowInsecureHttp,
        userAgent: `lp-batch/${io.version}`,
      });
      const redact = createRedactor([key.value]);
      const say = (text: string) => io.stderr.write(redact(text));

      const total = progress === 'none' ? null : await countJsonlLines(input);
      const reporter = createProgressReporter(progress, total, io.stderr);
      const shutdown = new Shutdown();
      let interrupted = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (!interrupted) {
          interrupted = true;
          shutdown.interrupt();
          say(
            `\nlp-batch: ${signal}: no new requests; waiting up to ${settings.grace} s for those in flight (again to abort them)\n`,
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
          ...settings,
          inputPath: input,
          outputPath: resolve(io.cwd, args.output),
          summary: settings.summary === undefined ? undefined : resolve(io.cwd, settings.summary),
          endpoint,
          secrets: [key.value],
          shutdown,
          onWarning: (message) => say(`lp-batch: warning: ${message}\n`),
          // Without a display, skip the per-result snapshot altogether.
          ...(progress === 'none' ? {} : { onProgress: (p: RunProgress) => reporter.update(p) }),
        });
      } finally {
        reporter.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      say(formatSummary(report.summary));
      return exitCodeOf(report, maxFailures, key.variable, say);
    } finally {
      await mock?.close();
    }
  },
});

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
