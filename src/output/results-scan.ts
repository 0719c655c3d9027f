/**
 * The resume index: one streaming pass over a results file that checks every line is lp-batch
 * output and remembers, per `custom_id`, where its newest line sits (./results-index.ts), never the
 * line itself: an entry's line is read again when it is needed (`resultEntryOf`).
 */
import { ResultsIndex, type ResultsIndexOptions } from './results-index.js';
import {
  createResultsLineSplitter,
  type LinesEnd,
  readResultsFileLines,
  type ResultsFileLine,
  type TornTail,
} from './results-lines.js';
import { customIdOfResultLine, parseResultLine, type ResultFields } from './results-parse.js';

/** The newest line of one `custom_id` in the results file: where it sits, and what it says. */
export interface ResultEntry extends ResultFields {
  /** Byte offset of the line in the results file. */
  offset: number;
  /** Bytes of the line, line ending included. */
  length: number;
}

export type { TornTail } from './results-lines.js';

export interface ResultsScan {
  /** Where the newest line of each `custom_id` is. */
  index: ResultsIndex;
  /** Result lines read (blank lines are not counted): `index.size + superseded`. */
  lines: number;
  /** Result lines replaced by a newer line for the same `custom_id`. */
  superseded: number;
  tornTail: TornTail | null;
  /** Bytes in the file when it was scanned. */
  size: number;
}

/** A scan fed chunk by chunk, so the line splitting can be tested apart from reading. */
export interface ResultsScanner {
  /** Feed the next bytes of the file; the scanner keeps no reference to `chunk`. */
  push(chunk: Buffer): void;
  /** The scan once every byte has been pushed. */
  finish(): ResultsScan;
}

/** Options of a scan. */
export interface ScanOptions extends Pick<ResultsIndexOptions, 'inputLines' | 'fingerprint'> {
  /** Bytes read at a time. Default 1 MiB. */
  chunkSize?: number;
  /** The file as messages name it (as given on the command line). Default: `path`. */
  name?: string;
}

/**
 * Start a scan of the file at `path`, whose bytes are then pushed in order (the scanner reads no
 * more of the file than the lines it confirms a custom_id of). A leading UTF-8 byte order mark is
 * tolerated (editors add one; lp-batch never does): the first entry then starts after it, so a
 * rewrite drops it. Blank lines are tolerated and not counted.
 * @throws ResultsFileError from `push`, at the first complete line that is not lp-batch output
 */
export function createResultsScanner(path: string, options: ScanOptions = {}): ResultsScanner {
  const scan = createScan(path, options);
  const splitter = createResultsLineSplitter(scan.take);
  return {
    push: (chunk) => splitter.push(chunk),
    finish: () => scan.finish(splitter.finish()),
  };
}

/** Every line checked in full; its custom_id read as every later reader of the index reads it. */
function createScan(path: string, options: ScanOptions) {
  const name = options.name ?? path;
  const index = new ResultsIndex(path, name, options);
  let lines = 0;
  let superseded = 0;
  return {
    take: ({ text, offset, length, fileLine }: ResultsFileLine): void => {
      const where = `${name}:${fileLine}`;
      const { line } = parseResultLine(text, where);
      lines += 1;
      if (index.note(customIdOfResultLine(text, where), offset, length, line)) superseded += 1;
    },
    finish: (end: LinesEnd): ResultsScan => ({ index, lines, superseded, ...end }),
  };
}

/**
 * Scan a results file in one streaming pass, keeping only the index (see `ResultsScan`).
 * A last line without its `\n` is a torn write, reported as `tornTail`, never an entry,
 * even when the fragment happens to be complete JSON.
 * @returns null when the file does not exist
 * @throws ResultsFileError naming the file and line when a complete line is not lp-batch output
 */
export async function scanResultsFile(path: string, options: ScanOptions = {}): Promise<ResultsScan | null> {
  const scan = createScan(path, options);
  const end = await readResultsFileLines(path, scan.take, { chunkSize: options.chunkSize });
  return end === null ? null : scan.finish(end);
}

/** The result of an entry of `index`: its line read again and parsed. */
export function resultEntryOf(index: ResultsIndex, entry: number): ResultEntry {
  const offset = index.offsetOf(entry);
  const entryOf = parseResultLine(index.text(entry), `${index.name} at byte ${offset}`) as ResultEntry;
  // Set on the parsed fields, not spread into a copy: a resumed run does this for every line.
  entryOf.offset = offset;
  entryOf.length = index.lengthOf(entry);
  return entryOf;
}
