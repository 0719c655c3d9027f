/** Merging the results files of shards: line for line, the newest of each custom_id, refusing a doubled one. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import { inputSource } from '../../src/input/input-source.js';
import { mergeResultsFiles } from '../../src/output/merge.js';
import { erroredLine, notSentFailure } from '../../src/output/result-line.js';
import { scanResultsFile } from '../../src/output/results-scan.js';
import { it } from '../helpers/fixtures.js';
import { entriesOf } from './results-file-fixtures.js';
import { requestLine, writeInput } from '../helpers/run-helpers.js';

/** A results line for `custom_id` (an errored one: the shape is all that matters here). */
function resultLine(custom_id: string, line: number, note = 'x'): string {
  return JSON.stringify(
    erroredLine({ custom_id, line, model: 'm' }, notSentFailure(note), { attempts: 0, latencyMs: 0 }),
  );
}

function file(dir: string, name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, shown: name };
}

describe('mergeResultsFiles', () => {
  it('copies each file line for line: the newest line of a custom_id, no torn tail, no BOM', async ({
    dir,
  }) => {
    const a = file(
      dir,
      'a.jsonl',
      `\uFEFF${resultLine('q1', 1)}\n${resultLine('q3', 3, 'old')}\n${resultLine('q3', 3, 'new')}\n`,
    );
    const b = file(
      dir,
      'b.jsonl',
      `${resultLine('q2', 2)}\r\n\n${resultLine('q4', 4)}\n{"custom_id":"q5","li`,
    );
    const out = { path: join(dir, 'all.jsonl'), shown: 'all.jsonl' };
    const report = await mergeResultsFiles([a, b], out, null);
    expect(report).toEqual({
      results: 4,
      missing: null,
      extra: null,
      tornTails: [{ file: 'b.jsonl', tail: { offset: expect.any(Number) as number, bytes: 21 } }],
    });
    expect(readFileSync(out.path, 'utf8')).toBe(
      `${resultLine('q1', 1)}\n${resultLine('q3', 3, 'new')}\n${resultLine('q2', 2)}\r\n\n${resultLine('q4', 4)}\n`,
    );
    const scan = await scanResultsFile(out.path);
    expect([...entriesOf(scan).keys()]).toEqual(['q1', 'q3', 'q2', 'q4']);
    expect(scan?.superseded).toBe(0);
  });

  it('refuses a custom_id with a result in two files, naming them, and writes nothing', async ({ dir }) => {
    const ids = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => resultLine(`q${from + i}`, from + i)).join('\n') + '\n';
    const a = file(dir, 'a.jsonl', ids(1, 10));
    const b = file(dir, 'b.jsonl', ids(11, 20));
    const c = file(dir, 'c.jsonl', ids(3, 12));
    const out = { path: join(dir, 'all.jsonl'), shown: 'all.jsonl' };
    const merging = mergeResultsFiles([a, b, c], out, null);
    await expect(merging).rejects.toThrow(ResultsFileError);
    const colliding = mergeResultsFiles([a, b, c], out, null, { fingerprint: () => 0 });
    await expect(colliding).rejects.toThrow(
      '10 custom_ids have a result in more than one file: "q3" (in a.jsonl and c.jsonl)',
    );
    await expect(merging).rejects.toThrow(
      '10 custom_ids have a result in more than one file: "q3" (in a.jsonl and c.jsonl), "q4" (in a.jsonl and c.jsonl), "q5" (in a.jsonl and c.jsonl), "q6" (in a.jsonl and c.jsonl), "q7" (in a.jsonl and c.jsonl) and 5 more; nothing was written.',
    );
    expect(existsSync(out.path)).toBe(false);
  });

  it('names the lines of the input that have no result, and the results no line asked for', async ({
    dir,
  }) => {
    // Line 3 repeats q1: its name is line-3. Line 5 is not JSON: line-5. Blank lines count in line numbers.
    const input = writeInput(dir, [
      requestLine('q1', 'a'),
      requestLine('q2', 'b'),
      requestLine('q1', 'c'),
      '',
      '{not json',
      ...Array.from({ length: 8 }, (_, i) => requestLine(`r${i}`, 'd')),
    ]);
    const a = file(
      dir,
      'a.jsonl',
      [resultLine('q1', 1), resultLine('line-3', 3), resultLine('stray', 99)].join('\n') + '\n',
    );
    const out = { path: join(dir, 'all.jsonl'), shown: 'all.jsonl' };
    const report = await mergeResultsFiles(
      [a],
      out,
      inputSource(input, dir, () => process.stdin),
    );
    expect(report.missing).toEqual({ count: 10, ids: ['q2', 'line-5', 'r0', 'r1', 'r2'] });
    expect(report.extra).toEqual({ count: 1, ids: ['stray'] });
    // The same when every custom_id shares one fingerprint: each match is settled by reading a line again.
    const colliding = await mergeResultsFiles(
      [a],
      { path: join(dir, 'again.jsonl'), shown: 'again.jsonl' },
      inputSource(input, dir, () => process.stdin),
      { fingerprint: () => 0 },
    );
    expect(colliding).toEqual(report);
    // Written all the same: every result is kept, and a run on it sends what is missing.
    expect(readFileSync(out.path, 'utf8')).toBe(readFileSync(a.path, 'utf8'));
  });

  it('refuses a file that is not lp-batch output, naming its line', async ({ dir }) => {
    const a = file(dir, 'a.jsonl', `${resultLine('q1', 1)}\n{"id": 2}\n`);
    const out = { path: join(dir, 'all.jsonl'), shown: 'all.jsonl' };
    await expect(mergeResultsFiles([a], out, null)).rejects.toThrow(
      'a.jsonl:2: not an lp-batch results file',
    );
    expect(existsSync(out.path)).toBe(false);
  });
});
