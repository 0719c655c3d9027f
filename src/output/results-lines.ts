/**
 * The lines of a results file, read in one streaming pass: each complete line with where it sits
 * (byte offset and length), never more than one chunk and one partial line in memory. The resume
 * index, `lp-batch summarize` and `lp-batch merge` all read results files through it.
 */
import { open } from 'node:fs/promises';

/** One complete line of a results file. */
export interface ResultsFileLine {
  /** The line without its line ending (LF or CRLF) and without a leading byte order mark. */
  text: string;
  /** Byte offset of the line in the file (after a leading byte order mark). */
  offset: number;
  /** Bytes of the line from `offset`, line ending included. */
  length: number;
  /** 1-based line number in the file, blank lines counted. */
  fileLine: number;
}

/** The bytes after the last complete line: a write cut short by a crash. */
export interface TornTail {
  offset: number;
  bytes: number;
}

/** What is left once every byte was pushed. */
export interface LinesEnd {
  tornTail: TornTail | null;
  /** Bytes in the file. */
  size: number;
}

/** A line splitter fed chunk by chunk, so that splitting can be tested without files. */
export interface ResultsLineSplitter {
  /** Feed the next bytes of the file; the splitter keeps no reference to `chunk`. */
  push(chunk: Buffer): void;
  finish(): LinesEnd;
}

const LF = 0x0a;
const BOM = '\uFEFF';
/** Bytes of the UTF-8 byte order mark. */
const BOM_BYTES = 3;
/** Read size of `readResultsFileLines`: 1 MiB. */
const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * Calls `onLine` for each complete non-blank line pushed. A leading UTF-8 byte order mark is
 * tolerated (editors add one; lp-batch never does): the first line then starts after it.
 */
export function createResultsLineSplitter(onLine: (line: ResultsFileLine) => void): ResultsLineSplitter {
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
    const lineLength = length - (offset - lineStart);
    lineStart += length;
    if (body.trim() === '') return;
    onLine({ text: body, offset, length: lineLength, fileLine });
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
      return { tornTail, size: lineStart + pendingBytes };
    },
  };
}

/** Options of `readResultsFileLines`. */
export interface ReadLinesOptions {
  /** Bytes read at a time. Default 1 MiB. */
  chunkSize?: number | undefined;
  /** Awaited after the lines of each chunk: a consumer writing what it read drains its writes here. */
  afterChunk?: (() => Promise<void>) | undefined;
}

/**
 * Reads the file at `path` in one streaming pass, calling `onLine` for each complete non-blank line.
 * A last line without its `\n` is a torn write, reported as `tornTail`, never a line.
 * @returns null when the file does not exist
 */
export async function readResultsFileLines(
  path: string,
  onLine: (line: ResultsFileLine) => void,
  options: ReadLinesOptions = {},
): Promise<LinesEnd | null> {
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
    const splitter = createResultsLineSplitter(onLine);
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) break;
      splitter.push(buffer.subarray(0, bytesRead));
      await options.afterChunk?.();
    }
    return splitter.finish();
  } finally {
    await handle.close();
  }
}
