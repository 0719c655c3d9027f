import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import { cutTornTail } from '../../src/output/results-rewrite.js';
import { scanResultsFile } from '../../src/output/results-scan.js';
import type { AnyResult } from '../helpers/run-helpers.js';
import {
  errored,
  makeTempFolder,
  scanData,
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

/** The error `promise` rejects with, to assert its class and message together. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('scanResultsFile', () => {
  it('returns null when the file does not exist', async () => {
    expect(scanData(await scanResultsFile(temp.file('missing.jsonl')))).toBeNull();
  });

  it('scans an empty file as no entries and no torn tail', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', '');
    expect(scanData(await scanResultsFile(path))).toEqual({
      entries: new Map(),
      lines: 0,
      superseded: 0,
      tornTail: null,
      size: 0,
    });
  });

  it('indexes every line with its type, hash, input line, offset and length', async () => {
    const first = `${JSON.stringify(succeeded('a', 1, 'héllo wörld'))}\n`;
    const second = `${JSON.stringify(errored('b', 2, 'h2'))}\n`;
    const third = `${JSON.stringify({ ...succeeded('c', 7), params_hash: undefined })}\n`;
    const path = await writeResults(temp.folder, 'out.jsonl', first + second + third);
    const scan = scanData(await scanResultsFile(path));
    const firstBytes = Buffer.byteLength(first);
    const secondBytes = Buffer.byteLength(second);
    expect(scan?.lines).toBe(3);
    expect(scan?.superseded).toBe(0);
    expect(scan?.tornTail).toBeNull();
    expect(scan?.size).toBe(firstBytes + secondBytes + Buffer.byteLength(third));
    expect([...(scan?.entries.values() ?? [])]).toEqual([
      {
        custom_id: 'a',
        type: 'succeeded',
        params_hash: 'h1',
        line: 1,
        usage: { input_tokens: 3, output_tokens: 5 },
        model: 'claude-test',
        error_type: null,
        error_kind: null,
        metadata_hash: null,
        batch: false,
        offset: 0,
        length: firstBytes,
      },
      {
        custom_id: 'b',
        type: 'errored',
        params_hash: 'h2',
        line: 2,
        usage: null,
        model: null,
        error_type: 'overloaded_error',
        error_kind: 'http_error',
        metadata_hash: null,
        batch: false,
        offset: firstBytes,
        length: secondBytes,
      },
      {
        custom_id: 'c',
        type: 'succeeded',
        params_hash: null,
        line: 7,
        usage: { input_tokens: 3, output_tokens: 5 },
        model: 'claude-test',
        error_type: null,
        error_kind: null,
        metadata_hash: null,
        batch: false,
        offset: firstBytes + secondBytes,
        length: Buffer.byteLength(third),
      },
    ]);
  });

  it('keeps the newest line of a custom_id and counts the older ones as superseded', async () => {
    const lines = [errored('a', 1), succeeded('b', 2), errored('a', 1), succeeded('a', 1, 'third try', 'h9')];
    const path = await writeResults(temp.folder, 'out.jsonl', toJsonl(lines));
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.lines).toBe(4);
    expect(scan?.superseded).toBe(2);
    expect(scan?.entries.size).toBe(2);
    const newest = scan?.entries.get('a');
    expect(newest?.type).toBe('succeeded');
    expect(newest?.params_hash).toBe('h9');
    const content = await readFile(path);
    const bytes = content.subarray(newest?.offset, (newest?.offset ?? 0) + (newest?.length ?? 0));
    expect((JSON.parse(bytes.toString('utf8')) as AnyResult).result.message.content[0]?.text).toBe(
      'third try',
    );
  });

  it('finds lines that span many reads when the chunk size is tiny', async () => {
    const lines = [
      succeeded('a', 1, 'x'.repeat(500)),
      succeeded('b', 2),
      succeeded('c', 3, '日本語'.repeat(40)),
    ];
    const content = toJsonl(lines);
    const path = await writeResults(temp.folder, 'out.jsonl', content);
    const whole = scanData(await scanResultsFile(path));
    const chunked = scanData(await scanResultsFile(path, { chunkSize: 7 }));
    expect(chunked).toEqual(whole);
    expect(chunked?.entries.size).toBe(3);
    expect(chunked?.size).toBe(Buffer.byteLength(content));
  });

  it('tolerates CRLF line endings and counts the CR in the line length', async () => {
    const content = toJsonl([succeeded('a', 1), succeeded('b', 2)], '\r\n');
    const path = await writeResults(temp.folder, 'out.jsonl', content);
    const scan = scanData(await scanResultsFile(path));
    const firstBytes = Buffer.byteLength(`${JSON.stringify(succeeded('a', 1))}\r\n`);
    expect(scan?.lines).toBe(2);
    expect(scan?.entries.get('a')).toMatchObject({ offset: 0, length: firstBytes });
    expect(scan?.entries.get('b')).toMatchObject({ offset: firstBytes });
    expect(scan?.tornTail).toBeNull();
  });

  it('tolerates a UTF-8 byte order mark: the first entry starts after it', async () => {
    const line = `${JSON.stringify(succeeded('a', 1))}\n`;
    const path = await writeResults(temp.folder, 'out.jsonl', `\uFEFF${line}${line.replace('"a"', '"b"')}`);
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.entries.get('a')).toMatchObject({ offset: 3, length: Buffer.byteLength(line) });
    expect(scan?.entries.get('b')).toMatchObject({ offset: 3 + Buffer.byteLength(line) });
  });

  it('skips blank lines without counting them, but counts them in error line numbers', async () => {
    const content = `${JSON.stringify(succeeded('a', 1))}\n\n  \r\n${JSON.stringify(succeeded('b', 2))}\nnope\n`;
    const path = await writeResults(temp.folder, 'out.jsonl', content);
    const error = await rejection(scanResultsFile(path));
    expect(error.message).toContain(`${path}:5:`);
    await writeResults(temp.folder, 'out.jsonl', content.replace('nope\n', ''));
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.lines).toBe(2);
    expect(scan?.entries.get('b')?.offset).toBe(content.indexOf('{"custom_id":"b"'));
  });
});

describe('scanResultsFile with a torn last line', () => {
  it('reports the unterminated fragment as the torn tail, not as an entry', async () => {
    const complete = toJsonl([succeeded('a', 1), succeeded('b', 2)]);
    const fragment = JSON.stringify(succeeded('c', 3)).slice(0, 40);
    const path = await writeResults(temp.folder, 'out.jsonl', complete + fragment);
    const scan = scanData(await scanResultsFile(path));
    expect([...(scan?.entries.keys() ?? [])]).toEqual(['a', 'b']);
    expect(scan?.lines).toBe(2);
    expect(scan?.tornTail).toEqual({ offset: Buffer.byteLength(complete), bytes: 40 });
    expect(scan?.size).toBe(Buffer.byteLength(complete) + 40);
  });

  it('treats a final line that is valid JSON but has no newline as torn', async () => {
    const complete = toJsonl([succeeded('a', 1)]);
    const whole = JSON.stringify(succeeded('b', 2));
    const path = await writeResults(temp.folder, 'out.jsonl', complete + whole);
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.entries.has('b')).toBe(false);
    expect(scan?.tornTail).toEqual({ offset: Buffer.byteLength(complete), bytes: Buffer.byteLength(whole) });
  });

  it('treats a final line missing only the LF of its CRLF as torn', async () => {
    const complete = toJsonl([succeeded('a', 1)], '\r\n');
    const path = await writeResults(
      temp.folder,
      'out.jsonl',
      `${complete}${JSON.stringify(succeeded('b', 2))}\r`,
    );
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.entries.size).toBe(1);
    expect(scan?.tornTail?.offset).toBe(Buffer.byteLength(complete));
  });

  it('does not refuse a torn fragment that is not JSON at all', async () => {
    const complete = toJsonl([succeeded('a', 1)]);
    const fragment = '{"custom_id":"b","res';
    const path = await writeResults(temp.folder, 'out.jsonl', complete + fragment);
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.tornTail).toEqual({ offset: Buffer.byteLength(complete), bytes: fragment.length });
  });
});

describe('cutTornTail', () => {
  it('truncates at the torn tail and leaves the complete lines byte for byte', async () => {
    const complete = toJsonl([succeeded('a', 1, 'ünïcödé'), errored('b', 2)], '\r\n');
    const path = await writeResults(temp.folder, 'out.jsonl', `${complete}{"custom_id":"c","result":{"ty`);
    const scan = scanData(await scanResultsFile(path));
    await cutTornTail(path, scan?.tornTail ?? null);
    expect(await readFile(path)).toEqual(Buffer.from(complete));
    const after = scanData(await scanResultsFile(path));
    expect(after?.tornTail).toBeNull();
    expect(after?.entries).toEqual(scan?.entries);
  });

  it('empties a file whose only line is torn', async () => {
    const path = await writeResults(temp.folder, 'out.jsonl', '{"custom_id":"a"');
    const scan = scanData(await scanResultsFile(path));
    expect(scan?.tornTail).toEqual({ offset: 0, bytes: 16 });
    await cutTornTail(path, scan?.tornTail ?? null);
    expect((await readFile(path)).length).toBe(0);
  });

  it('does nothing when there is no torn tail', async () => {
    const content = toJsonl([succeeded('a', 1)]);
    const path = await writeResults(temp.folder, 'out.jsonl', content);
    await cutTornTail(path, null);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('refuses to cut when the file grew since the scan', async () => {
    const complete = toJsonl([succeeded('a', 1)]);
    const path = await writeResults(temp.folder, 'out.jsonl', `${complete}{"cus`);
    const scan = scanData(await scanResultsFile(path));
    const grown = `${complete}{"custom_id":"b"}\n`;
    await writeResults(temp.folder, 'out.jsonl', grown);
    const error = await rejection(cutTornTail(path, scan?.tornTail ?? null));
    expect(error).toBeInstanceOf(ResultsFileError);
    expect(error.message).toBe(
      `${path}: results file changed since it was scanned: expected ${complete.length + 5} bytes, found ${grown.length}`,
    );
    expect(await readFile(path, 'utf8')).toBe(grown);
  });
});
