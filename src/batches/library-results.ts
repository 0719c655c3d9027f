/**
 * `fetchBatchResults`, the library's `lp-batch results`: the results of a job's ended batches written
 * to its results file (or another), joined to their input lines as a run writes them, and summarized.
 */
import { relative, resolve } from 'node:path';
import { type ResultsOptions, RESULTS_OPTIONS } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import type { RunSummary } from '../output/summary.js';
import { loadPriceTable } from '../pricing/price-file.js';
import { writeReportFiles } from '../run/report-files.js';
import { checkRunPaths, reportFilesOf } from '../run/run-paths.js';
import { type RunStop, Shutdown } from '../run/shutdown.js';
import type { ResultLine, ShownPath } from '../types.js';
import { accountLines } from './input-passes.js';
import { type BatchInternals, type Callers, callOf, jobConnection } from './library.js';
import { openJobForCommand } from './open-job.js';
import { lineDefaultsOfJob } from './job-file.js';
import { fileInput, ResultsTaker, withWritingSession } from './session.js';

/** What `fetchBatchResults` takes: the job file, where the results go, and every option of `lp-batch results`. */
export interface FetchBatchResultsOptions extends ResultsOptions, Callers {
  jobPath: string;
  /** The results file. Default: the job's own (the one given when it was submitted). */
  outputPath?: string | undefined;
  /** Called once per result line, in the order written. */
  onResult?: ((line: ResultLine) => void) | undefined;
  /** Aborting it stops between two lines of a download (what was written stays). */
  signal?: AbortSignal | undefined;
}

/** What `fetchBatchResults` resolves with. */
export interface BatchResultsReport {
  /** The summary of the whole results file, as a run gives it (at the batch price). */
  summary: RunSummary;
  stop: RunStop | null;
  /** Lines of the input with no result in the file: in batches that have not ended, or never submitted. */
  notSent: number;
  /** Batches that have not ended (a later call writes their results), and the requests they hold. */
  waiting: { batches: number; requests: number };
  /** Results the results file could not take (a failed write): paid for, keep them. */
  unsaved: ResultLine[];
}

/**
 * Writes the results of every batch of the job that has ended to the results file (joined to their
 * input lines, as a run writes them), and summarizes the file. Batches still running are counted in
 * `waiting`: call it again once they have ended.
 */
export function fetchBatchResults(options: FetchBatchResultsOptions): Promise<BatchResultsReport> {
  return fetchBatchResultsWith(options, {});
}

export async function fetchBatchResultsWith(
  options: FetchBatchResultsOptions,
  internals: BatchInternals,
): Promise<BatchResultsReport> {
  const settings = resolveOptions(RESULTS_OPTIONS, options);
  const cwd = internals.cwd ?? process.cwd();
  const jobFile = { path: resolve(cwd, options.jobPath), shown: options.jobPath };
  const job = await openJobForCommand(jobFile);
  const output =
    options.outputPath === undefined ? shownOf(job.output, cwd) : pathOf(options.outputPath, cwd);
  const input = fileInput(shownOf(job.input, cwd).shown, cwd, internals.stdin ?? (() => process.stdin));
  const files = reportFilesOf(settings, output, cwd);
  checkRunPaths(input, output, files, [], jobFile);
  const prices = await loadPriceTable({
    file: settings.pricing ?? job.pricing ?? undefined,
    cwd,
    tier: 'batch',
  });
  const shutdown = internals.shutdown ?? new Shutdown();
  const detach = shutdown.interruptOn(options.signal);
  const call = callOf(options, internals, shutdown);
  try {
    const spec = {
      ...call,
      input,
      output,
      jobFile,
      connection: { ...settings, ...jobConnection(job) },
      prices,
      overwrite: false,
      openJob: () => openJobForCommand(jobFile),
    };
    return await withWritingSession(spec, async (session) => {
      const started = call.clock.now();
      const own = session.out.file.path === session.job.output;
      const batches = session.job.batches.filter((batch) => !own || !batch.results_written);
      const taker = new ResultsTaker(session);
      await taker.prepare(batches.filter((batch) => batch.id !== null));
      const waiting = { batches: 0, requests: 0 };
      for (const batch of batches) {
        const info =
          batch.id === null || shutdown.draining.aborted ? null : await session.api.retrieve(batch.id);
        if (info?.processing_status === 'ended') await taker.take(batch, info);
        else {
          waiting.batches += 1;
          waiting.requests += batch.requests.size;
        }
      }
      const accounting = await accountLines(input, lineDefaultsOfJob(session.job), session.out);
      const closeStop = await session.out.close(settings.order);
      const summary = session.out.summary.build(call.clock.now() - started);
      const summaryStop = await writeReportFiles(files, summary);
      return {
        summary,
        stop: shutdown.reason ?? closeStop ?? summaryStop,
        notSent: accounting.notInFile,
        waiting,
        unsaved: session.out.unsaved,
      };
    });
  } finally {
    detach();
    shutdown.dispose();
  }
}

function pathOf(given: string, cwd: string): ShownPath {
  return { path: resolve(cwd, given), shown: given };
}

/** An absolute path from a job file, shown relative to the current folder when that is shorter. */
function shownOf(path: string, cwd: string): ShownPath {
  const near = relative(cwd, path);
  return { path, shown: near !== '' && near.length < path.length ? near : path };
}
