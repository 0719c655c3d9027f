/**
 * GitHub Actions' job summary: when `GITHUB_STEP_SUMMARY` names a file, `run` and `summarize`
 * append the Markdown summary to it, and the job's page shows it. The file is checked with the
 * command's other paths first, so that it can never be the input or the results.
 */
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RolePath } from '../output/path-checks.js';

/** The variable GitHub Actions sets to the job summary's file. */
export const STEP_SUMMARY_VARIABLE = 'GITHUB_STEP_SUMMARY';

/** The job summary file named by the environment, or null when there is none. */
export function stepSummaryFile(env: NodeJS.ProcessEnv, cwd: string): RolePath | null {
  const shown = env[STEP_SUMMARY_VARIABLE];
  if (shown === undefined || shown === '') return null;
  return { path: resolve(cwd, shown), shown, role: STEP_SUMMARY_VARIABLE };
}

/**
 * Appends `markdown` (and a blank line, so that summaries of several steps stay apart) to `file`.
 * A failure is a warning, not the command's failure: the summary is a display, the results are safe.
 */
export async function appendStepSummary(
  file: RolePath | null,
  markdown: string,
  warn: (message: string) => void,
): Promise<void> {
  if (file === null) return;
  try {
    await appendFile(file.path, `${markdown}\n`);
  } catch (error) {
    warn(
      `cannot append the summary to ${STEP_SUMMARY_VARIABLE} (${file.shown}): ${(error as Error).message}`,
    );
  }
}
