/**
 * A file that is not lp-batch output is never modified, and what a run says about its files names
 * them as given: the torn-tail rule, the refusals, the results for ids the input does not have.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import { runBatchWith } from '../../src/run/run-batch.js';
import { it } from '../helpers/fixtures.js';
import { instantClock, requestLine, runLines, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => requestLine(`r${i}`, `p${i}`));

describe('a results file with no complete lp-batch line', () => {
  const notOurs = [
    '{"hello": "world"}',
    'my notes, never saved with a line end',
    JSON.stringify({ custom_id: 'q1', line: 1, result: { type: 'succeeded', message: {} } }),
  ];
  for (const content of notOurs) {
    for (const overwrite of [false, true]) {
      it(`is refused and left byte for byte (${overwrite ? 'with' : 'without'} overwrite): ${content.slice(0, 24)}`, async ({
        dir,
        serve,
      }) => {
        const server = await serve();
        const output = join(dir, 'out.jsonl');
        const bytes = Buffer.from(content);
        writeFileSync(output, bytes);
        const error = await runLines(server, dir, lines(2), { overwrite }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ResultsFileError);
        expect((error as Error).message).toBe(
          `${output}: not an lp-batch results file: no complete result line (${bytes.length} bytes without a line end); name another output file, or remove this one if it is really a torn lp-batch file`,
        );
        expect(readFileSync(output)).toEqual(bytes);
        expect(server.requests).toHaveLength(0);
      });
    }
  }

  it('is not needed for an empty file, which is resumed from', async ({ dir, serve }) => {
    const server = await serve();
    writeFileSync(join(dir, 'out.jsonl'), '');
    const { results } = await runLines(server, dir, lines(2));
    expect(results).toHaveLength(2);
  });
});

describe('messages name the files as given', () => {
  it('a refused results file is named by its relative path, with its line', async ({ dir, serve }) => {
    const server = await serve();
    writeInput(dir, lines(1));
    writeFileSync(join(dir, 'out.jsonl'), 'precious notes\n');
    const run = runBatchWith(
      {
        inputPath: 'in.jsonl',
        outputPath: 'out.jsonl',
        provider: 'anthropic',
        baseUrl: server.url,
        apiKey: TEST_KEY,
      },
      { cwd: dir, clock: instantClock(), env: {} },
    );
    await expect(run).rejects.toThrow(/^out\.jsonl:1: not an lp-batch results file: the line is not JSON/);
  });

  it('the warning about results for custom_ids not in the input names the first few and how many', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const old = (n: number) => Array.from({ length: n }, (_, i) => requestLine(`old-${i}`, `o${i}`));
    await runLines(server, dir, old(9));
    const { warnings } = await runLines(server, dir, lines(1));
    const named = (warning: string | undefined) =>
      [...(warning ?? '').matchAll(/"(old-\d)"/g)].map((m) => m[1]);
    const nine = warnings.find((w) => w.includes('not in'));
    expect(nine).toMatch(
      new RegExp(
        `^${join(dir, 'out.jsonl')} holds 9 results for custom_ids that are not in ${join(dir, 'in.jsonl')} \\("old-\\d", "old-\\d", "old-\\d", "old-\\d", "old-\\d" and 4 more\\): kept as they are$`,
      ),
    );
    expect(new Set(named(nine)).size).toBe(5);
    const { warnings: two } = await runLines(server, dir, [...lines(1), ...old(7)]);
    expect(named(two.find((w) => w.includes('not in'))).sort()).toEqual(['old-7', 'old-8']);
  });
});
