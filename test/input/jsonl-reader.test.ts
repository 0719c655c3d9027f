import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countJsonlLines, readJsonlLines } from '../../src/input/jsonl-reader.js';
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

  it('counts the lines it would yield', async () => {
    const path = join(tmp.dir, 'c.jsonl');
    writeFileSync(path, '{}\n\n{}\n{}');
    expect(await countJsonlLines(path)).toBe(3);
  });
});
