/**
 * Streams a JSONL file as numbered lines, never holding more than one chunk and one partial line.
 * Tolerates a UTF-8 BOM, CRLF endings and blank lines (skipped, but counted in line numbers).
 */
import { createReadStream } from 'node:fs';

export interface InputLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

const NEWLINE = 0x0a;
const BOM = '\uFEFF';

/** Yields the non-blank lines of `path`, in order. The stream pauses while the consumer is busy. */
export async function* readJsonlLines(path: string): AsyncGenerator<InputLine> {
  let carry: Buffer | null = null;
  let line = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      const piece: Buffer = carry
        ? Buffer.concat([carry, chunk.subarray(start, end)])
        : chunk.subarray(start, end);
      carry = null;
      line += 1;
      const text = decodeLine(piece, line);
      if (text !== null) yield { line, text };
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
    }
  }
  if (carry && carry.length > 0) {
    line += 1;
    const text = decodeLine(carry, line);
    if (text !== null) yield { line, text };
  }
}

/** The line's text without CR and BOM, or null when it is blank. */
function decodeLine(bytes: Buffer, line: number): string | null {
  let text = bytes.toString('utf8');
  if (line === 1 && text.startsWith(BOM)) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text.trim() === '' ? null : text;
}

/** Counts the lines `readJsonlLines` would yield, for a progress total. Reads the file once, fast. */
export async function countJsonlLines(path: string): Promise<number> {
  let count = 0;
  for await (const { text } of readJsonlLines(path)) if (text) count += 1;
  return count;
}
