/**
 * The resume index: one streaming pass over a results file that remembers, per `custom_id`,
 * where its newest line sits (offset and length), never the message itself.
 */
import {
  createResultsLineSplitter,
  type LinesEnd,
  readResultsFileLines,
  type ResultsFileLine,
  type TornTail,
} from './results-lines.js';
import { parseResultLine, type ResultFields } from './results-parse.js';

/** Where the newest line of one `custom_id` sits in the results file, and what it says. */
export interface ResultEntry extends ResultFields {
  /** Byte offset of the line in the results file. */
  offset: number;
  /** Bytes of the line, line ending included. */
  length: number;
}

export type { TornTail } from './results-lines.js';

export interface ResultsScan {
  /** Newest entry per `custom_id`. */
  entries: Map<string, ResultEntry>;
  /** Result lines read (blank lines are not counted): `entries.size + superseded`. */
  lines: number;
  /** Result lines replaced by a newer line for the same `custom_id`. */
  superseded: number;
  tornTail: TornTail | null;
  /** Bytes in the file when it was scanned. */
  size: number;
}

/** A scan fed chunk by chunk, so the line splitting can be tested without files. */
export interface ResultsScanner {
  /** Feed the next bytes of the file; the scanner keeps no reference to `chunk`. */
  push(chunk: Buffer): void;
  /** The scan once every byte has been pushed. */
  finish(): ResultsScan;
}

/**
 * Start a scan of the file named `path` in error messages (the scanner reads no file itself).
 * A leading UTF-8 byte order mark is tolerated (editors add one; lp-batch never does): the first
 * entry then starts after it, so a rewrite drops it. Blank lines are tolerated and not counted.
 * @throws ResultsFileError from `push`, at the first complete line that is not lp-batch output
 */
export function createResultsScanner(path: string): ResultsScanner {
  const index = createIndex(path);
  const splitter = createResultsLineSplitter(index.take);
  return {
    push: (chunk) => splitter.push(chunk),
    finish: () => index.finish(splitter.finish()),
  };
}

/** The entries of the lines taken, newest per `custom_id`. */
function createIndex(path: string) {
  const entries = new Map<string, ResultEntry>();
  let lines = 0;
  let superseded = 0;
  return {
    take: ({ text, offset, length, fileLine }: ResultsFileLine): void => {
      const fields = parseResultLine(text, `${path}:${fileLine}`);
      lines += 1;
      if (entries.delete(fields.custom_id)) superseded += 1;
      entries.set(fields.custom_id, { ...fields, offset, length });
    },
    finish: (end: LinesEnd): ResultsScan => ({ entries, lines, superseded, ...end }),
  };
}

/** Options of `scanResultsFile`. */
export interface ScanOptions {
  /** Bytes read at a time. Default 1 MiB. */
  chunkSize?: number;
  /** The file as messages name it (as given on the command line). Default: `path`. */
  name?: string;
}

/**
 * Scan a results file in one streaming pass, keeping only the index (see `ResultsScan`).
 * A last line without its `\n` is a torn write, reported as `tornTail`, never an entry,
 * even when the fragment happens to be complete JSON.
 * @returns null when the file does not exist
 * @throws ResultsFileError naming the file and line when a complete line is not lp-batch output
 */
export async function scanResultsFile(path: string, options: ScanOptions = {}): Promise<ResultsScan | null> {
  const index = createIndex(options.name ?? path);
  const end = await readResultsFileLines(path, index.take, { chunkSize: options.chunkSize });
  return end === null ? null : index.finish(end);
}
