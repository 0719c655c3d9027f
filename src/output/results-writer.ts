/**
 * Appends result lines to the results file, durably. The results that become final in one turn of
 * the event loop (the responses it read) are written together in one write(2) at the end of that
 * turn (setImmediate), and at once by `flush`, which the run calls before it sends any request: no
 * request reaches a server while a result final before it waits outside the file. A killed process
 * therefore loses no line that was written, and at most the results of the turn it died in; the
 * file is fsynced at most `fsyncIntervalMs` after a write and again at close (a power cut loses at
 * most that much).
 *
 * A write that fails (disk full, file too large, an I/O error) is the end of writing: the file is
 * cut back to its last complete line, and that line's successors, and every line appended after,
 * are kept in `unsaved` (never dropped: they are paid results), for the caller to put elsewhere.
 */
import { closeSync, fdatasync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { ResultLine } from '../types.js';

export interface ResultsWriterOptions {
  /** Longest time a written line may wait for fsync, ms. Default 1000. */
  fsyncIntervalMs?: number;
  /** Told once, of the first write or fsync that failed. */
  onFailure?: (error: Error) => void;
}

export class ResultsWriter {
  readonly #fd: number;
  readonly #timer: NodeJS.Timeout;
  readonly #onFailure: ((error: Error) => void) | undefined;
  #dirty = false;
  /** An interval fdatasync is running in libuv's pool: the descriptor stays open until it is done. */
  #syncing = false;
  #pending: string[] = [];
  #flushQueued = false;
  #closed = false;
  /** Bytes in the file: where the next write lands (the file is only ever appended to). */
  #size: number;
  #failure: Error | null = null;
  readonly #unsaved: string[] = [];

  /** Opens (creating it when missing) `path` for appending. */
  constructor(path: string, opts: ResultsWriterOptions = {}) {
    this.#fd = openSync(path, 'a');
    this.#size = fstatSync(this.#fd).size;
    this.#onFailure = opts.onFailure;
    this.#timer = setInterval(() => this.#sync(), opts.fsyncIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** The first write or fsync that failed, or null. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Result lines (JSON, no line end) that could not be written, in the order appended. */
  get unsaved(): readonly string[] {
    return this.#unsaved;
  }

  /**
   * Queues one result as one complete line; it reaches the kernel in the write that ends this turn
   * of the event loop, or in an earlier `flush`, coalesced with the other results of the turn.
   */
  append(result: ResultLine): void {
    this.appendJson(JSON.stringify(result));
  }

  /** `append` for a result already in its JSON text (one line, no line end). */
  appendJson(json: string): void {
    if (this.#closed) throw new Error('results writer is closed');
    this.#pending.push(`${json}\n`);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(this.#endOfTurn);
    }
  }

  /** Writes every queued line now, synchronously: once it returns they survive the process being killed. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    if (this.#failure !== null) {
      this.#keepUnsaved(lines);
      return;
    }
    const bytes = Buffer.from(lines.length === 1 ? (lines[0] as string) : lines.join(''), 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.#fd, bytes, written, bytes.length - written);
    } catch (error) {
      this.#failed(error as Error, lines, written);
      return;
    }
    this.#size += written;
    this.#dirty = true;
  }

  /**
   * Writes every queued line and fsyncs now: once it returns, the lines survive a power cut too (a
   * failure is kept in `failure`, as for any write).
   */
  syncNow(): void {
    this.flush();
    this.#sync();
  }

  /** Flushes to disk and closes. Idempotent; never throws (see `failure`). */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      fsyncSync(this.#fd);
    } catch (error) {
      this.#failed(error as Error, [], 0);
    }
    // An interval fdatasync still running must not find its descriptor closed, or reused: it closes it.
    if (!this.#syncing) closeSync(this.#fd);
  }

  readonly #endOfTurn = (): void => {
    this.#flushQueued = false;
    this.flush();
  };

  /**
   * In libuv's pool, not on the event loop: a disk that takes tens of ms to sync would hold up every
   * response meanwhile. close() syncs for itself, synchronously, and leaves the descriptor to this.
   */
  #sync(): void {
    if (!this.#dirty || this.#closed || this.#failure !== null || this.#syncing) return;
    this.#dirty = false;
    this.#syncing = true;
    fdatasync(this.#fd, (error) => {
      this.#syncing = false;
      if (this.#closed) {
        // close() synced since, and its verdict is the one that counts.
        closeSync(this.#fd);
        return;
      }
      if (error !== null) this.#failed(error, [], 0);
    });
  }

  /**
   * `lines` were being written and `written` of their bytes made it: the lines wholly written stay,
   * the file is cut back to their end (a file can shrink on a full disk), the rest is kept unsaved.
   */
  #failed(error: Error, lines: string[], written: number): void {
    let whole = 0;
    let end = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (end + bytes > written) break;
      end += bytes;
      whole += 1;
    }
    if (written > end) {
      try {
        ftruncateSync(this.#fd, this.#size + end);
      } catch {
        // The torn line stays; the next run cuts it away, since the lines before it are lp-batch output.
      }
    }
    this.#size += end;
    this.#dirty = true;
    this.#keepUnsaved(lines.slice(whole));
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#onFailure?.(error);
  }

  #keepUnsaved(lines: string[]): void {
    for (const line of lines) this.#unsaved.push(line.trimEnd());
  }
}
