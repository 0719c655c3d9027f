/**
 * The resume index: one streaming pass over a results file that remembers, per `custom_id`,
 * where its newest line sits (offset and length), never the message itself.
 */
import { open } from 'node:fs/promises';
import { parseResultLine, type ResultFields } from './results-parse.js';

/** Where the newest line of one `custom_id` sits in the results file, and what it says. */
export interface ResultEntry extends ResultFields {
  /** Byte offset of the line in the results file. */
  offset: number;
  /** Bytes of the line, line ending included. */
  length: number;
}

/** The bytes after the last complete line: a write cut short by a crash. */
export interface TornTail {
  offset: number;
  bytes: number;
}

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

const LF = 0x0a;
const BOM = '\uFEFF';
/** Bytes of the UTF-8 byte order mark. */
const BOM_BYTES = 3;
/** Read size of `scanResultsFile`: 1 MiB. */
const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * Start a scan of the file named `path` in error messages (the scanner reads no file itself).
 * A leading UTF-8 byte order mark is tolerated (editors add one; lp-batch never does): the first
 * entry then starts after it, so a rewrite drops it. Blank lines are tolerated and not counted.
 * @throws ResultsFileError from `push`, at the first complete line that is not lp-batch output
 */
export function createResultsScanner(path: string): ResultsScanner {
  const entries = new Map<string, ResultEntry>();
  let lines = 0;
  let superseded = 0;
  let fileLine = 0;
  let lineStart = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  function takeLine(text: string, length: number): void {
    fileLine += 1;
    let offset = lineStart;
    let body = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (offset === 0 && body.startsWith(BOM)) {
      body = body.slice(BOM.length);
      offset += BOM_BYTES;
    }
    const entryLength = length - (offset - lineStart);
    lineStart += length;
    if (body.trim() === '') return;
    const fields = parseResultLine(body, `${path}:${fileLine}`);
    lines += 1;
    if (entries.delete(fields.custom_id)) superseded += 1;
    entries.set(fields.custom_id, { ...fields, offset, length: entryLength });
  }

  return {
    push(chunk) {
      let start = 0;
      for (let lf = chunk.indexOf(LF, start); lf !== -1; lf = chunk.indexOf(LF, start)) {
        const end = lf + 1;
        if (pending.length === 0) {
          // The common case: the whole line is in this chunk, decode it without copying.
          takeLine(chunk.toString('utf8', start, lf), end - start);
        } else {
          pending.push(chunk.subarray(start, lf));
          takeLine(Buffer.concat(pending).toString('utf8'), pendingBytes + end - start);
          pending = [];
          pendingBytes = 0;
        }
        start = end;
      }
      if (start < chunk.length) {
        // Copied because the caller may reuse its read buffer for the next chunk.
        pending.push(Buffer.from(chunk.subarray(start)));
        pendingBytes += chunk.length - start;
      }
    },
    finish() {
      const tornTail = pendingBytes > 0 ? { offset: lineStart, bytes: pendingBytes } : null;
      return { entries, lines, superseded, tornTail, size: lineStart + pendingBytes };
    },
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
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`Expected \`chunkSize\` to be a positive integer, got \`${chunkSize}\``);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const scanner = createResultsScanner(options.name ?? path);
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) break;
      scanner.push(buffer.subarray(0, bytesRead));
    }
    return scanner.finish();
  } finally {
    await handle.close();
  }
}
