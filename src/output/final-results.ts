/**
 * The final result of every custom_id in a results file, read as a resumed run reads it: the newest
 * line of each custom_id stands (a run killed before its final rewrite may leave an older one
 * behind), a torn last line is not a result. Two streaming passes, never the file in memory: the
 * first finds the newest line of each custom_id, each later one visits those lines in file order.
 */
import { UsageError } from '../errors.js';
import type { ShownPath } from '../types.js';
import { ResultsIndex, type ResultsIndexOptions } from './results-index.js';
import { readResultsFileLines, type ResultsFileLine, type TornTail } from './results-lines.js';
import { customIdOfResultLine, parseResultRecord, type ResultRecord } from './results-parse.js';

/** Where the final lines of a results file are, from `indexFinalResults`. */
export interface FinalResultsIndex {
  file: ShownPath;
  /** Distinct custom_ids: the number of final results. */
  results: number;
  /** Lines that a newer line of the same custom_id replaces. */
  superseded: number;
  tornTail: TornTail | null;
  /** Where the newest line of each custom_id is; null when no custom_id has two lines (all are final). */
  newest: ResultsIndex | null;
  /** Where the complete lines ended when the file was indexed: later lines are not visited. */
  end: number;
}

/**
 * First pass: finds the newest line of each custom_id (reading only its id: the lines that count
 * are checked in full when they are visited). Memory: a lean index entry per custom_id (about 30
 * bytes, ./results-index.ts), dropped when no id repeats.
 * @throws UsageError when the file does not exist; ResultsFileError when a line is not lp-batch output
 */
export async function indexFinalResults(
  file: ShownPath,
  options: Pick<ResultsIndexOptions, 'fingerprint'> = {},
): Promise<FinalResultsIndex> {
  const newest = new ResultsIndex(file.path, file.shown, options);
  let superseded = 0;
  let ended;
  try {
    ended = await readResultsFileLines(file.path, ({ text, offset, length, fileLine }) => {
      const custom_id = customIdOfResultLine(text, `${file.shown}:${fileLine}`);
      if (newest.note(custom_id, offset, length)) superseded += 1;
    });
  } finally {
    newest.close();
  }
  if (ended === null) throw new UsageError(`results file not found: ${file.shown}`);
  return {
    file,
    results: newest.size,
    superseded,
    tornTail: ended.tornTail,
    newest: superseded > 0 ? newest : null,
    end: ended.tornTail?.offset ?? ended.size,
  };
}

/**
 * A later pass: `visit` gets the final result of each custom_id, in file order. `afterChunk` is
 * awaited after each chunk read (1 MiB): a visitor that writes drains its writes there.
 */
export async function forEachFinalResult(
  index: FinalResultsIndex,
  visit: (record: ResultRecord) => void,
  afterChunk?: () => Promise<void>,
): Promise<void> {
  const { file, newest, end } = index;
  const visitLine = ({ text, offset, fileLine }: ResultsFileLine) => {
    if (offset >= end) return;
    const where = `${file.shown}:${fileLine}`;
    // The id read as the first pass read it, so that both passes agree on which line is whose.
    if (newest !== null && !newest.isNewest(customIdOfResultLine(text, where), offset)) return;
    visit(parseResultRecord(text, where));
  };
  let ended;
  try {
    ended = await readResultsFileLines(file.path, visitLine, { afterChunk });
  } finally {
    newest?.close();
  }
  if (ended === null)
    throw new UsageError(`results file not found: ${file.shown} (removed while it was read)`);
}
