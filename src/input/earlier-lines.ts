/**
 * An earlier line of a regular input file, read again by its number: how the naming rule confirms
 * that a custom_id it holds only as a fingerprint is the one that line asked for. Such reads are rare
 * (a repeated custom_id, or two custom_ids sharing a fingerprint), so they are synchronous and open
 * the file each time. The byte offset of every 256th line is noted on the way, so a read covers at
 * most 255 lines before its own, once the file has been read that far.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { decodeLine } from './jsonl-reader.js';

/** Lines between two noted offsets. */
const EVERY = 256;
/** Bytes read at a time. */
const READ_BYTES = 64 * 1024;
const LF = 0x0a;

export class EarlierLines {
  readonly #path: string;
  /** `#starts[k]`: the byte offset where line `k * EVERY + 1` starts. */
  readonly #starts: number[] = [0];

  constructor(path: string) {
    this.#path = path;
  }

  /**
   * Line `line` (1-based, blank lines counted) as the JSONL reader yields its text; null when it is
   * blank or past the end of the file.
   */
  textOf(line: number): string | null {
    const k = Math.min(Math.floor((line - 1) / EVERY), this.#starts.length - 1);
    const fd = openSync(this.#path, 'r');
    try {
      return this.#read(fd, line, k * EVERY + 1, this.#starts[k] as number);
    } finally {
      closeSync(fd);
    }
  }

  /** Reads from line `current`, which starts at `position`, to the end of line `line`. */
  #read(fd: number, line: number, current: number, position: number): string | null {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const pieces: Buffer[] = [];
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, READ_BYTES, position);
      if (bytesRead === 0) return current === line ? decoded(pieces, line) : null;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      while (start < bytesRead) {
        const lf = chunk.indexOf(LF, start);
        const end = lf === -1 ? bytesRead : lf;
        if (current === line) pieces.push(Buffer.from(chunk.subarray(start, end)));
        if (lf === -1) break;
        if (current === line) return decoded(pieces, line);
        current += 1;
        this.#note(current, position + lf + 1);
        start = lf + 1;
      }
      position += bytesRead;
    }
  }

  #note(line: number, offset: number): void {
    if ((line - 1) % EVERY === 0 && (line - 1) / EVERY === this.#starts.length) this.#starts.push(offset);
  }
}

function decoded(pieces: Buffer[], line: number): string | null {
  return decodeLine(pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces), line)?.text ?? null;
}
