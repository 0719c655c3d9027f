/**
 * Replacing a file whole without ever leaving half of it behind: the new contents go to a temporary
 * file in the same folder (same filesystem), which is fsynced, renamed over the file, and the folder
 * fsynced. A crash leaves the old file or the new one. The results rewrite and the job file use it.
 */
import { type FileHandle, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` atomically (see above) with what `fill` writes to the temporary file; a temporary
 * file left by an earlier crash of any process is removed first. When `fill` throws, `path` is
 * untouched and the temporary file removed.
 */
export async function replaceFileAtomically(
  path: string,
  fill: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const folder = dirname(path);
  const name = basename(path);
  await removeStaleTempFiles(folder, name);
  const tempPath = join(folder, tempFileName(name, process.pid));
  try {
    const handle = await open(tempPath, 'w');
    try {
      await fill(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/** Writes `text` to `path` atomically (see `replaceFileAtomically`). */
export function writeFileAtomically(path: string, text: string): Promise<void> {
  return replaceFileAtomically(path, (handle) => handle.writeFile(text));
}

/** The temp file of a rewrite of `name` by process `pid`: hidden, in the same folder (same filesystem). */
export function tempFileName(name: string, pid: number): string {
  return `.${name}.${pid}.tmp`;
}

/** Whether `file` is a temp file of a rewrite of `name`, by any process. */
export function isTempFileOf(file: string, name: string): boolean {
  const prefix = `.${name}.`;
  return file.startsWith(prefix) && /^\d+\.tmp$/.test(file.slice(prefix.length));
}

/** Removes the temp files of rewrites of `name` in `folder` that crashed. */
async function removeStaleTempFiles(folder: string, name: string): Promise<void> {
  const files = await readdir(folder);
  for (const file of files) {
    if (isTempFileOf(file, name)) await rm(join(folder, file), { force: true });
  }
}

/** Make a rename durable: the folder entry must reach the disk too. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Windows cannot fsync a folder (EPERM/EISDIR); the rename itself has happened.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EISDIR' && code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}
