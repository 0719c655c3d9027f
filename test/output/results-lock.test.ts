/** The lock file of a results file: taken atomically, refused while its holder lives, taken over when it died. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import {
  type LockHolder,
  lockPathOf,
  lockResultsFile,
  processStartMs,
} from '../../src/output/results-lock.js';
import { it } from '../helpers/fixtures.js';

const fileIn = (dir: string) => ({ path: join(dir, 'out.jsonl'), shown: 'out.jsonl' });

function writeHolder(path: string, holder: Partial<LockHolder>): string {
  const text = `${JSON.stringify({ since: '2030-01-02T03:04:05.000Z', token: 't', ...holder })}\n`;
  writeFileSync(lockPathOf(path), text);
  return text;
}

/** A pid that is surely not running: a process that has exited. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
}

describe('lockResultsFile', () => {
  it('writes pid, host and time into <file>.lock, and release removes it', async ({ dir }) => {
    const file = fileIn(dir);
    const lock = await lockResultsFile(file, { now: () => new Date('2030-05-06T07:08:09Z') });
    expect(lock.path).toBe(`${file.path}.lock`);
    const holder = JSON.parse(readFileSync(lock.path, 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), since: '2030-05-06T07:08:09.000Z' });
    lock.release();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses a second lock while the first is held, naming the holder and what to do', async ({ dir }) => {
    const file = fileIn(dir);
    const lock = await lockResultsFile(file, { now: () => new Date('2030-05-06T07:08:09Z') });
    const refusal = await lockResultsFile(file).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ResultsFileError);
    expect((refusal as Error).message).toBe(
      `out.jsonl is in use by lp-batch pid ${process.pid} on host ${hostname()} (since 2030-05-06T07:08:09.000Z): wait for that run to end or stop it; if it is not running any more, remove out.jsonl.lock`,
    );
    lock.release();
    (await lockResultsFile(file)).release();
  });

  it('refuses a lock held on another host, even when that pid is not running here', async ({ dir }) => {
    const file = fileIn(dir);
    writeHolder(file.path, { pid: deadPid(), host: 'elsewhere.example' });
    await expect(lockResultsFile(file)).rejects.toThrow(
      /in use by lp-batch pid \d+ on host elsewhere\.example/,
    );
    expect(existsSync(lockPathOf(file.path))).toBe(true);
  });

  it('takes over the lock of a dead process on this host, with a warning', async ({ dir }) => {
    const file = fileIn(dir);
    const pid = deadPid();
    writeHolder(file.path, { pid, host: hostname() });
    const warnings: string[] = [];
    const lock = await lockResultsFile(file, { warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      `out.jsonl: took over the lock of lp-batch pid ${pid} (since 2030-01-02T03:04:05.000Z), which is no longer running (or its pid now belongs to a later process)`,
    ]);
    expect((JSON.parse(readFileSync(lock.path, 'utf8')) as LockHolder).pid).toBe(process.pid);
    lock.release();
  });

  it.skipIf(process.platform !== 'linux')(
    'takes over a lock whose pid now belongs to a process started after the lock was taken (a reused pid)',
    async ({ dir }) => {
      const file = fileIn(dir);
      // This test's own process is alive, and started long after 2001: the lock cannot be its.
      writeHolder(file.path, { pid: process.pid, host: hostname(), since: '2001-01-01T00:00:00.000Z' });
      const warnings: string[] = [];
      const lock = await lockResultsFile(file, { warn: (w) => warnings.push(w) });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        `took over the lock of lp-batch pid ${process.pid} (since 2001-01-01T00:00:00.000Z)`,
      );
      lock.release();
    },
  );

  it('reads a process start time from /proc texts, whatever its command name holds', () => {
    const pidStat = `42 (a) b (c) S ${Array.from({ length: 18 }, (_, i) => String(i + 4)).join(' ')} 12345 0 0`;
    expect(processStartMs(pidStat, 'cpu 1 2 3\nbtime 1700000000\nprocesses 9\n')).toBe(1_700_000_123_450);
    expect(processStartMs('garbled', 'no boot time')).toBeNull();
  });

  it('refuses a lock file it cannot read as a holder (empty or garbled), and leaves it', async ({ dir }) => {
    const file = fileIn(dir);
    writeFileSync(lockPathOf(file.path), '');
    await expect(lockResultsFile(file)).rejects.toThrow(
      'out.jsonl is in use by a process lp-batch cannot identify (out.jsonl.lock holds nothing)',
    );
    writeFileSync(lockPathOf(file.path), 'garbage');
    await expect(lockResultsFile(file)).rejects.toThrow('(out.jsonl.lock holds no pid)');
    expect(readFileSync(lockPathOf(file.path), 'utf8')).toBe('garbage');
  });

  it('release leaves a lock that is no longer its own', async ({ dir }) => {
    const file = fileIn(dir);
    const lock = await lockResultsFile(file);
    const other = writeHolder(file.path, { pid: process.pid, host: hostname(), token: 'someone-else' });
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe(other);
  });

  it('says why it cannot create the lock file', async ({ dir }) => {
    const file = { path: join(dir, 'missing', 'out.jsonl'), shown: 'missing/out.jsonl' };
    await expect(lockResultsFile(file)).rejects.toThrow(
      /^cannot create the lock file missing\/out\.jsonl\.lock beside the results: ENOENT/,
    );
  });
});
