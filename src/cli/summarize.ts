/**
 * `lp-batch summarize <results>`: the summary of a results file alone (a finished run's, a merge of
 * shards'), with the numbers the run printed; optionally a JUnit report, the job summary of GitHub
 * Actions, and the gates of the exit code.
 */
import { resolve } from 'node:path';
import { LpBatchError, UsageError } from '../errors.js';
import { resolveOptions } from '../options/define.js';
import { SUMMARIZE_OPTIONS } from '../options/summarize.js';
import { writeJunitReport } from '../output/junit.js';
import { checkWritablePath, refuseSameFiles } from '../output/path-checks.js';
import { summarizeResultsFile } from '../output/summarize.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { failedGate } from './gates.js';
import { appendStepSummary, stepSummaryFile } from './step-summary.js';
import { formatSummaryMarkdown } from './summary-markdown.js';
import { formatSummary } from './summary-table.js';

export const summarizeCommand = defineCommand({
  command: 'summarize <results>',
  describe:
    "Print the summary of a results file (a run's <output>, or a merge of shards') from the file alone",
  positionals: { results: 'JSONL file of results, as `run` writes it' },
  options: SUMMARIZE_OPTIONS,
  async handler(positionals, given, io) {
    const { json, markdown, junit, ...gates } = resolveOptions(SUMMARIZE_OPTIONS, given);
    if (json && markdown) throw new UsageError('--json and --markdown: choose one');
    const warn = (message: string) => io.stderr.write(`lp-batch: warning: ${message}\n`);
    const shown = positionals.results ?? '';
    const results = { path: resolve(io.cwd, shown), shown };
    const junitFile =
      junit === undefined ? null : { path: resolve(io.cwd, junit), shown: junit, role: '--junit' };
    const stepSummary = stepSummaryFile(io.env, io.cwd);
    refuseSameFiles(
      [{ ...results, role: 'the results file' }, junitFile, stepSummary].filter((f) => f !== null),
    );
    // The job summary is appended to as it can be (a warning otherwise); the JUnit report must be written.
    if (junitFile !== null) checkWritablePath(junitFile, { regularFile: false, writableFolder: false });

    const { summary, index } = await summarizeResultsFile(results);
    if (index.tornTail !== null) {
      warn(
        `${shown}: a torn last line (${index.tornTail.bytes} bytes, a write cut short) is not a result: not counted`,
      );
    }
    if (junitFile !== null) {
      await writeJunitReport(index, junitFile, shown).catch((error: unknown) => {
        if (error instanceof LpBatchError) throw error;
        throw new UsageError(
          `cannot write the JUnit report to ${junitFile.shown}: ${(error as Error).message}`,
        );
      });
    }
    if (json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (markdown) io.stdout.write(formatSummaryMarkdown(summary, shown));
    else io.stdout.write(formatSummary(summary));
    await appendStepSummary(stepSummary, formatSummaryMarkdown(summary, shown), warn);

    const failed = failedGate(summary, gates);
    if (failed === null) return EXIT.ok;
    io.stderr.write(`lp-batch: ${failed}\n`);
    return EXIT.failures;
  },
});
