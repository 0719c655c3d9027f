/**
 * The earlier results a run resumes from: the results file as it was when the run began, asked by
 * custom_id. Kept as its scan's lean index (../output/results-index.ts): a result is read again from
 * the file when a line asks for it, and only the lines no input line asked for are read at the end.
 */
import type { ResultsIndex } from '../output/results-index.js';
import { type ResultEntry, resultEntryOf } from '../output/results-scan.js';

export class PriorResults {
  readonly #index: ResultsIndex | null;

  /** The results of `index` (null: none, a fresh results file). */
  constructor(index: ResultsIndex | null) {
    this.#index = index;
  }

  /** No earlier results. */
  static none(): PriorResults {
    return new PriorResults(null);
  }

  /** custom_ids with an earlier result. */
  get size(): number {
    return this.#index?.size ?? 0;
  }

  /** Whether `custom_id` has an earlier result. */
  has(custom_id: string): boolean {
    return (this.#index?.find(custom_id) ?? -1) >= 0;
  }

  /** Notes that an input line is named `custom_id` (its result is not foreign); whether it has one. */
  ask(custom_id: string): boolean {
    const entry = this.#index?.find(custom_id) ?? -1;
    if (entry >= 0) this.#index?.mark(entry);
    return entry >= 0;
  }

  /** The earlier result of `custom_id`, read again from the file. */
  get(custom_id: string): ResultEntry | undefined {
    const entry = this.#index?.find(custom_id) ?? -1;
    return this.#index === null || entry < 0 ? undefined : resultEntryOf(this.#index, entry);
  }

  /** The results of custom_ids no input line was named (see `ask`), in file order; closes the file after. */
  *unasked(): Generator<ResultEntry> {
    const index = this.#index;
    if (index === null) return;
    try {
      for (const entry of index.entries()) if (!index.isMarked(entry)) yield resultEntryOf(index, entry);
    } finally {
      index.close();
    }
  }

  /** Closes the results file it reads (a later question opens it again). */
  close(): void {
    this.#index?.close();
  }
}
