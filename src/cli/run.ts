/**
 * `lp-batch run <input> <output>`: its options and its handler. The run itself is the library's
 * `runBatch` (same options, same checks); this file adds what only a command line has: signals,
 * the progress display, the summary table on stderr and the exit code.
 */
import { option, resolveOptions } from '../options/define.js';
import { RUN_OPTIONS } from '../options/run.js';
import { GATE_OPTIONS } from '../options/shared.js';
import { counted } from '../shorten.js';
import type { BatchJobStatus } from '../batches/status.js';
import type { RunBatchReport, RunProgress } from '../run/run-batch.js';
import { Shutdown } from '../run/shutdown.js';
import { defineCommand } from './command.js';
import { printEstimate } from './estimate.js';
import { EXIT } from './exit-codes.js';
import { failedGate, type Gates } from './gates.js';
import { stopOnSignals } from './signals.js';
import { appendStepSummary, stepSummaryFile } from './step-summary.js';
import { formatSummaryMarkdown } from './summary-markdown.js';
import { formatSummary } from './summary-table.js';

/** What only the command line has: an exit code, a display, and a dry run. */
const RUN_CLI_OPTIONS = {
  dryRun: option.boolean({
    default: false,
    describe:
      'Send nothing, write nothing: print what the run would cost, as `lp-batch estimate <input>` does (no key needed); every flag of the run is still checked',
  }),
  ...GATE_OPTIONS,
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
    const { progress, dryRun, ...gates } = resolveOptions(RUN_CLI_OPTIONS, given);
    if (dryRun) {
      // Every flag of the run is checked all the same: a dry run in CI catches the typo the run would hit.
      resolveOptions(RUN_OPTIONS, given);
      const { model, maxTokens, pricing } = given;
      // What the run would cost at the prices of the engine it would run on.
      const priceTier = given.engine === 'batches' ? 'batch' : 'standard';
      const estimate = { inputPath: positionals.input ?? '', model, maxTokens, pricing, priceTier } as const;
      return printEstimate(estimate, false, io);
    }
    // Loaded when a run starts: `--help` and a usage error need neither (see ./index.ts).
    const [{ runBatchWith }, { createProgressReporter }, { createBatchProgressReporter }] = await Promise.all(
      [import('../run/run-batch.js'), import('./progress.js'), import('./batch-progress.js')],
    );
    const batches = given.engine === 'batches';
    const reporter = createProgressReporter(progress, io.stderr);
    const batchReporter = createBatchProgressReporter(progress, io.stderr);
    // The batches' display while they run; the normal one once it takes over (past --deadline).
    let waiting = batches;
    // Above the bar while one is drawn (under it, the next frame would erase the line), then plain.
    const say = (text: string) => (waiting ? batchReporter : reporter).log(text);
    const warn = (message: string) => say(`lp-batch: warning: ${message}\n`);
    const stepSummary = stepSummaryFile(io.env, io.cwd);
    const shutdown = new Shutdown();
    const grace = given.grace ?? RUN_OPTIONS.grace.default;
    const stopListening = stopOnSignals(
      shutdown,
      say,
      batches
        ? 'no new batches; the batches keep running on the gateway, and the same command picks them up again (again to abort what is in flight)'
        : `no new requests; waiting up to ${grace} s for those in flight (again to abort them)`,
    );
    let report: RunBatchReport;
    try {
      report = await runBatchWith(
        {
          ...given,
          inputPath: positionals.input ?? '',
          outputPath: positionals.output ?? '',
          onWarning: warn,
          // Without a display, no count of the input and no per-result snapshot.
          ...(progress === 'none'
            ? {}
            : {
                onProgress: (p: RunProgress) => {
                  // Only the normal engine reports requests: the batches' display gives way to it.
                  if (waiting) batchReporter.stop();
                  waiting = false;
                  reporter.update(p);
                },
                onBatchStatus: (status: BatchJobStatus) => batchReporter.update(status),
              }),
        },
        {
          env: io.env,
          cwd: io.cwd,
          shutdown,
          stdin: io.stdin,
          ...(stepSummary === null ? {} : { alsoWrites: [stepSummary] }),
        },
      );
    } finally {
      batchReporter.stop();
      reporter.stop();
      stopListening();
    }
    if (report.job !== null && report.job.batches.length > 0) {
      const ids = report.job.batches.map((batch) => batch.id ?? '(creating)').join(', ');
      say(`job: ${report.job.job} (batches ${ids})\n`);
    }
    say(formatSummary(report.summary));
    // Paid results the results file could not take: printed where a person can still keep them.
    for (const line of report.unsaved) io.stdout.write(`${JSON.stringify(line)}\n`);
    const output = positionals.output ?? '';
    const title = given.shard === undefined ? output : `${output} (shard ${given.shard})`;
    await appendStepSummary(stepSummary, formatSummaryMarkdown(report.summary, title), warn);
    return exitCodeOf(report, { gates, limit: given.limit, output }, say);
  },
});

/**
 * A stop decides first (budget 3, interrupted 130, the others 2); a run that dealt with every line
 * (or every line within `--limit`) exits 1 when it fails a gate, else 0. `lp-batch results` too.
 */
export function exitCodeOf(
  report: Pick<RunBatchReport, 'stop' | 'summary' | 'notSent' | 'inputRead' | 'unsaved'>,
  given: { gates: Gates; limit: number | undefined; output: string },
  say: (text: string) => void,
): number {
  const { stop, summary, unsaved } = report;
  const kept =
    unsaved.length > 0
      ? `; ${unsaved.length} results that could not be written are on stdout (append them to ${given.output}, or the next run sends those requests again)`
      : '';
  const notSent = notSentText(report);
  const later = (what: string) => `${kept}${notSent === null ? '' : `; ${notSent} (${what})`}`;
  if (stop?.reason === 'interrupted') {
    say(`lp-batch: ${stop.message}${later('run again to send them')}\n`);
    return EXIT.interrupted;
  }
  if (stop?.reason === 'budget') {
    say(`lp-batch: ${stop.message}${later('a larger --max-cost sends them')}\n`);
    return EXIT.budget;
  }
  if (stop !== null) {
    say(`lp-batch: stopped: ${stop.message}${later('run again to send them')}\n`);
    return EXIT.config;
  }
  if (notSent !== null) {
    // Without a stop, only --limit leaves lines unsent, or a batch's results that lack some of its requests.
    const why = given.limit === undefined ? 'run again to send them' : `beyond --limit ${given.limit}`;
    say(`lp-batch: ${notSent}: ${why}\n`);
  }
  const failed = failedGate(summary, given.gates);
  if (failed !== null) {
    say(`lp-batch: ${failed}\n`);
    return EXIT.failures;
  }
  return EXIT.ok;
}

/** `291 requests not sent`, `at least 12 requests not sent` when the input was not read to its end; null for none. */
function notSentText({ notSent, inputRead }: Pick<RunBatchReport, 'notSent' | 'inputRead'>): string | null {
  if (notSent === 0 && inputRead) return null;
  return `${inputRead ? '' : 'at least '}${counted(notSent, 'request')} not sent`;
}
