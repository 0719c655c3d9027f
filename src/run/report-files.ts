/**
 * What a run writes once it is over, beside its results: the summary as JSON (`summary`) and the
 * JUnit report (`junit`). A failure to write either is the run's `write_error` stop: its results are
 * safe in the results file, and one line says which file failed and why.
 */
import { writeFile } from 'node:fs/promises';
import { indexFinalResults } from '../output/final-results.js';
import { writeJunitReport } from '../output/junit.js';
import type { RunSummary } from '../output/summary.js';
import type { ShownPath } from '../types.js';
import type { RunStop } from './shutdown.js';

export interface ReportFiles {
  /** `--summary FILE`, or null. */
  summary: ShownPath | null;
  /** `--junit FILE`, or null. */
  junit: ShownPath | null;
  /** The results file the JUnit report is made of. */
  results: ShownPath;
  /** The JUnit suite's name: the results file, and the shard. */
  suite: string;
}

/**
 * Writes the JUnit report, then the summary (which then says if the JUnit report failed); a stop
 * given already is kept in the summary. Returns the first write that failed, as a stop, or null.
 */
export async function writeReportFiles(files: ReportFiles, summary: RunSummary): Promise<RunStop | null> {
  let failed: RunStop | null = null;
  if (files.junit !== null) {
    const junit = files.junit;
    failed = await attempt(`the JUnit report to ${junit.shown}`, async () =>
      writeJunitReport(await indexFinalResults(files.results), junit, files.suite),
    );
  }
  if (files.summary !== null) {
    const json = `${JSON.stringify({ ...summary, stop: summary.stop ?? failed }, null, 2)}\n`;
    const file = files.summary;
    failed ??= await attempt(`the summary to ${file.shown}`, () => writeFile(file.path, json));
  }
  return failed;
}

async function attempt(what: string, write: () => Promise<unknown>): Promise<RunStop | null> {
  try {
    await write();
    return null;
  } catch (error) {
    return { reason: 'write_error', message: `cannot write ${what}: ${(error as Error).message}` };
  }
}
