/**
 * Appends result lines to the results file, durably. Each line goes to the kernel in one write the
 * moment it is final (so a killed process loses nothing that was written); the file is fsynced at
 * most `fsyncIntervalMs` after a write and again at close (so a power cut loses at most that much).
 */
import { closeSync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { ResultLine } from '../types.js';

export interface ResultsWriterOptions {
  /** Longest time a written line may wait for fsync, ms. Default 1000. */
  fsyncIntervalMs?: number;
}

export class ResultsWriter {
  readonly #fd: number;
  readonly #timer: NodeJS.Timeout;
  #dirty = false;
  #syncing = false;
  #closed = false;

  constructor(path: string, opts: ResultsWriterOptions = {}) {
    this.#fd = openSync(path, 'a');
    this.#timer = setInterval(() => this.#sync(), opts.fsyncIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /**
   * Writes one result as one complete line. Synchronous on purpose: a single write(2) of a few KB costs
   * microseconds, and once it returns the line survives the process being killed.
   */
  append(result: ResultLine): void {
    if (this.#closed) throw new Error('results writer is closed');
    const bytes = Buffer.from(`${JSON.stringify(result)}\n`, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
    this.#dirty = true;
  }

  #sync(): void {
    if (!this.#dirty || this.#syncing || this.#closed) return;
    this.#dirty = false;
    this.#syncing = true;
    fsync(this.#fd, () => {
      this.#syncing = false;
    });
  }

  /** Flushes to disk and closes. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }
}
