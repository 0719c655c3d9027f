/**
 * Changing a results file in place without ever leaving half of a change behind:
 * cutting a torn last line, and rewriting the file to a chosen set and order of its lines.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { ResultsFileError } from '../errors.js';
import { replaceFileAtomically } from './atomic-file.js';
import type { TornTail } from './results-scan.js';

const LF = 0x0a;
/** Size of the copy buffer of `rewriteResultsFile`: 1 MiB, whatever the file size. */
const COPY_BUFFER_BYTES = 1 << 20;

/**
 * Remove a torn last line (see `ResultsScan.tornTail`): truncate the file at `tornTail.offset`
 * and fsync it. The complete lines before it are not touched. Does nothing when `tornTail` is null.
 * `name`: the file as messages name it.
 * @throws ResultsFileError when the file changed since the scan (its size or the line end before the cut)
 */
export async function cutTornTail(path: string, tornTail: TornTail | null, name = path): Promise<void> {
  if (tornTail === null) return;
  const handle = await open(path, 'r+');
  try {
    // Truncating a file that grew or shifted since the scan would destroy finished results.
    const { size } = await handle.stat();
    if (size !== tornTail.offset + tornTail.bytes) {
      throw changed(name, `expected ${tornTail.offset + tornTail.bytes} bytes, found ${size}`);
    }
    if (tornTail.offset > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, tornTail.offset - 1);
      if (last[0] !== LF) throw changed(name, `no line end before byte ${tornTail.offset}`);
    }
    await handle.truncate(tornTail.offset);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Options of `rewriteResultsFile`. */
export interface RewriteOptions {
  /**
   * `'file'` (default): the lines keep their order in the current file.
   * `'as-given'`: the lines are written in the order of `keep` (sort them first, e.g. by `line`).
   */
  order?: 'file' | 'as-given';
  /** The file as messages name it (as given on the command line). Default: its path. */
  name?: string;
}

/**
 * Atomically replace the results file with the lines of `keep`, copied byte for byte from the
 * current file: write `.<name>.<pid>.tmp` in the same folder, fsync it, rename it over the file,
 * fsync the folder. A crash leaves the old file or the new one, never a mix; temp files left by
 * an earlier crash are removed first. Memory stays bounded by one copy buffer (1 MiB), and with
 * `order: 'as-given'`, `keep` is read as it is written (a generator: no array of a million ranges).
 * @param keep where lines of this very file are, found by a scan of it (e.g. `ResultEntry`s)
 * @throws ResultsFileError when a kept range is not a complete line any more (the file changed
 *   since the scan); the original file is then untouched and the temp file removed
 */
export async function rewriteResultsFile(
  path: string,
  keep: Iterable<ByteRange>,
  options: RewriteOptions = {},
): Promise<void> {
  const ranges = options.order === 'as-given' ? keep : [...keep].sort((a, b) => a.offset - b.offset);
  await writeResultsFileAtomically(path, [{ path, name: options.name ?? path, ranges }]);
}

/** Complete lines of one file to copy: byte ranges, each ending with a line end. */
export interface LineRanges {
  path: string;
  /** The file as messages name it. */
  name: string;
  ranges: Iterable<ByteRange>;
}

export interface ByteRange {
  offset: number;
  length: number;
  /** Named when the range turns out not to be complete lines (the file changed). */
  custom_id?: string;
}

/**
 * Atomically make `path` the lines of `sources`, in order, copied byte for byte: `.<name>.<pid>.tmp`
 * in the same folder, fsync, rename over `path`, fsync the folder. A crash leaves the old file (or
 * none) or the new one, never a mix; temp files of an earlier crash are removed first. Memory stays
 * at one copy buffer (1 MiB). `lp-batch merge` writes its output this way too.
 * @throws ResultsFileError when a range is not complete lines any more; `path` is then untouched
 */
export async function writeResultsFileAtomically(
  path: string,
  sources: readonly LineRanges[],
): Promise<void> {
  await replaceFileAtomically(path, async (target) => {
    const buffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
    for (const source of sources) await copyRanges(source, target, buffer);
  });
}

/** Append the ranges of `source` to `target`, through `buffer`. */
async function copyRanges(source: LineRanges, target: FileHandle, buffer: Buffer): Promise<void> {
  const handle = await open(source.path, 'r');
  try {
    const sourceSize = (await handle.stat()).size;
    let filled = 0;
    for (const range of source.ranges) {
      const what = range.custom_id === undefined ? 'line' : `line of "${range.custom_id}"`;
      if (range.offset + range.length > sourceSize) {
        throw changed(source.name, `${what} at byte ${range.offset} is past the end`);
      }
      let position = range.offset;
      let left = range.length;
      while (left > 0) {
        if (filled === buffer.length) {
          await writeAll(target, buffer, filled);
          filled = 0;
        }
        const want = Math.min(left, buffer.length - filled);
        const { bytesRead } = await handle.read(buffer, filled, want, position);
        if (bytesRead === 0) throw changed(source.name, `unexpected end at byte ${position}`);
        filled += bytesRead;
        position += bytesRead;
        left -= bytesRead;
      }
      // Every kept range must end a line, or the scan is stale and the copy would splice lines.
      if (buffer[filled - 1] !== LF) {
        throw changed(source.name, `no line end after the ${what} at byte ${range.offset}`);
      }
    }
    await writeAll(target, buffer, filled);
  } finally {
    await handle.close();
  }
}

async function writeAll(target: FileHandle, buffer: Buffer, bytes: number): Promise<void> {
  let written = 0;
  while (written < bytes) {
    const result = await target.write(buffer, written, bytes - written);
    written += result.bytesWritten;
  }
}

function changed(path: string, what: string): ResultsFileError {
  return new ResultsFileError(`${path}: results file changed since it was scanned: ${what}`);
}
