/**
 * One writer per results file: a lock file beside it (`<file>.lock`), created atomically (O_EXCL)
 * and holding who holds it (pid, host, since when). Every command that writes a results file takes
 * it for as long as it writes, so two runs never append to, cut or rewrite one file at once. A lock
 * left by a process that died on this host is taken over; any other lock refuses the second writer
 * at once, naming the first. Released at the end of the run, and on the process's exit at the latest.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ResultsFileError } from '../errors.js';
import type { ShownPath } from '../types.js';

/** What a lock file says. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When the lock was taken, ISO 8601. */
  since: string;
  /** Tells this lock from a later one of a reused pid: only its taker removes it. */
  token: string;
}

export interface ResultsLock {
  /** The lock file. */
  path: string;
  /** Removes the lock file if it is still this lock's. Idempotent, synchronous (it runs at exit too). */
  release(): void;
}

export interface LockOptions {
  /** Told when a stale lock (its process died) is taken over. */
  warn?: ((message: string) => void) | undefined;
  /**
   * Whether the holder's process of this host is still the one that took the lock. Default: its pid
   * exists (`process.kill(pid, 0)`) and, where /proc tells, did not start after the lock was taken
   * (a reused pid).
   */
  isAlive?: (holder: LockHolder) => boolean;
  /** Default: the current time. */
  now?: () => Date;
}

/** Locks taken by this process and not yet released: removed on exit whatever happens. */
const held = new Set<ResultsLock>();
let exitHookInstalled = false;

/** The lock file of a results file: beside it, its name and `.lock`. */
export function lockPathOf(file: string): string {
  return `${file}.lock`;
}

/**
 * Takes the lock of `file` for this process.
 * @throws ResultsFileError (exit 2) when another live process, or a process on another host, holds it
 *   (naming it and what to do), or when the lock file cannot be created (naming the error)
 */
export async function lockResultsFile(file: ShownPath, options: LockOptions = {}): Promise<ResultsLock> {
  const lockPath = lockPathOf(file.path);
  const isAlive = options.isAlive ?? processIsAlive;
  let last: { text: string; holder: LockHolder | null } = { text: '', holder: null };
  // A takeover can race another one; a few rounds settle it (the loser then sees a live lock).
  for (let round = 0; round < 3; round += 1) {
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      since: (options.now?.() ?? new Date()).toISOString(),
      token: randomUUID(),
    };
    if (await createLockFile(file, lockPath, holder)) return remember(lockPath, holder.token);
    const found = await readLockFile(lockPath);
    if (found === null) continue; // Released between our create and our read: try again.
    last = found;
    const other = found.holder;
    if (other === null || other.host !== hostname() || isAlive(other)) {
      throw lockedError(file, other, found.text);
    }
    if (takeOver(lockPath, found.text)) {
      options.warn?.(
        `${file.shown}: took over the lock of lp-batch pid ${other.pid} (since ${other.since}), which is no longer running (or its pid now belongs to a later process)`,
      );
    }
  }
  throw lockedError(file, last.holder, last.text);
}

/** Creates the lock file holding `holder`; false when it exists already. */
async function createLockFile(file: ShownPath, lockPath: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ResultsFileError(
      `cannot create the lock file ${file.shown}.lock beside the results: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** The lock file's text and what it says (null when unreadable as a holder); null when it is gone. */
async function readLockFile(lockPath: string): Promise<{ text: string; holder: LockHolder | null } | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return { text, holder: parseHolder(text) };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    const { pid, host, since, token } = value;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
    if (typeof host !== 'string' || typeof since !== 'string' || typeof token !== 'string') return null;
    return { pid, host, since, token };
  } catch {
    return null;
  }
}

/**
 * Removes a stale lock whose text is `staleText`, without removing a lock someone else just took:
 * the lock file is moved aside (one rename: only one contender gets it), and put back if what was
 * moved is not the stale lock after all. Returns whether the stale lock was removed.
 */
function takeOver(lockPath: string, staleText: string): boolean {
  const aside = `${lockPath}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return false; // Gone already: another contender moved it.
  }
  if (readFileSync(aside, 'utf8') === staleText) {
    unlinkSync(aside);
    return true;
  }
  renameSync(aside, lockPath);
  return false;
}

function remember(lockPath: string, token: string): ResultsLock {
  const lock: ResultsLock = {
    path: lockPath,
    release() {
      if (!held.delete(lock)) return;
      try {
        if (parseHolder(readFileSync(lockPath, 'utf8'))?.token === token) unlinkSync(lockPath);
      } catch {
        // Already gone, or unreadable: nothing of ours to remove.
      }
    },
  };
  held.add(lock);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // The last resort for a run that did not get to release its lock (an exception, process.exit).
    process.on('exit', () => {
      for (const lock of [...held]) lock.release();
    });
  }
  return lock;
}

function processIsAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !startedAfter(holder.pid, Date.parse(holder.since));
}

/**
 * Linux's clock ticks per second for /proc times (USER_HZ): 100 on every architecture Node runs on,
 * fixed by the kernel's ABI.
 */
const USER_HZ = 100;

/**
 * Whether process `pid` started after `sinceMs` (so it is not the process that wrote the lock, whose
 * pid it reuses), from /proc/<pid>/stat's start time and /proc/stat's boot time. False where /proc
 * cannot tell (not Linux, no access): then the pid alone decides, and a reused pid refuses.
 */
export function startedAfter(pid: number, sinceMs: number): boolean {
  try {
    const started = processStartMs(
      readFileSync(`/proc/${pid}/stat`, 'utf8'),
      readFileSync('/proc/stat', 'utf8'),
    );
    // A second's margin: the boot time is in whole seconds.
    return started !== null && Number.isFinite(sinceMs) && started > sinceMs + 1000;
  } catch {
    return false;
  }
}

/** A process's start time in ms since the epoch, from its /proc/<pid>/stat and /proc/stat texts. */
export function processStartMs(pidStat: string, procStat: string): number | null {
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields resume after
  // the last ')'. Field 22, the start time in ticks since boot, is the 20th after it.
  const fields = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  const bootSeconds = Number(/^btime (\d+)$/m.exec(procStat)?.[1]);
  if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return null;
  return bootSeconds * 1000 + (ticks * 1000) / USER_HZ;
}

function lockedError(file: ShownPath, holder: LockHolder | null, text: string): ResultsFileError {
  const who =
    holder === null
      ? `a process lp-batch cannot identify (${file.shown}.lock holds ${text.trim() === '' ? 'nothing' : 'no pid'})`
      : `lp-batch pid ${holder.pid} on host ${holder.host} (since ${holder.since})`;
  return new ResultsFileError(
    `${file.shown} is in use by ${who}: wait for that run to end or stop it; if it is not running any more, remove ${file.shown}.lock`,
  );
}
