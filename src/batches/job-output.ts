/**
 * The results file as the batches engine writes it: resumed from (its earlier results, torn last line
 * cut), appended to through the one Recorder at the batch tier, and left with one line per custom_id
 * at the end. The same file, the same lines and the same summary as a run of the normal engine.
 */
import { ResultsWriter } from '../output/results-writer.js';
import { SummaryBuilder } from '../output/summary.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { PriorResults } from '../run/prior-results.js';
import { Recorder } from '../run/recorder.js';
import { finalizeResults, prepareResults } from '../run/resume.js';
import type { RunStop } from '../run/shutdown.js';
import type { ResultLine, ShownPath } from '../types.js';

export interface JobOutputOptions {
  /** Start afresh: the file is removed (only when it is lp-batch output). */
  overwrite: boolean;
  /** The batch tier: what the lines written are priced at. */
  prices: PriceTable;
  redact: (text: string) => string;
  warn: (message: string) => void;
  /** Each line written, in the order written. */
  onResult?: ((line: ResultLine) => void) | undefined;
  /** A write failed (disk full, ...): the job must stop taking results. */
  onWriteFailure: (stop: RunStop) => void;
}

export class JobOutput {
  readonly file: ShownPath;
  /** The newest earlier result per custom_id, as the file was when it was opened. */
  readonly prior: PriorResults;
  /** The custom_ids this session wrote. */
  readonly written = new Set<string>();
  readonly summary = new SummaryBuilder('batch');
  readonly recorder: Recorder;
  readonly #writer: ResultsWriter;
  /** Whether the file may now hold two lines for one custom_id (a rewrite leaves one). */
  #mayHaveDuplicates: boolean;
  #closed: Promise<RunStop | null> | null = null;

  private constructor(file: ShownPath, prior: PriorResults, superseded: number, options: JobOutputOptions) {
    this.file = file;
    this.prior = prior;
    this.#mayHaveDuplicates = superseded > 0;
    this.#writer = new ResultsWriter(file.path, {
      onFailure: (error) =>
        options.onWriteFailure({
          reason: 'write_error',
          message: `cannot write results to ${file.shown}: ${error.message}`,
        }),
    });
    this.recorder = new Recorder({
      writer: this.#writer,
      summary: this.summary,
      prices: options.prices,
      redact: options.redact,
      warn: options.warn,
      onResult: (line) => {
        this.written.add(line.custom_id);
        if (prior.has(line.custom_id)) this.#mayHaveDuplicates = true;
        options.onResult?.(line);
      },
    });
  }

  /** Opens `file` for appending, after reading its earlier results (refusing a file that is not lp-batch output). */
  static async open(file: ShownPath, options: JobOutputOptions): Promise<JobOutput> {
    const prepared = await prepareResults(file, options.overwrite);
    if (prepared.cutBytes > 0) {
      options.warn(
        `${file.shown}: cut away a torn last line (${prepared.cutBytes} bytes) left by an interrupted run`,
      );
    }
    return new JobOutput(file, prepared.prior, prepared.superseded, options);
  }

  /** The first write that failed, or null. */
  get failure(): Error | null {
    return this.#writer.failure;
  }

  /** Results that could not be written (after a failed write): paid for, to be kept somewhere. */
  get unsaved(): ResultLine[] {
    return this.#writer.unsaved.map((line) => JSON.parse(line) as ResultLine);
  }

  /** Every line written so far is on disk (fsynced): a job may now record them as written. */
  sync(): void {
    this.#writer.syncNow();
  }

  /**
   * Closes the file and leaves one line per custom_id (in `order`). A failure to rewrite is a
   * `write_error` stop: every result is in the file, and the next run tidies it. Once only: a second
   * call gives the first one's outcome.
   */
  close(order: 'completion' | 'input'): Promise<RunStop | null> {
    this.#closed ??= this.#close(order);
    return this.#closed;
  }

  async #close(order: 'completion' | 'input'): Promise<RunStop | null> {
    this.#writer.close();
    this.prior.close();
    if (this.#writer.failure !== null) {
      return {
        reason: 'write_error',
        message: `cannot write results to ${this.file.shown}: ${this.#writer.failure.message}`,
      };
    }
    try {
      await finalizeResults(this.file, order, this.#mayHaveDuplicates);
      return null;
    } catch (error) {
      const message = `could not rewrite ${this.file.shown} (${(error as Error).message}): every result is in it; the next run tidies it`;
      return { reason: 'write_error', message };
    }
  }
}
