import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import { isTempFileOf, tempFileName } from '../../src/output/atomic-file.js';
import { rewriteResultsFile } from '../../src/output/results-rewrite.js';
import { type ResultEntry, scanResultsFile } from '../../src/output/results-scan.js';
import type { AnyResult } from '../helpers/run-helpers.js';
import {
  entriesOf,
  errored,
  makeTempFolder,
  succeeded,
  toJsonl,
  writeResults,
} from './results-file-fixtures.js';

let temp: Awaited<ReturnType<typeof makeTempFolder>>;
beforeEach(async () => {
  temp = await makeTempFolder();
});
afterEach(async () => {
  await temp.remove();
});

/** The custom_id and answer text of every line of a results file, in file order. */
async function readLines(path: string): Promise<string[]> {
  const content = await readFile(path, 'utf8');
  return content
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as AnyResult;
      const text =
        record.result.type === 'succeeded' ? String(record.result.message.content[0]?.text) : 'errored';
      return `${record.custom_id}:${text}`;
    });
}

async function scanEntries(path: string, order: 'file' | 'input' = 'file'): Promise<ResultEntry[]> {
  const scan = await scanResultsFile(path, { inputLines: true });
  if (scan === null) throw new Error(`expected ${path} to exist`);
  const byId = entriesOf(scan);
  const ids = [...scan.index.entries(order)].map((entry) => scan.index.customIdOf(entry));
  scan.index.close();
  return ids.map((id) => byId.get(id) as ResultEntry);
}

/** A resumed run's file: `b` failed first and succeeded on the second run, `c` finished twice. */
const resumed = toJsonl([
  succeeded('c', 3, 'c1'),
  errored('b', 2),
  succeeded('a', 1, 'a1'),
  succeeded('b', 2, 'b2'),
  succeeded('c', 3, 'c2'),
  succeeded('d', 4, 'd1'),
]);

describe('rewriteResultsFile', () => {
  it('keeps exactly one line per custom_id, the newest, in file order', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    await rewriteResultsFile(path, await scanEntries(path));
    expect(await readLines(path)).toEqual(['a:a1', 'b:b2', 'c:c2', 'd:d1']);
    const after = await scanResultsFile(path);
    expect(after?.superseded).toBe(0);
    expect(after?.lines).toBe(4);
  });

  it('writes the lines in input order when given sorted by line with order as-given', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    await rewriteResultsFile(path, await scanEntries(path, 'input'), { order: 'as-given' });
    expect(await readLines(path)).toEqual(['a:a1', 'b:b2', 'c:c2', 'd:d1']);
    const reversed = (await scanEntries(path)).reverse();
    await rewriteResultsFile(path, reversed, { order: 'as-given' });
    expect(await readLines(path)).toEqual(['d:d1', 'c:c2', 'b:b2', 'a:a1']);
  });

  it('sorts entries given in any order back into file order by default', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    await rewriteResultsFile(path, (await scanEntries(path)).reverse());
    expect(await readLines(path)).toEqual(['a:a1', 'b:b2', 'c:c2', 'd:d1']);
  });

  it('copies the kept lines byte for byte, CRLF and multi-byte text included', async () => {
    const lines = [succeeded('x', 1, 'ünï 日本 🐷'), succeeded('y', 2, 'old'), succeeded('y', 2, 'new')];
    const path = await writeResults(temp.folder, 'out.jsonl', toJsonl(lines, '\r\n'));
    await rewriteResultsFile(path, await scanEntries(path));
    expect(await readFile(path, 'utf8')).toBe(toJsonl([lines[0], lines[2]], '\r\n'));
  });

  it('copies lines larger than its 1 MiB buffer intact', async () => {
    const big = succeeded('big', 1, 'ab'.repeat(1_500_000));
    const content = toJsonl([succeeded('small', 2, 'old'), big, succeeded('small', 2, 'new')]);
    const path = await writeResults(temp.folder, 'out.jsonl', content);
    await rewriteResultsFile(path, await scanEntries(path));
    expect(await readFile(path, 'utf8')).toBe(toJsonl([big, succeeded('small', 2, 'new')]));
  });

  it('writes an empty file when nothing is kept', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    await rewriteResultsFile(path, []);
    expect((await readFile(path)).length).toBe(0);
  });

  it('leaves the original untouched and removes its temp file when it fails midway', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    const entries = await scanEntries(path);
    const [first, second] = entries;
    if (first === undefined || second === undefined) throw new Error('expected two entries');
    // A stale index: the second range is shifted by a byte, so it no longer ends a line.
    const stale = [first, { ...second, offset: second.offset + 1 }];
    const error = await rewriteResultsFile(path, stale, { order: 'as-given' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ResultsFileError);
    expect((error as Error).message).toBe(
      `${path}: results file changed since it was scanned: no line end after the line of "b" at byte ${second.offset + 1}`,
    );
    expect(await readFile(path, 'utf8')).toBe(resumed);
    expect(await readdir(temp.folder)).toEqual(['out.jsonl']);
  });

  it('fails without touching the original when a kept line lies past the end of the file', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    const entries = await scanEntries(path);
    await writeFile(path, resumed.slice(0, 100));
    const error = await rewriteResultsFile(path, entries).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResultsFileError);
    expect((error as Error).message).toMatch(
      /results file changed since it was scanned: line of "\w" at byte \d+ is past the end$/,
    );
    expect(await readFile(path, 'utf8')).toBe(resumed.slice(0, 100));
    expect(await readdir(temp.folder)).toEqual(['out.jsonl']);
  });

  it('removes temp files left by a crashed rewrite of the same file, and only those', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', resumed);
    await writeFile(temp.file(tempFileName('out.jsonl', 99_999)), 'half a rewrite');
    await writeFile(temp.file(tempFileName('out.jsonl', process.pid)), 'half of our own');
    await writeFile(temp.file(tempFileName('other.jsonl', 99_999)), 'another file');
    await writeFile(temp.file('.out.jsonl.notes.tmp'), 'not ours');
    await rewriteResultsFile(path, await scanEntries(path));
    expect((await readdir(temp.folder)).sort()).toEqual([
      '.other.jsonl.99999.tmp',
      '.out.jsonl.notes.tmp',
      'out.jsonl',
    ]);
    expect(await readLines(path)).toEqual(['a:a1', 'b:b2', 'c:c2', 'd:d1']);
  });
});

describe('temp file names', () => {
  it('are hidden, in the same folder, and carry the pid', () => {
    expect(tempFileName('out.jsonl', 1234)).toBe('.out.jsonl.1234.tmp');
    expect(isTempFileOf('.out.jsonl.1234.tmp', 'out.jsonl')).toBe(true);
    expect(isTempFileOf('.out.jsonl.12a4.tmp', 'out.jsonl')).toBe(false);
    expect(isTempFileOf('.out.jsonl.1234.tmp', 'out.json')).toBe(false);
    expect(isTempFileOf('out.jsonl.1234.tmp', 'out.jsonl')).toBe(false);
  });
});

describe("a scan's entries in input order", () => {
  it('orders by input line, then by offset', async () => {
    const content = toJsonl([succeeded('c', 3), succeeded('a', 1), succeeded('d', 2), succeeded('b', 1)]);
    const path = await writeResults(temp.folder, 'out.jsonl', content);
    expect((await scanEntries(path, 'input')).map((e) => e.custom_id)).toEqual(['a', 'b', 'd', 'c']);
    expect((await scanEntries(path)).map((e) => e.custom_id)).toEqual(['c', 'a', 'd', 'b']);
  });
});
