/**
 * The naming rule over a regular file keeps custom_ids as fingerprints and reads an earlier line
 * again to confirm one that matches: it must name every line exactly as the rule over whole ids
 * does, even when every fingerprint collides.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { EarlierLines } from '../../src/input/earlier-lines.js';
import { readJsonlLines } from '../../src/input/jsonl-reader.js';
import { type LineName, LineNames } from '../../src/input/line-names.js';
import { wantedCustomId } from '../../src/input/parse-line.js';
import { it } from '../helpers/fixtures.js';

const PARAMS = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] };

/** A line of an input: an id (often repeated, sometimes `line-N`-like or not of the pattern), none, not JSON, or blank. */
const lineArb = fc.oneof(
  fc
    .constantFrom('a', 'b', 'c', 'line-1', 'line-3', 'line-7', 'line-0', 'line-01', 'bad id')
    .map((custom_id) => JSON.stringify({ custom_id, params: PARAMS })),
  fc.constant(JSON.stringify({ params: PARAMS })),
  fc.constant('{not json'),
  fc.constant(''),
);

const fileArb = fc.record({
  lines: fc.array(lineArb, { maxLength: 30 }),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
});

/** The names `names` gives the lines of the file at `path`, read as a run reads them. */
async function namesOf(path: string, names: LineNames): Promise<LineName[]> {
  const given: LineName[] = [];
  for await (const { line, text } of readJsonlLines(path))
    given.push(names.assign(wantedCustomId(text, line), line));
  return given;
}

describe('LineNames over a regular file', () => {
  it('names every line as the rule over whole ids does, whatever fingerprints collide', async ({ dir }) => {
    const path = join(dir, 'in.jsonl');
    const input = { path, shown: 'in.jsonl' };
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ lines, eol, bom }) => {
        writeFileSync(path, (bom ? '\uFEFF' : '') + lines.map((line) => line + eol).join(''));
        const whole = await namesOf(path, new LineNames(null));
        expect(await namesOf(path, new LineNames(input))).toEqual(whole);
        expect(await namesOf(path, new LineNames(input, () => 0))).toEqual(whole);
        expect(await namesOf(path, new LineNames(input, (id) => id.length))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('says so when the input changed under it, instead of naming a line wrongly', async ({ dir }) => {
    const path = join(dir, 'in.jsonl');
    const line = (custom_id: string) => JSON.stringify({ custom_id, params: PARAMS });
    writeFileSync(path, `${line('a')}\n${line('b')}\n`);
    // "a" and "b" share a fingerprint, "z" has its own: line 1 is read again for "b", and is not "a".
    const names = new LineNames({ path, shown: 'in.jsonl' }, (id) => (id === 'z' ? 1 : 0));
    names.assign('a', 1);
    writeFileSync(path, `${line('z')}\n${line('b')}\n`);
    expect(() => names.assign('b', 2)).toThrow(UsageError);
    expect(() => names.assign('b', 2)).toThrow(
      'in.jsonl changed while it was read (line 1 is not what it was): leave the input as it is until the run ends',
    );
  });
});

describe('EarlierLines', () => {
  it('reads any line again as the reader read it, long lines and thousands of lines in', async ({ dir }) => {
    const path = join(dir, 'in.jsonl');
    const lines = Array.from({ length: 1500 }, (_, i) =>
      i % 97 === 0 ? '' : i % 300 === 1 ? `{"long":"${'é'.repeat(50_000)}","n":${i}}` : `{"n":${i}}`,
    );
    writeFileSync(path, `\uFEFF${lines.join('\r\n')}`);
    const expected = new Map<number, string>();
    for await (const { line, text } of readJsonlLines(path)) expected.set(line, text);
    const earlier = new EarlierLines(path);
    const order = fc.sample(fc.integer({ min: 1, max: 1502 }), { numRuns: 400, seed: 7 });
    for (const line of [1, 1500, 2, ...order]) expect(earlier.textOf(line)).toBe(expected.get(line) ?? null);
  });
});
