/**
 * `lp-batch submit <input> <output>`: the requests of <input> not done in <output> submitted as Message
 * Batches, and the job file written. The submission itself is the library's `submitBatches`.
 */
import type { BatchSubmitReport } from '../batches/library.js';
import { SUBMIT_OPTIONS } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import { REPORT_OPTIONS } from '../options/shared.js';
import { Shutdown } from '../run/shutdown.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { stopOnSignals } from './signals.js';
import { int } from './text-table.js';

export const submitCommand = defineCommand({
  command: 'submit <input> <output>',
  describe:
    'Submit the requests of <input> not done in <output> as Message Batches (50 % of the price) and write the job file <output>.job.json; invalid lines go to <output> at once',
  positionals: {
    input: 'JSONL file of requests',
    output: "JSONL file of results: invalid lines now, the batches' results with `lp-batch results`",
  },
  options: { ...SUBMIT_OPTIONS, ...REPORT_OPTIONS },
  async handler(positionals, given, io) {
    const { json } = resolveOptions(REPORT_OPTIONS, given);
    // Loaded when a submission starts (see ./index.ts).
    const { submitBatchesWith } = await import('../batches/library.js');
    const say = (text: string) => io.stderr.write(text);
    const shutdown = new Shutdown();
    const stopListening = stopOnSignals(shutdown, say, 'no new batches (those created are in the job file)');
    let report: BatchSubmitReport;
    try {
      report = await submitBatchesWith(
        {
          ...given,
          inputPath: positionals.input ?? '',
          outputPath: positionals.output ?? '',
          onWarning: (message) => say(`lp-batch: warning: ${message}\n`),
        },
        { env: io.env, cwd: io.cwd, shutdown, stdin: io.stdin },
      );
    } finally {
      stopListening();
    }
    io.stdout.write(
      json ? `${JSON.stringify(report, null, 2)}\n` : describeSubmission(report, positionals.output ?? ''),
    );
    const { stop } = report;
    if (stop === null) return EXIT.ok;
    say(`lp-batch: stopped: ${stop.message}\n`);
    if (stop.reason === 'budget') return EXIT.budget;
    return stop.reason === 'interrupted' ? EXIT.interrupted : EXIT.config;
  },
});

/** What was submitted, where the job is, and what to run next. */
export function describeSubmission(report: BatchSubmitReport, output: string): string {
  const lines: string[] = [];
  if (report.batches.length > 0) {
    lines.push(
      `submitted ${int(report.submitted)} requests in ${report.batches.length} batches: ${report.batches.join(', ')}`,
    );
  } else lines.push('nothing new to submit');
  if (report.refused > 0)
    lines.push(
      `${int(report.refused)} lines written to ${output} as errored results instead (see their messages)`,
    );
  if (report.done > 0) lines.push(`${int(report.done)} requests already done in ${output}`);
  if (report.in_batches > 0) lines.push(`${int(report.in_batches)} requests already in batches of the job`);
  if (report.batches.length > 0 || report.in_batches > 0) {
    lines.push(
      `job: ${report.job}`,
      `next: lp-batch status ${report.job}, then lp-batch results ${report.job} once they have ended`,
    );
  }
  return `${lines.join('\n')}\n`;
}
