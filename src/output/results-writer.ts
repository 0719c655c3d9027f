/**
 * Appends result lines to the results file, durably. A line goes to the kernel before the process
 * does anything else: results that become final in the same turn of the event loop are written
 * together in one write(2) as soon as that turn's synchronous work and promise callbacks are done,
 * never later than the next I/O. A killed process therefore loses no line that was written; the
 * file is fsynced at most `fsyncIntervalMs` after a write and again at close (a power cut loses at
 * most that much).
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { ResultLine } from '../types.js';

export interface ResultsWriterOptions {
  /** Longest time a written line may wait for fsync, ms. Default 1000. */
  fsyncIntervalMs?: number;
}

export class ResultsWriter {
  readonly #fd: number;
  readonly #timer: NodeJS.Timeout;
  #dirty = false;
  #pending: string[] = [];
  #flushQueued = false;
  #closed = false;
  /** A write that failed in the background (disk full, say): raised by the next append or close. */
  #failure: unknown = null;

  constructor(path: string, opts: ResultsWriterOptions = {}) {
    this.#fd = openSync(path, 'a');
    this.#timer = setInterval(() => this.#sync(), opts.fsyncIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /**
   * Queues one result as one complete line; it reaches the kernel in the write that ends this turn
   * of the event loop (a microtask), coalesced with the other results of the turn.
   */
  append(result: ResultLine): void {
    if (this.#closed) throw new Error('results writer is closed');
    if (this.#failure !== null) throw this.#failure as Error;
    this.#pending.push(`${JSON.stringify(result)}\n`);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        try {
          this.flush();
        } catch (error) {
          this.#failure ??= error;
        }
      });
    }
  }

  /** Writes every queued line now, synchronously: once it returns they survive the process being killed. */
  flush(): void {
    this.#flushQueued = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending.length === 1 ? (this.#pending[0] as string) : this.#pending.join('');
    this.#pending = [];
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
    this.#dirty = true;
  }

  /** Synchronous on purpose: an fsync still running when close() closes the descriptor would race it. */
  #sync(): void {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    try {
      fdatasyncSync(this.#fd);
    } catch (error) {
      this.#failure ??= error;
    }
  }

  /** Flushes to disk and closes. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    if (this.#failure !== null) throw this.#failure as Error;
  }
}
