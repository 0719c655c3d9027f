import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countJsonlLines,
  readJsonlBatches,
  readJsonlLines,
  splitJsonlLines,
} from '../../src/input/jsonl-reader.js';
import { makeTempDir } from '../helpers/run-helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

async function linesOf(content: string | Buffer) {
  const path = join(tmp.dir, 'in.jsonl');
  writeFileSync(path, content);
  const out = [];
  for await (const l of readJsonlLines(path)) out.push(l);
  return out;
}

describe('readJsonlLines', () => {
  it('drops a BOM and CRs, skips blank lines but keeps counting them', async () => {
    expect(await linesOf('\uFEFF{"a":1}\r\n\r\n   \n{"b":2}\r\n')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
    ]);
  });

  it('reads a last line without a newline', async () => {
    expect(await linesOf('{"a":1}\n{"b":2}')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
    ]);
  });

  it('joins a line split across read chunks, multi-byte characters included', async () => {
    const long = `{"t":"${'é'.repeat(300_000)}"}`;
    const lines = await linesOf(`{"a":1}\n${long}\n{"z":"日本"}\n`);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(lines[1]?.text).toBe(long);
    expect(lines[2]?.text).toBe('{"z":"日本"}');
  });

  it('gives the same lines a chunk at a time, each chunk holding many', async () => {
    const path = join(tmp.dir, 'many.jsonl');
    const text = Array.from({ length: 5000 }, (_, i) => `{"i":${i},"pad":"${'x'.repeat(100)}"}`).join('\n');
    writeFileSync(path, `${text}\n\n`);
    const batches = [];
    for await (const batch of readJsonlBatches(path)) batches.push(batch);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThan(50);
    const lines = [];
    for await (const line of readJsonlLines(path)) lines.push(line);
    expect(batches.flat()).toEqual(lines);
    expect(lines).toHaveLength(5000);
  });

  it('counts the lines it would yield', async () => {
    const path = join(tmp.dir, 'c.jsonl');
    writeFileSync(path, '{}\n\n{}\n{}');
    expect(await countJsonlLines(path)).toBe(3);
  });
});

/** Lines of a file as `splitJsonlLines` reads them from `bytes` cut at `cuts`. */
async function splitAt(bytes: Buffer, cuts: number[]) {
  const bounds = [
    0,
    ...[...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ];
  async function* chunks() {
    for (let i = 0; i + 1 < bounds.length; i++) yield bytes.subarray(bounds[i], bounds[i + 1]);
  }
  const out = [];
  for await (const l of splitJsonlLines(chunks())) out.push(l);
  return out;
}

describe('readJsonlLines on bytes that are not UTF-8', () => {
  it('flags the first bad byte of a line with its offset, and only that line', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":"é'), Buffer.from([0xff]), Buffer.from('x"}')]);
    const lines = await linesOf(Buffer.concat([Buffer.from('{"ok":1}\n'), bad, Buffer.from('\n{"z":2}\n')]));
    expect(lines).toEqual([
      { line: 1, text: '{"ok":1}' },
      { line: 2, text: '{"a":"é\uFFFDx"}', invalidUtf8: { offset: 8, byte: 0xff } },
      { line: 3, text: '{"z":2}' },
    ]);
  });

  it('takes a real U+FFFD for the character it is', async () => {
    expect(await linesOf('{"a":"\uFFFD"}\n')).toEqual([{ line: 1, text: '{"a":"\uFFFD"}' }]);
  });

  it.each<[string, number[], number]>([
    ['an overlong form', [0xc0, 0xaf], 0],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], 0],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a sequence cut short', [0x41, 0xe2, 0x82, 0x41], 1],
    ['a lone continuation byte', [0x41, 0x42, 0x80], 2],
  ])('flags %s', async (_name, bytes, offset) => {
    const lines = await linesOf(Buffer.from([...bytes, 0x0a]));
    expect(lines[0]?.invalidUtf8).toEqual({ offset, byte: bytes[offset] });
  });

  it('flags bad bytes wherever they are and however the file is cut into chunks', async () => {
    // No sequence here can be completed by the bytes that follow it, so the first one stays the first error.
    const INVALID = [
      [0xff],
      [0xfe],
      [0xc0, 0x80],
      [0xc3],
      [0xe0, 0x80, 0x80],
      [0xed, 0xbf, 0xbf],
      [0xf5, 0x80],
    ];
    const text = fc.string({ unit: 'grapheme', maxLength: 6 }).map((t) => t.replace(/[\r\n]/g, ''));
    const part = fc.oneof(
      text.map((t) => ({ bytes: Buffer.from(t), bad: false })),
      fc.constantFrom(...INVALID).map((b) => ({ bytes: Buffer.from(b), bad: true })),
    );
    // Each line starts with `#`, so none is blank.
    const line = fc
      .array(part, { maxLength: 8 })
      .map((parts) => [{ bytes: Buffer.from('#'), bad: false }, ...parts]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (lines, cuts) => {
          const file = Buffer.concat(
            lines.flatMap((parts) => [...parts.map((p) => p.bytes), Buffer.from('\n')]),
          );
          const read = await splitAt(
            file,
            cuts.map((c) => c % (file.length + 1)),
          );
          expect(read.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
          read.forEach((got, i) => {
            const parts = lines[i] ?? [];
            const bytes = Buffer.concat(parts.map((p) => p.bytes));
            expect(got.text).toBe(bytes.toString('utf8'));
            const firstBad = parts.findIndex((p) => p.bad);
            const expected =
              firstBad === -1
                ? undefined
                : {
                    offset: Buffer.concat(parts.slice(0, firstBad).map((p) => p.bytes)).length,
                    byte: parts[firstBad]?.bytes[0],
                  };
            expect(got.invalidUtf8).toEqual(expected);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
