import { describe, expect } from 'vitest';
import { it } from '../helpers/fixtures.js';
import { runLines } from '../helpers/run-helpers.js';
import type { SucceededLine } from '../../src/types.js';

const MODEL = 'claude-sonnet-4-5';

/** A system prompt of `chars` characters, different for each group letter. */
function systemText(group: string, chars = 5000): string {
  return `You answer questions about ${group}. `.padEnd(chars, `${group} `);
}

/** A line of prefix group `group`: its system prompt marked with cache_control, a question of its own. */
function groupLine(group: string, n: number, marked = true): string {
  const text = systemText(group);
  return JSON.stringify({
    custom_id: `${group}${n}`,
    params: {
      model: MODEL,
      max_tokens: 20,
      system: marked ? [{ type: 'text', text, cache_control: { type: 'ephemeral' } }] : text,
      messages: [{ role: 'user', content: `question ${n} about ${group}` }],
    },
  });
}

/** 3 groups of 10, interleaved: a1 b1 c1 a2 b2 c2 ... */
function interleaved(marked = true): string[] {
  const lines: string[] = [];
  for (let n = 1; n <= 10; n += 1) for (const group of ['a', 'b', 'c']) lines.push(groupLine(group, n, marked));
  return lines;
}

function cacheCounts(results: readonly SucceededLine[]) {
  return {
    writes: results.filter((r) => (r.usage.cache_creation_input_tokens ?? 0) > 0).length,
    reads: results.filter((r) => (r.usage.cache_read_input_tokens ?? 0) > 0).length,
  };
}

describe('--cache schedule', () => {
  it('gives 3 interleaved prefix groups of 10 at -c 16 exactly 3 writes and 27 reads', async ({ dir, serve }) => {
    const server = await serve({ latencyMs: 30 });
    const { results, report } = await runLines(server, dir, interleaved(), { concurrency: 16 });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    expect(cacheCounts(results as SucceededLine[])).toEqual({ writes: 3, reads: 27 });
    console.log(report.summary.usage);
  });

  it('without scheduling (--cache off) the same file pays many more writes', async ({ dir, serve }) => {
    const server = await serve({ latencyMs: 30 });
    const { results } = await runLines(server, dir, interleaved(), { concurrency: 16, cache: 'off' });
    const { writes, reads } = cacheCounts(results as SucceededLine[]);
    console.log(writes, reads);
    expect(writes).toBeGreaterThanOrEqual(12);
  });
});
