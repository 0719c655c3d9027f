/**
 * `runBatch()`, the library's way to run a file, and the CLI's too: check the options (the same
 * table as `lp-batch run`) and every path before anything is sent, lock the results file, find the
 * endpoint and the key, count the input for progress, run, and write the report files (why the run
 * stopped early is put in words in ./run-report.ts). `engine: 'batches'` goes to ../batches/run-job.ts.
 */
import { resolve } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { countSharedHeads, type SharedHeads } from '../cache/shared-heads.js';
import type { Endpoint } from '../client/providers.js';
import { countInputLines, type InputSource, inputSource } from '../input/input-source.js';
import { resolveOptions } from '../options/define.js';
import { RUN_OPTIONS, type RunOptions, type RunSettings } from '../options/run.js';
import type { RolePath } from '../output/path-checks.js';
import { lockResultsFile } from '../output/results-lock.js';
import type { RunSummary } from '../output/summary.js';
import { loadPriceTable } from '../pricing/price-file.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { ResultLine } from '../types.js';
import { packageVersion } from '../version.js';
import { refusePendingJob, runBatchJob } from '../batches/run-job.js';
import type { BatchJobStatus } from '../batches/status.js';
import { connect } from './connect.js';
import { checkRunPaths, reportFilesOf } from './run-paths.js';
import { lineDefaultsOf, type RunProgress, runFiles, type Skipped } from './run-files.js';
import { writeReportFiles } from './report-files.js';
import { reportOf, withStop } from './run-report.js';
import { parseShard, type Shard, shareOfLimits } from './shard.js';
import { type RunStop, Shutdown } from './shutdown.js';

export type { RunProgress } from './run-files.js';

/** What `runBatch` takes: the files, the key, callbacks, and every option of `lp-batch run`. */
export interface RunBatchOptions extends RunOptions {
  /**
   * The JSONL file of requests; `-` reads standard input. A relative path is relative to the current
   * folder. Anything but a regular file (standard input, a FIFO, `/dev/stdin`) is read once, as it
   * comes, and progress then has no total.
   */
  inputPath: string;
  /**
   * The JSONL file of results: created, or resumed when it is lp-batch output (see `overwrite`).
   * A relative path is relative to the current folder. Locked for the run (`<outputPath>.lock`).
   */
  outputPath: string;
  /**
   * The API key. When absent it is read from the environment as the CLI reads it: the variable named
   * by `apiKeyEnv` alone when given, else `LP_API_KEY`, else `ANTHROPIC_API_KEY`. Never written to
   * results, the summary or warnings. Not needed with `provider: 'mock'`.
   */
  apiKey?: string | undefined;
  /** Aborting it stops the run as Ctrl-C does: nothing more is sent, what is in flight gets `grace` seconds. */
  signal?: AbortSignal | undefined;
  /**
   * Called once per result line, in the order written to `outputPath` (after a write error, the
   * lines that could not be written: see `RunBatchReport.unsaved`).
   */
  onResult?: ((line: ResultLine) => void) | undefined;
  /** Called at the start and after every line dealt with; `total` is counted before the run when this is given. */
  onProgress?: ((progress: RunProgress) => void) | undefined;
  /** Told of each warning (unknown parameters, unpriced models, a torn last line cut away, ...), redacted. */
  onWarning?: ((message: string) => void) | undefined;
  /** `engine: 'batches'`: called after each look at the job's batches, with where each stands. */
  onBatchStatus?: ((status: BatchJobStatus) => void) | undefined;
}

/** What `runBatch` resolves with. */
export interface RunBatchReport {
  /** The summary of the whole results file: the same object `summary` (`--summary FILE`) writes. */
  summary: RunSummary;
  /**
   * Why requests were left unsent, or null when every line was dealt with: a stop (`auth`,
   * `spend_cap`, `interrupted`, `write_error`), or `budget` when requests were skipped for `maxCost`.
   */
  stop: RunStop | null;
  /**
   * Requests of the input this run did not send and a later run would: cut off by a stop, skipped
   * for the budget, beyond `limit`, never read after a stop (the summary's `requests.not_sent`).
   */
  notSent: number;
  /**
   * Whether every line of the input was read. A stop ends dispatching early; the rest of a regular
   * file is still read to count it, of other input (a pipe) not, and `notSent` is then a lower bound.
   */
  inputRead: boolean;
  /** The budget under `maxCost`, else null: its limit, this run's spending, the requests skipped. */
  budget: { limitUsd: number; spentUsd: number; skipped: Skipped } | null;
  /** Times adaptive concurrency was cut, and the concurrency at the end. */
  concurrency: { final: number; shrinks: number };
  /**
   * Results received after the results file failed (`stop.reason` `write_error`): paid for and not
   * in the file, so put them somewhere (the CLI prints them on stdout), or a later run sends those
   * requests again. Empty otherwise.
   */
  unsaved: ResultLine[];
  /** `engine: 'batches'`: the job's batches as last seen; null for the normal engine. */
  job: BatchJobStatus | null;
}

/** What only lp-batch itself passes in: the CLI's environment, folder and shutdown; tests' clocks. */
export interface RunInternals {
  env?: NodeJS.ProcessEnv;
  /** Relative paths are relative to this folder. Default: the process's. */
  cwd?: string;
  clock?: Clock;
  /** The CLI drives the shutdown itself: Ctrl-C interrupts, a second one aborts. */
  shutdown?: Shutdown;
  /** What an input of `-` reads, asked for only then. Default: process.stdin. */
  stdin?: () => NodeJS.ReadableStream;
  /** Files the caller writes after the run (the CLI: `GITHUB_STEP_SUMMARY`): checked with the run's. */
  alsoWrites?: readonly RolePath[];
}

/**
 * Run every request of `inputPath`, appending one result line per request to `outputPath`, and
 * report. Bad lines and failed requests become errored lines, never exceptions; throws (UsageError,
 * ResultsFileError) only when the run cannot start: a bad option, a missing input or key, a path that
 * cannot be written or names another's file, a results file that is not lp-batch output or that
 * another run holds.
 */
export function runBatch(options: RunBatchOptions): Promise<RunBatchReport> {
  return runBatchWith(options, {});
}

/** `runBatch` with lp-batch's own hooks (see RunInternals). */
export async function runBatchWith(
  options: RunBatchOptions,
  internals: RunInternals,
): Promise<RunBatchReport> {
  const given = resolveOptions(RUN_OPTIONS, options);
  if (given.engine === 'batches') return runBatchJob(options, internals, given);
  const shard = given.shard === undefined ? null : parseShard(given.shard);
  // Under --shard the limits are the whole job's: this run takes its share.
  const settings = shard === null ? given : shareOfLimits(given, shard);
  const cwd = internals.cwd ?? process.cwd();
  const input = inputSource(options.inputPath, cwd, internals.stdin ?? (() => process.stdin));
  const output = { path: resolve(cwd, options.outputPath), shown: options.outputPath };
  const suite = shard === null ? output.shown : `${output.shown} (shard ${shard.k}/${shard.n})`;
  const files = reportFilesOf(settings, output, cwd, suite);
  checkRunPaths(input, output, files, internals.alsoWrites ?? []);
  const prices = await loadPriceTable({ file: settings.pricing, cwd });

  const lock = await lockResultsFile(output, { warn: options.onWarning });
  try {
    const jobFile =
      settings.job === undefined ? null : { path: resolve(cwd, settings.job), shown: settings.job };
    await refusePendingJob(output, jobFile);
    const connection = await connect({
      ...settings,
      apiKey: options.apiKey,
      env: internals.env ?? process.env,
      userAgent: `lp-batch/${packageVersion()}`,
    });
    const shutdown = internals.shutdown ?? new Shutdown();
    const detach = shutdown.interruptOn(options.signal);
    try {
      const outcome = await runFiles({
        settings,
        shard,
        input,
        output,
        endpoint: connection.endpoint,
        prices,
        secrets: connection.secrets,
        clock: internals.clock ?? systemClock,
        shutdown,
        // Which lines are a shard's is known only as they are named: no total then.
        ...(await surveyInput(input, settings, connection.endpoint, prices, {
          withTotal: options.onProgress !== undefined && shard === null,
          shard,
        })),
        onWarning: options.onWarning,
        onProgress: options.onProgress,
        onResult: options.onResult,
      });
      const report = reportOf(outcome, connection.keySource, shard);
      const failed = await writeReportFiles(files, report.summary);
      return failed === null || report.stop !== null ? report : withStop(report, failed);
    } finally {
      detach();
      await connection.close();
    }
  } finally {
    lock.release();
  }
}

/**
 * What is learnt of the input before the run: the progress total (when `withTotal`: its requests, or
 * the first `limit` of them), and under `--cache auto` the tools+system prefixes the lines of this
 * run (of its `shard`) share. Only a regular file is read for either, and only once for both.
 */
async function surveyInput(
  input: InputSource,
  settings: RunSettings,
  endpoint: Endpoint,
  prices: PriceTable,
  { withTotal, shard }: { withTotal: boolean; shard: Shard | null },
): Promise<{ total: number | null; sharedHeads: SharedHeads | null }> {
  const limited = (lines: number | null) =>
    lines === null || settings.limit === undefined ? lines : Math.min(lines, settings.limit);
  if (settings.cache === 'auto' && input.kind === 'file') {
    const defaults = lineDefaultsOf(settings, endpoint);
    const { lines, heads } = await countSharedHeads(input, defaults, prices, shard);
    return { total: withTotal ? limited(lines) : null, sharedHeads: heads };
  }
  return { total: withTotal ? limited(await countInputLines(input)) : null, sharedHeads: null };
}
