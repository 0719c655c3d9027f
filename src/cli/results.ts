/**
 * `lp-batch results <job> [output]`: the results of a job's ended batches, written as a run writes
 * them, and the same summary. The work itself is the library's `fetchBatchResults`.
 */
import type { BatchResultsReport } from '../batches/library-results.js';
import { RESULTS_OPTIONS } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import { GATE_OPTIONS } from '../options/shared.js';
import { Shutdown } from '../run/shutdown.js';
import { defineCommand } from './command.js';
import { int } from './text-table.js';
import { exitCodeOf } from './run.js';
import { stopOnSignals } from './signals.js';
import { formatSummary } from './summary-table.js';

/** What only the command line has: the exit code's gates, as `run` has them. */
const RESULTS_CLI_OPTIONS = GATE_OPTIONS;

export const resultsCommand = defineCommand({
  command: 'results <job> [output]',
  describe:
    "Write the results of a job's ended batches to [output] (default: the job's results file), as `lp-batch run` writes them, and summarize",
  positionals: {
    job: 'The job file `lp-batch submit` or `run --engine batches` wrote (<output>.job.json)',
    output: "JSONL file of results (default: the job's own)",
  },
  options: { ...RESULTS_OPTIONS, ...RESULTS_CLI_OPTIONS },
  async handler(positionals, given, io) {
    const gates = resolveOptions(RESULTS_CLI_OPTIONS, given);
    // Loaded when a download starts (see ./index.ts).
    const { fetchBatchResultsWith } = await import('../batches/library-results.js');
    const say = (text: string) => io.stderr.write(text);
    const shutdown = new Shutdown();
    const stopListening = stopOnSignals(
      shutdown,
      say,
      'stopping after the line being written (what is written stays)',
    );
    const job = positionals.job ?? '';
    let report: BatchResultsReport;
    try {
      report = await fetchBatchResultsWith(
        {
          ...given,
          jobPath: job,
          outputPath: positionals.output,
          onWarning: (message) => say(`lp-batch: warning: ${message}\n`),
        },
        { env: io.env, cwd: io.cwd, shutdown, stdin: io.stdin },
      );
    } finally {
      stopListening();
    }
    say(formatSummary(report.summary));
    for (const line of report.unsaved) io.stdout.write(`${JSON.stringify(line)}\n`);
    if (report.waiting.batches > 0) {
      say(
        `lp-batch: ${report.waiting.batches} batches have not ended (${int(report.waiting.requests)} requests): run lp-batch results ${job} again once they have (lp-batch status ${job})\n`,
      );
    }
    const notYet = report.notSent - report.waiting.requests;
    return exitCodeOf(
      { ...report, notSent: Math.max(0, notYet), inputRead: true },
      { gates, limit: undefined, output: positionals.output ?? 'the results file' },
      say,
    );
  },
});
