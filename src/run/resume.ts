/**
 * Resume: what an existing results file means for this run. Before: cut a torn last line, index
 * the results. Per request: done, kept, or to send (a pure decision). After: rewrite the file
 * atomically when a custom_id has more than one line or `--order input` asks for input order.
 */
import { rm } from 'node:fs/promises';
import { ResultsFileError } from '../errors.js';
import { cutTornTail, rewriteResultsFile } from '../output/results-rewrite.js';
import { type ResultEntry, scanResultsFile } from '../output/results-scan.js';
import type { ShownPath } from '../types.js';
import { PriorResults } from './prior-results.js';

export type ResumeDecision =
  /** A succeeded result for the same params: done, not sent. */
  | 'done'
  /** An errored result kept as it is (`--skip-errored`). */
  | 'keep'
  /** No result yet, an errored one to retry, or one a Message Batch did not run (canceled, expired). */
  | 'send'
  /** A result whose params differ from the request's now: the prompt changed, send again. */
  | 'send_changed';

/** Decides what to do with a request given its earlier result, if any. Pure. */
export function decideResume(
  prior: ResultEntry | undefined,
  paramsHash: string,
  skipErrored: boolean,
): ResumeDecision {
  if (prior === undefined) return 'send';
  if (prior.params_hash !== null && prior.params_hash !== paramsHash) return 'send_changed';
  // No hash: the line was invalid when it was written (never sent); it may have been fixed since.
  if (prior.params_hash === null && prior.type === 'errored') return 'send';
  if (prior.type === 'succeeded') return 'done';
  // Canceled and expired requests never ran: not failures to keep, work still to do.
  if (prior.type !== 'errored') return 'send';
  return skipErrored ? 'keep' : 'send';
}

export interface PreparedResults {
  /** Newest earlier result per custom_id (none on a fresh file); close it once the run is over. */
  prior: PriorResults;
  /** Whether the file already holds more than one line for some custom_id. */
  superseded: number;
  /** Bytes of a torn last line that were cut away, or 0. */
  cutBytes: number;
}

/**
 * Gets the results file ready for appending: removed with `overwrite`, else scanned (refusing a file
 * that is not lp-batch output) with a torn last line cut away. Either is done only to a file whose
 * complete lines prove it is lp-batch output (or an empty one): anything else is left byte for byte.
 */
export async function prepareResults(file: ShownPath, overwrite: boolean): Promise<PreparedResults> {
  // Even with `overwrite`, only lp-batch output is ever removed: a mistyped path must not cost a file.
  const scan = await scanResultsFile(file.path, { name: file.shown });
  if (scan !== null && scan.lines === 0 && scan.tornTail !== null) {
    // One line without its line end proves nothing: it may be anyone's file, never ours to cut.
    throw new ResultsFileError(
      `${file.shown}: not an lp-batch results file: no complete result line (${scan.tornTail.bytes} bytes without a line end); name another output file, or remove this one if it is really a torn lp-batch file`,
    );
  }
  if (overwrite) {
    await rm(file.path, { force: true });
    return { prior: PriorResults.none(), superseded: 0, cutBytes: 0 };
  }
  if (scan === null) return { prior: PriorResults.none(), superseded: 0, cutBytes: 0 };
  if (scan.tornTail) await cutTornTail(file.path, scan.tornTail, file.shown);
  const prior = new PriorResults(scan.index);
  return { prior, superseded: scan.superseded, cutBytes: scan.tornTail?.bytes ?? 0 };
}

/**
 * Leaves exactly one line per custom_id (the newest), in completion order or, with `order: 'input'`,
 * in input-line order. Reads the file once more for offsets; rewrites only when needed.
 */
export async function finalizeResults(
  file: ShownPath,
  order: 'completion' | 'input',
  mayHaveDuplicates: boolean,
): Promise<void> {
  if (!mayHaveDuplicates && order === 'completion') return;
  const scan = await scanResultsFile(file.path, { name: file.shown, inputLines: order === 'input' });
  if (scan === null) return;
  const { index } = scan;
  const options = { name: file.shown, order: 'as-given' as const };
  try {
    if (order === 'completion') {
      if (scan.superseded > 0) await rewriteResultsFile(file.path, index.ranges(), options);
      return;
    }
    // Ties (two custom_ids of one input line: a file another input wrote) stay in file order.
    const sorted = index.entries('input');
    const alreadySorted = scan.superseded === 0 && sorted.every((entry, i) => entry === i);
    if (!alreadySorted) await rewriteResultsFile(file.path, index.ranges(sorted), options);
  } finally {
    index.close();
  }
}
