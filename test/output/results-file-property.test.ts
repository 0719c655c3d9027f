import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResultsScanner, type ResultEntry, scanResultsFile } from '../../src/output/results-scan.js';
import { errored, makeTempFolder, scanData, succeeded } from './results-file-fixtures.js';

/** One line of a generated results file and the entry a scan must make of it. */
interface GeneratedLine {
  bytes: Buffer;
  entry: ResultEntry;
}

const lineSpec = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'req-0001', 'ß_ünï'),
  type: fc.constantFrom('succeeded' as const, 'errored' as const),
  text: fc.string({ unit: 'binary', maxLength: 40 }),
  line: fc.integer({ min: 1, max: 100_000 }),
  hash: fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), { nil: null }),
  eol: fc.constantFrom('\n', '\r\n'),
});

/** Random valid results files: the lines with their expected entries, and the whole file. */
const resultsFile = fc.array(lineSpec, { maxLength: 12 }).map((specs) => {
  const lines: GeneratedLine[] = [];
  let offset = 0;
  for (const spec of specs) {
    const base =
      spec.type === 'succeeded' ? succeeded(spec.id, spec.line, spec.text) : errored(spec.id, spec.line);
    const record = { ...base, params_hash: spec.hash ?? undefined };
    const bytes = Buffer.from(JSON.stringify(record) + spec.eol);
    const entry = {
      custom_id: spec.id,
      type: spec.type,
      params_hash: spec.hash,
      line: spec.line,
      ...(spec.type === 'succeeded'
        ? {
            usage: { input_tokens: 3, output_tokens: 5 },
            model: 'claude-test',
            error_type: null,
            error_kind: null,
          }
        : {
            usage: null,
            model: null,
            error_type: 'overloaded_error' as const,
            error_kind: 'http_error' as const,
          }),
      metadata_hash: null,
      batch: false,
      offset,
      length: bytes.length,
    };
    lines.push({ bytes, entry });
    offset += bytes.length;
  }
  return { lines, content: Buffer.concat(lines.map((line) => line.bytes)) };
});

/** A file with a cut point anywhere in it, from 0 (nothing left) to its full length (no cut). */
const truncatedFile = resultsFile.chain((file) =>
  fc.record({ file: fc.constant(file), cut: fc.integer({ min: 0, max: file.content.length }) }),
);

/** What a scan of the first `cut` bytes must report: only the lines complete before the cut. */
function expectedScan(lines: readonly GeneratedLine[], cut: number) {
  const entries = new Map<string, ResultEntry>();
  let complete = 0;
  let boundary = 0;
  for (const { entry } of lines) {
    if (entry.offset + entry.length > cut) break;
    complete += 1;
    entries.delete(entry.custom_id);
    entries.set(entry.custom_id, entry);
    boundary = entry.offset + entry.length;
  }
  const tornTail = cut > boundary ? { offset: boundary, bytes: cut - boundary } : null;
  return { entries, lines: complete, superseded: complete - entries.size, tornTail, size: cut };
}

/** Split `bytes` at the given points, in any order and with duplicates. */
function chop(bytes: Buffer, points: readonly number[]): Buffer[] {
  const cuts = [...new Set(points.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

describe('scanning a results file truncated anywhere', () => {
  it('yields exactly the complete lines before the cut, however the bytes arrive', async () => {
    const temp = await makeTempFolder();
    try {
      // The scanner reads the file again only to confirm a custom_id it holds as a fingerprint.
      const path = temp.file('out.jsonl');
      await fc.assert(
        fc.asyncProperty(
          truncatedFile,
          fc.array(fc.nat(), { maxLength: 20 }),
          async ({ file, cut }, points) => {
            const truncated = file.content.subarray(0, cut);
            await writeFile(path, truncated);
            const scanner = createResultsScanner(path);
            for (const chunk of chop(truncated, points)) scanner.push(chunk);
            expect(scanData(scanner.finish())).toEqual(expectedScan(file.lines, cut));
          },
        ),
        { numRuns: 500 },
      );
    } finally {
      await temp.remove();
    }
  });

  it('never reports a partial line as a result when reading the truncated file from disk', async () => {
    const temp = await makeTempFolder();
    try {
      const path = temp.file('out.jsonl');
      await fc.assert(
        fc.asyncProperty(truncatedFile, fc.integer({ min: 1, max: 64 }), async ({ file, cut }, chunkSize) => {
          await writeFile(path, file.content.subarray(0, cut));
          const scan = scanData(await scanResultsFile(path, { chunkSize }));
          expect(scan).toEqual(expectedScan(file.lines, cut));
          // Every custom_id with one fingerprint: each match is settled by reading the line again.
          const colliding = await scanResultsFile(path, { chunkSize, fingerprint: () => 0 });
          expect(scanData(colliding)).toEqual(scan);
          for (const entry of scan?.entries.values() ?? []) {
            expect(entry.offset + entry.length).toBeLessThanOrEqual(scan?.tornTail?.offset ?? cut);
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      await temp.remove();
    }
  });
});

describe('the generated files themselves', () => {
  let temp: Awaited<ReturnType<typeof makeTempFolder>>;
  beforeAll(async () => {
    temp = await makeTempFolder();
  });
  afterAll(async () => {
    await temp.remove();
  });

  it('hold line breaks and multi-byte text only inside JSON strings, so every line is one record', async () => {
    const sample = fc.sample(resultsFile, { numRuns: 30, seed: 42 });
    for (const file of sample) {
      const path = temp.file('sample.jsonl');
      await writeFile(path, file.content);
      const scan = await scanResultsFile(path);
      expect(scan?.lines).toBe(file.lines.length);
      expect(scan?.tornTail).toBeNull();
    }
  });
});
