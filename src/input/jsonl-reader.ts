/**
 * Streams a JSONL file as numbered lines, never holding more than one chunk and one partial line.
 * Tolerates a UTF-8 BOM, CRLF endings and blank lines (skipped, but counted in line numbers).
 */
import { createReadStream } from 'node:fs';
import { findInvalidUtf8, type InvalidUtf8 } from './utf8.js';

export interface InputLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** The line's first byte that is not UTF-8, when there is one (`text` holds U+FFFD in its place). */
  invalidUtf8?: InvalidUtf8;
}

const NEWLINE = 0x0a;
const BOM = '\uFEFF';
const REPLACEMENT = '\uFFFD';

/** Yields the non-blank lines of `path`, in order. The stream pauses while the consumer is busy. */
export function readJsonlLines(path: string): AsyncGenerator<InputLine> {
  return splitJsonlLines(openInput(path));
}

/**
 * Yields the non-blank lines of `path` a chunk at a time (a few hundred lines per array), for a
 * consumer that does not wait between lines: one await per chunk instead of one per line.
 */
export function readJsonlBatches(path: string): AsyncGenerator<InputLine[]> {
  return splitJsonlBatches(openInput(path));
}

function openInput(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 256 * 1024 });
}

/**
 * Yields the non-blank lines of a byte stream cut anywhere (inside a line, inside a character):
 * a line is decoded only once all its bytes are in.
 */
export async function* splitJsonlLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<InputLine> {
  for await (const batch of splitJsonlBatches(chunks)) yield* batch;
}

/** `splitJsonlLines`, a chunk's complete lines at a time (an array, empty for none). */
export async function* splitJsonlBatches(chunks: AsyncIterable<Buffer>): AsyncGenerator<InputLine[]> {
  let carry: Buffer | null = null;
  let line = 0;
  for await (const chunk of chunks) {
    const batch: InputLine[] = [];
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      const piece: Buffer = carry
        ? Buffer.concat([carry, chunk.subarray(start, end)])
        : chunk.subarray(start, end);
      carry = null;
      line += 1;
      const decoded = decodeLine(piece, line);
      if (decoded !== null) batch.push(decoded);
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
    }
    if (batch.length > 0) yield batch;
  }
  if (carry && carry.length > 0) {
    line += 1;
    const decoded = decodeLine(carry, line);
    if (decoded !== null) yield [decoded];
  }
}

/** Line `line`'s bytes as the reader yields them (without CR, line 1 without its BOM), or null when blank. */
export function decodeLine(bytes: Buffer, line: number): InputLine | null {
  let text = bytes.toString('utf8');
  if (line === 1 && text.startsWith(BOM)) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return null;
  // Only a line holding U+FFFD can have bad bytes: the strict check costs nothing on the others.
  const invalidUtf8 = text.includes(REPLACEMENT) ? findInvalidUtf8(bytes) : null;
  return invalidUtf8 ? { line, text, invalidUtf8 } : { line, text };
}

/** Counts the lines `readJsonlLines` would yield, for a progress total. Reads the file once, fast. */
export async function countJsonlLines(path: string): Promise<number> {
  let count = 0;
  for await (const { text } of readJsonlLines(path)) if (text) count += 1;
  return count;
}
