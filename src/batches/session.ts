/**
 * What every command that writes a job's results holds while it runs (`submit`, `results`, `run
 * --engine batches`), and the steps they share: the input (a regular file: it is read again to join
 * the results), the job file's path, and taking an ended batch's results into the results file.
 */
import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { BatchApi } from '../client/batch-api.js';
import type { BatchInfo } from '../client/batch-info.js';
import { UsageError } from '../errors.js';
import { type InputSource, inputSource } from '../input/input-source.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { Shutdown } from '../run/shutdown.js';
import { lockResultsFile } from '../output/results-lock.js';
import type { ResultLine, ShownPath } from '../types.js';
import {
  type BatchConnection,
  type BatchConnectionOptions,
  openBatchConnection,
} from './batch-connection.js';
import { downloadBatch } from './download.js';
import { indexLines, type LineInfo } from './input-passes.js';
import { type Job, type JobBatch, jobPathOf, lineDefaultsOfJob, writeJobFile } from './job-file.js';
import { JobOutput } from './job-output.js';

export interface Session {
  job: Job;
  jobFile: ShownPath;
  input: InputSource;
  out: JobOutput;
  api: BatchApi;
  /** The batch tier. */
  prices: PriceTable;
  clock: Clock;
  shutdown: Shutdown;
  warn: (message: string) => void;
}

/**
 * The input of a batches command: a regular file, since the results are joined to its lines by
 * reading it again (`-`, a pipe or a FIFO can be read only once).
 * @throws UsageError naming the input and what to do
 */
export function fileInput(
  inputPath: string,
  cwd: string,
  stdin: () => NodeJS.ReadableStream,
): Extract<InputSource, { kind: 'file' }> {
  const input = inputSource(inputPath, cwd, stdin);
  if (input.kind !== 'file') {
    throw new UsageError(
      `the batches engine reads its input again to join the results to their lines: name a regular file instead of ${input.shown}`,
    );
  }
  return input;
}

/** The job file of `output`: `--job FILE` when given, else `<output>.job.json` beside it. */
export function jobFileOf(output: ShownPath, job: string | undefined, cwd: string): ShownPath {
  return job === undefined
    ? { path: jobPathOf(output.path), shown: jobPathOf(output.shown) }
    : { path: resolve(cwd, job), shown: job };
}

/**
 * Takes ended batches' results into the session's results file. Before the first, the input is read
 * once to index the lines of the batches to take (`prepare`, again when new batches came since). A
 * batch whose results went to the job's own results file whole is marked `results_written` in the job
 * file, once its lines are on disk.
 */
export class ResultsTaker {
  readonly #s: Session;
  #index = new Map<string, LineInfo>();
  readonly #indexed = new Set<JobBatch>();
  /** Batches taken (or tried) by this session: not taken again by it. */
  readonly taken = new Set<JobBatch>();

  constructor(session: Session) {
    this.#s = session;
  }

  /** Indexes the input lines of `batches` unless done already. */
  async prepare(batches: readonly JobBatch[]): Promise<void> {
    const fresh = batches.filter((batch) => !this.#indexed.has(batch));
    if (fresh.length === 0) return;
    const ids = new Set<string>();
    for (const batch of [...this.#indexed, ...fresh]) for (const id of batch.requests.keys()) ids.add(id);
    this.#index = await indexLines(this.#s.input, lineDefaultsOfJob(this.#s.job), ids);
    for (const batch of fresh) this.#indexed.add(batch);
  }

  /** Writes the results of `batch`, ended as `info` says. */
  async take(batch: JobBatch, info: BatchInfo): Promise<void> {
    const s = this.#s;
    await this.prepare([batch]);
    this.taken.add(batch);
    const done = await downloadBatch(
      {
        api: s.api,
        out: s.out,
        prices: s.prices,
        index: this.#index,
        clock: s.clock,
        warn: s.warn,
        stop: s.shutdown.draining,
      },
      batch,
      info,
    );
    if (!done.complete || s.out.file.path !== s.job.output || s.out.failure !== null) return;
    // A batch is marked written only once its lines are on disk: else a power cut could lose results
    // that no later run would fetch again.
    s.out.sync();
    if (s.out.failure !== null) return;
    batch.results_written = true;
    await writeJobFile(s.jobFile.path, s.job);
  }
}

/** What a command that writes a job's results needs to open its session. */
export interface WritingSpec {
  input: InputSource;
  output: ShownPath;
  jobFile: ShownPath;
  /** The connection: the job's gateway, or the run's options for a new job. */
  connection: Omit<BatchConnectionOptions, 'clock' | 'signal' | 'env' | 'apiKey'>;
  apiKey: string | undefined;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  shutdown: Shutdown;
  /** The batch tier. */
  prices: PriceTable;
  overwrite: boolean;
  /** The job to work on, once the gateway is known (a new job records its base URL). */
  openJob: (connection: BatchConnection) => Promise<Job>;
  onWarning?: ((message: string) => void) | undefined;
  onResult?: ((line: ResultLine) => void) | undefined;
}

/**
 * Runs `body` with the session of `spec`: the results file locked (one writer per file, and so per
 * job file), the gateway reached, the job opened, the results file read and opened for appending.
 * Everything is closed after, whatever happens; `body` closes the results file itself to learn how
 * that went (a second close is a no-op).
 */
export async function withWritingSession<T>(
  spec: WritingSpec,
  body: (session: Session, connection: BatchConnection) => Promise<T>,
): Promise<T> {
  let redact = (text: string) => text;
  const warn = (message: string) => spec.onWarning?.(redact(message));
  const lock = await lockResultsFile(spec.output, { warn });
  try {
    const connection = await openBatchConnection({
      ...spec.connection,
      apiKey: spec.apiKey,
      env: spec.env,
      clock: spec.clock,
      signal: spec.shutdown.aborted,
    });
    redact = connection.redact;
    try {
      const job = await spec.openJob(connection);
      const out = await JobOutput.open(spec.output, {
        overwrite: spec.overwrite,
        prices: spec.prices,
        redact,
        warn,
        onResult: spec.onResult,
        onWriteFailure: (stop) => spec.shutdown.stop(stop),
      });
      const session: Session = {
        job,
        jobFile: spec.jobFile,
        input: spec.input,
        out,
        api: connection.api,
        prices: spec.prices,
        clock: spec.clock,
        shutdown: spec.shutdown,
        warn,
      };
      try {
        return await body(session, connection);
      } finally {
        await out.close('completion');
      }
    } finally {
      await connection.close();
    }
  } finally {
    lock.release();
  }
}
