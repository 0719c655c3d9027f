/** The estimate and the prompt cache: a cached group as one write then reads, and what `--cache auto` would save. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { estimateWith } from '../../src/estimate/estimate.js';
import { it } from '../helpers/fixtures.js';

const SONNET = 'claude-sonnet-4-5';
/** 3,850 characters: 1,100 tokens by the estimator; with the request's 8, a 1,108-token prefix (Sonnet's minimum is 1,024). */
const LONG = 's'.repeat(3850);
/** 35 characters: 10 tokens; with the message's 4, 14 tokens after the prefix. */
const question = (n: number) => `${n}`.padEnd(35, 'q');

function line(id: string, system: unknown, n: number): string {
  return JSON.stringify({
    custom_id: id,
    params: { model: SONNET, max_tokens: 10, system, messages: [{ role: 'user', content: question(n) }] },
  });
}

async function estimateLines(dir: string, lines: string[]) {
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return (await estimateWith({ inputPath: 'in.jsonl' }, { cwd: dir, env: {} })).report;
}

describe('the estimate of cached prefixes', () => {
  it('prices a group sharing a marked system prompt as one write, then reads', async ({ dir }) => {
    const marked = [{ type: 'text', text: LONG, cache_control: { type: 'ephemeral' } }];
    const report = await estimateLines(
      dir,
      Array.from({ length: 10 }, (_, i) => line(`m${i}`, marked, i)),
    );
    expect(report.input_tokens).toBe(10 * 1122);
    expect(report.cache).toEqual({
      groups: 1,
      write_tokens: 1108,
      read_tokens: 9 * 1108,
      // The 11,080 cached tokens at $3/MTok, less 1,108 at $3.75 and 9,972 at $0.30.
      saved_usd: 0.0260934,
      auto_saves_usd: 0,
      auto_requests: 0,
    });
    // 140 tokens after the prefixes at $3/MTok, then the write and the reads.
    expect(report.cost_usd.min).toBe(0.0075666);
    // The worst case stays every input as a 1 h write (the budget's), plus all of max_tokens.
    expect(report.cost_usd.max).toBe((11220 * 6 + 100 * 15) / 1e6);
  });

  it('says what --cache auto would save on lines that share an unmarked long prefix, and only those', async ({
    dir,
  }) => {
    const lines = [
      ...Array.from({ length: 10 }, (_, i) => line(`s${i}`, LONG, i)),
      line('short0', 'Be brief.', 0),
      line('short1', 'Be brief.', 1),
      line('unique', 'u'.repeat(3850), 0),
    ];
    const report = await estimateLines(dir, lines);
    expect(report.cache).toEqual({
      groups: 0,
      write_tokens: 0,
      read_tokens: 0,
      saved_usd: 0,
      auto_saves_usd: 0.0260934,
      auto_requests: 10,
    });
    // As the file is, nothing is cached: every input token at the plain price.
    expect(report.cost_usd.min).toBe((report.input_tokens * 3) / 1e6);
  });
});
