/**
 * The paths a command will write, checked before it starts (before any request is paid for): each
 * is a file lp-batch can create or write, and no two of them (nor the input) are the same file,
 * whatever names, symbolic links or hard links say. Every refusal is one line naming the path as
 * given and what to do.
 */
import { accessSync, constants, fstatSync, readlinkSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { ShownPath } from '../types.js';

/** A path and what it is for, as messages name it: `the input`, `the results file`, `--summary`. */
export interface RolePath extends ShownPath {
  role: string;
}

export interface WritableCheck {
  /** Only a regular file will do (results are read back and rewritten); else `/dev/stdout` is fine. */
  regularFile: boolean;
  /** The folder must be writable even when the file exists (lock and temporary files go there). */
  writableFolder: boolean;
}

/**
 * Refuses a path lp-batch could not write, with one line saying what to do: a folder, a file that is
 * read-only, a folder that is missing or read-only.
 * @throws UsageError
 */
export function checkWritablePath(file: RolePath, check: WritableCheck): void {
  const named = `${file.role} ${file.shown}`;
  const stats = statOrNull(file.path, named);
  if (stats?.isDirectory()) {
    throw new UsageError(`${named} is a folder: name a file, e.g. ${join(file.shown, 'results.jsonl')}`);
  }
  if (stats && check.regularFile && !stats.isFile()) {
    throw new UsageError(`${named} is not a regular file: name a file lp-batch can read back`);
  }
  if (stats && !canAccess(file.path, constants.W_OK)) {
    throw new UsageError(`cannot write ${named}: it is read-only (permission denied)`);
  }
  if (stats && !check.writableFolder) return;
  const folder = dirname(file.path);
  const folderShown = dirname(file.shown);
  const folderStats = statOrNull(folder, named);
  if (folderStats === null || !folderStats.isDirectory()) {
    throw new UsageError(
      `the folder of ${named} does not exist: create it first (mkdir -p ${folderShown}) or name another path`,
    );
  }
  if (!canAccess(folder, constants.W_OK | constants.X_OK)) {
    throw new UsageError(`cannot write ${named}: its folder ${folderShown} is read-only (permission denied)`);
  }
}

/**
 * Refuses when two of `files` are one file: the same path, a symbolic link to the other, a hard link
 * (same device and inode), or, for files that do not exist yet, the same place once links are
 * followed. `path: null` stands for standard input, compared when it is a regular file.
 * @throws UsageError naming both paths
 */
export function refuseSameFiles(files: readonly (Omit<RolePath, 'path'> & { path: string | null })[]): void {
  const seen: { file: (typeof files)[number]; identity: string }[] = [];
  for (const file of files) {
    const identity = file.path === null ? stdinIdentity() : identityOf(file.path);
    if (identity === null) continue;
    const same = seen.find((other) => other.identity === identity);
    if (same) {
      throw new UsageError(
        `${file.role} ${file.shown} is the same file as ${same.file.role} ${same.file.shown}: give ${file.role} a path of its own`,
      );
    }
    seen.push({ file, identity });
  }
}

/** What makes a file itself: device and inode when it exists, else its real place once it is created. */
function identityOf(path: string): string {
  try {
    const { dev, ino } = statSync(path);
    return `inode ${dev}:${ino}`;
  } catch {
    // Not there yet: follow a dangling link to where writing would create the file.
    let target = resolve(path);
    for (let hops = 0; hops < 40; hops += 1) {
      try {
        target = resolve(dirname(target), readlinkSync(target));
      } catch {
        break;
      }
    }
    let folder = dirname(target);
    try {
      folder = realpathSync(folder);
    } catch {
      // A missing folder: refused elsewhere; the path as it stands is the best name for it.
    }
    return `path ${join(folder, basename(target))}`;
  }
}

function stdinIdentity(): string | null {
  try {
    const stats = fstatSync(0);
    return stats.isFile() ? `inode ${stats.dev}:${stats.ino}` : null;
  } catch {
    return null;
  }
}

function statOrNull(path: string, named: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UsageError(`cannot use ${named}: ${(error as Error).message}`, { cause: error });
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
