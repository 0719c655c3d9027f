/**
 * Lines of a results file read again by where a scan found them (offset and length), synchronously:
 * the lean index keeps no line, and reads one again when it needs it (a resumed request's earlier
 * result, a custom_id to confirm). Reads go through a few 64 KiB blocks, so lines asked for in file
 * order, or in the order of a few interleaved runs of it (a merge of shards), cost one read per block.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ResultsFileError } from '../errors.js';

/** Bytes of a block. */
const BLOCK_BYTES = 64 * 1024;
/** Blocks kept, the least recently used replaced first. */
const BLOCKS = 8;
const LF = 0x0a;
const CR = 0x0d;

interface Block {
  bytes: Buffer;
  /** File offsets of the bytes held: [start, end). */
  start: number;
  end: number;
}

export class ResultsReread {
  readonly #path: string;
  readonly #name: string;
  #fd: number | null = null;
  /** Most recently used last. */
  readonly #blocks: Block[] = [];

  /** `name`: the file as messages name it. */
  constructor(path: string, name: string) {
    this.#path = path;
    this.#name = name;
  }

  /**
   * The line at `offset`, `length` bytes with its line end, without its line end (LF or CRLF).
   * @throws ResultsFileError when those bytes are not a line any more (the file changed since its scan)
   */
  text(offset: number, length: number): string {
    const block = length > BLOCK_BYTES ? this.#readOnce(offset, length) : this.#blockOf(offset, length);
    const start = offset - block.start;
    let end = start + length - 1;
    if (offset + length > block.end || block.bytes[end] !== LF) {
      throw new ResultsFileError(
        `${this.#name}: results file changed since it was scanned: no line end after the line at byte ${offset}`,
      );
    }
    if (end > start && block.bytes[end - 1] === CR) end -= 1;
    return block.bytes.toString('utf8', start, end);
  }

  /** Closes the file; a later `text` opens it again. */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#blocks.length = 0;
  }

  #blockOf(offset: number, length: number): Block {
    const blocks = this.#blocks;
    for (let i = blocks.length - 1; i >= 0; i -= 1) {
      const block = blocks[i] as Block;
      if (offset < block.start || offset + length > block.end) continue;
      if (i !== blocks.length - 1) blocks.push(...blocks.splice(i, 1));
      return block;
    }
    const reused = blocks.length < BLOCKS ? null : (blocks.shift() as Block);
    const block = this.#read(reused?.bytes ?? Buffer.allocUnsafe(BLOCK_BYTES), offset);
    blocks.push(block);
    return block;
  }

  #readOnce(offset: number, length: number): Block {
    return this.#read(Buffer.allocUnsafe(length), offset);
  }

  #read(bytes: Buffer, offset: number): Block {
    this.#fd ??= openSync(this.#path, 'r');
    let filled = 0;
    while (filled < bytes.length) {
      const bytesRead = readSync(this.#fd, bytes, filled, bytes.length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes, start: offset, end: offset + filled };
  }
}
