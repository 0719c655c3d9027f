/**
 * Where the requests come from: a file, standard input (`-`), or anything else a path names (a
 * FIFO, `/dev/stdin`, a shell's `<(...)`). Only a regular file is read twice (once to count its
 * lines for progress); any other input is read once, as it comes, without blocking the process: a
 * run that stops dispatching stops reading at once, even an input still waiting for its writer.
 */
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  open as openWithCallback,
  openSync,
  type Stats,
  statSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import {
  countJsonlLines,
  type InputLine,
  readJsonlBatches,
  readJsonlLines,
  splitJsonlBatches,
  splitJsonlLines,
} from './jsonl-reader.js';

/** The input of a run, as `inputSource` found it. */
export type InputSource =
  /** A regular file: may be read twice. */
  | { kind: 'file'; path: string; shown: string }
  /** A FIFO, a character device, a socket: read once, as it comes. */
  | { kind: 'stream'; path: string; shown: string; fifo: boolean }
  /** Standard input (`-`, or a path that names it, such as `/dev/stdin`). */
  | { kind: 'stdin'; shown: string; stream: NodeJS.ReadableStream };

const openFd = promisify(openWithCallback);
/** How often a FIFO's pending open is nudged once the run stops (see `openStream`), ms. */
const UNBLOCK_RETRY_MS = 20;

/**
 * The input named `inputPath` (`-`: standard input, `stdin()`, asked for only then), checked before
 * the run starts.
 * @throws UsageError when it is missing, a folder or unreadable: one line naming it as given
 */
export function inputSource(inputPath: string, cwd: string, stdin: () => NodeJS.ReadableStream): InputSource {
  if (inputPath === '-') return { kind: 'stdin', shown: '-', stream: stdin() };
  const path = resolve(cwd, inputPath);
  const shown = inputPath;
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`input file not found: ${shown}`);
    throw new UsageError(`cannot read the input ${shown}: ${(error as Error).message}`, { cause: error });
  }
  if (stats.isDirectory()) {
    throw new UsageError(`the input ${shown} is a folder: name the JSONL file of requests`);
  }
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read the input ${shown}: permission denied`);
  }
  // `/dev/stdin` of a process whose standard input is a socket cannot be opened (ENXIO): it is read
  // as standard input itself, which it is.
  if (!stats.isFile() && isStdin(stats)) return { kind: 'stdin', shown, stream: stdin() };
  return stats.isFile()
    ? { kind: 'file', path, shown }
    : { kind: 'stream', path, shown, fifo: stats.isFIFO() };
}

/** Lines of the input for a progress total, or null when the input can be read only once. */
export async function countInputLines(source: InputSource): Promise<number | null> {
  return source.kind === 'file' ? countJsonlLines(source.path) : null;
}

/**
 * Yields the input's non-blank lines (see `splitJsonlLines`). When `stop` aborts, reading ends:
 * the generator returns, even from a wait for bytes or for a FIFO's writer.
 */
export function readInputLines(source: InputSource, stop: AbortSignal): AsyncGenerator<InputLine> {
  return readInput(source, stop, readJsonlLines, splitJsonlLines);
}

/** `readInputLines`, a chunk's lines at a time (see `splitJsonlBatches`): for a reader that never waits. */
export function readInputBatches(source: InputSource, stop: AbortSignal): AsyncGenerator<InputLine[]> {
  return readInput(source, stop, readJsonlBatches, splitJsonlBatches);
}

async function* readInput<T>(
  source: InputSource,
  stop: AbortSignal,
  fromFile: (path: string) => AsyncGenerator<T>,
  fromStream: (chunks: AsyncIterable<Buffer>) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  if (source.kind === 'file') {
    yield* fromFile(source.path);
    return;
  }
  const stream = source.kind === 'stdin' ? source.stream : await openStream(source, stop);
  if (stream === null) return;
  const close = () => destroy(stream);
  stop.addEventListener('abort', close, { once: true });
  try {
    yield* fromStream(stream as AsyncIterable<Buffer>);
  } catch (error) {
    // Destroyed because the run stopped: the end of the input, not a failure.
    if (!stop.aborted) throw error;
  } finally {
    stop.removeEventListener('abort', close);
    close();
  }
}

/**
 * Opens a path that is not a regular file, for non-blocking reads; null when `stop` aborted first.
 * Opening a FIFO waits for a writer, in a thread of libuv's pool that nothing can cancel; when the
 * run stops during that wait, a writer is simulated (an open for writing, closed at once) so that
 * the open returns and the process can exit.
 */
async function openStream(
  source: Extract<InputSource, { kind: 'stream' }>,
  stop: AbortSignal,
): Promise<NodeJS.ReadableStream | null> {
  if (stop.aborted) return null;
  let nudger: NodeJS.Timeout | undefined;
  const nudge = () => {
    try {
      closeSync(openSync(source.path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: our open is not waiting yet; the next nudge comes soon.
    }
  };
  const unblock = () => {
    nudge();
    nudger = setInterval(nudge, UNBLOCK_RETRY_MS);
  };
  if (source.fifo) stop.addEventListener('abort', unblock, { once: true });
  let fd: number;
  try {
    fd = await openFd(source.path, 'r');
  } catch (error) {
    throw new UsageError(`cannot read the input ${source.shown}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    stop.removeEventListener('abort', unblock);
    clearInterval(nudger);
  }
  if (stop.aborted) {
    closeSync(fd);
    return null;
  }
  const stats = fstatSync(fd);
  // Pipes and sockets through libuv's event loop: a read waiting for bytes holds no thread.
  if (stats.isFIFO() || stats.isSocket()) return new Socket({ fd, readable: true, writable: false });
  if (isatty(fd)) return new TtyReadStream(fd);
  return createReadStream('', { fd });
}

function isStdin(stats: Stats): boolean {
  try {
    const own = fstatSync(0);
    return own.dev === stats.dev && own.ino === stats.ino;
  } catch {
    return false;
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  destroyable.destroy?.();
}
