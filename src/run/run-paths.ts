/**
 * Every path a run will read or write, checked before anything is locked or sent: each usable, and
 * no two of them one file. Both engines and `lp-batch results` use it; the batches engine has one
 * more path, its job file.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { InputSource } from '../input/input-source.js';
import { checkWritablePath, type RolePath, refuseSameFiles } from '../output/path-checks.js';
import type { ShownPath } from '../types.js';
import type { ReportFiles } from './report-files.js';

/**
 * The report files of a run (`--summary`, `--junit`, relative to `cwd`) of the results file `output`;
 * `suite` names the JUnit suite.
 */
export function reportFilesOf(
  given: { summary?: string | undefined; junit?: string | undefined },
  output: ShownPath,
  cwd: string,
  suite = output.shown,
): ReportFiles {
  const shownPath = (shown: string | undefined) =>
    shown === undefined ? null : { path: resolve(cwd, shown), shown };
  return { summary: shownPath(given.summary), junit: shownPath(given.junit), results: output, suite };
}

/**
 * Checks the input, the results file, the report files, `others` (files the caller writes after the
 * run, only kept apart from the rest: writing them is the caller's business) and, for the batches
 * engine, the job file.
 * @throws UsageError, one line naming the path as given and what to do
 */
export function checkRunPaths(
  input: InputSource,
  output: ShownPath,
  files: ReportFiles,
  others: readonly RolePath[] = [],
  jobFile: ShownPath | null = null,
): void {
  if (output.shown === '-') {
    throw new UsageError('the results need a file (a later run reads them back): name one instead of -');
  }
  const results = { ...output, role: 'the results file' };
  const reports = [
    ...(files.summary ? [{ ...files.summary, role: '--summary' }] : []),
    ...(files.junit ? [{ ...files.junit, role: '--junit' }] : []),
  ];
  const job = jobFile && { ...jobFile, role: 'the job file' };
  const inputRole = {
    role: 'the input',
    shown: input.shown,
    path: input.kind === 'stdin' ? null : input.path,
  };
  refuseSameFiles([inputRole, results, ...reports, ...(job ? [job] : []), ...others]);
  checkWritablePath(results, { regularFile: true, writableFolder: true });
  // The job file is replaced whole: a temporary file beside it, then a rename.
  if (job) checkWritablePath(job, { regularFile: true, writableFolder: true });
  for (const report of reports) checkWritablePath(report, { regularFile: false, writableFolder: false });
}
