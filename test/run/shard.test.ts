/**
 * `--shard K/N`: every line of an input in exactly one shard, decided by the name the naming rule
 * gives it (refused duplicates and `line-<N>` names included), the same on every machine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineIntake } from '../../src/run/intake.js';
import { PriorResults } from '../../src/run/prior-results.js';
import { parseShard, shardOfCustomId, shareOfLimits } from '../../src/run/shard.js';

/** The name a run gives each line of `lines` (blank lines aside), sharded or not; null: another shard's. */
function namesTaken(lines: readonly string[], shard?: { k: number; n: number }): (string | null)[] {
  const intake = new LineIntake({
    file: 'in.jsonl',
    defaults: {},
    prior: PriorResults.none(),
    skipErrored: false,
    shard,
  });
  return lines.map((text, i) => {
    const taken = intake.take(text, i + 1, () => {});
    switch (taken.kind) {
      case 'other_shard':
        return null;
      case 'invalid':
        return taken.custom_id;
      case 'send':
      case 'resumed':
        return taken.req.custom_id;
    }
  });
}

const request = {
  model: 'claude-3-haiku-20240307',
  max_tokens: 5,
  messages: [{ role: 'user', content: 'x' }],
};

/** A line: a Batches item with an id (often repeated, sometimes another line's `line-<N>`, sometimes not valid), a bare request, or not JSON. */
const anyLine = fc.oneof(
  fc
    .constantFrom('a', 'b', 'c', 'q-1', 'line-1', 'line-2', 'line-5', 'line-01', 'not valid!', '')
    .map((custom_id) => JSON.stringify({ custom_id, params: request })),
  fc.constant(JSON.stringify(request)),
  fc.constant(JSON.stringify({ custom_id: 'ok', params: { ...request, max_tokens: 0 } })),
  fc.constant('{not json'),
  fc.string({ maxLength: 6 }).map((id) => JSON.stringify({ custom_id: id, params: request })),
);

describe('shards', () => {
  it('partition any input exactly: each line in one shard, under the name an unsharded run gives it', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (lines, n) => {
        const whole = namesTaken(lines);
        expect(new Set(whole).size).toBe(lines.length); // every line its own name
        const byShard = Array.from({ length: n }, (_, i) => namesTaken(lines, { k: i + 1, n }));
        lines.forEach((_, line) => {
          const takers = byShard.flatMap((names, i) => (names[line] === null ? [] : [i + 1]));
          expect(takers).toHaveLength(1);
          expect(byShard[(takers[0] ?? 0) - 1]?.[line]).toBe(whole[line]);
          // Decided by the name the line got: a result's shard follows from its custom_id alone.
          expect(takers[0]).toBe(shardOfCustomId(whole[line] ?? '', n));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('hash a custom_id the same way everywhere: the first 4 bytes of its SHA-256, modulo N, plus 1', () => {
    // printf %s q1 | sha256sum → c75de8c1...; 0xc75de8c1 % 4 = 1.
    expect(shardOfCustomId('q1', 4)).toBe((0xc75de8c1 % 4) + 1);
    expect(['q1', 'q2', 'line-1', 'line-2', 'greeting'].map((id) => shardOfCustomId(id, 7))).toEqual([
      2, 5, 3, 4, 7,
    ]);
    expect(shardOfCustomId('anything', 1)).toBe(1);
  });

  it('spread sequential names evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let line = 1; line <= 10_000; line += 1) {
      const shard = shardOfCustomId(`line-${line}`, 4);
      counts[shard - 1] = (counts[shard - 1] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 2_500)).toBeLessThan(150);
  });

  it('read `K/N` with 1 <= K <= N, and nothing else', () => {
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    expect(parseShard('1/1')).toEqual({ k: 1, n: 1 });
    for (const bad of ['0/4', '5/4', '2', '2/0', '-1/4', '1.5/4', 'a/b', '2/4/6', '']) {
      expect(parseShard(bad), bad).toBeNull();
    }
  });

  it('take 1/N of the limits meant for the whole job, and leave the others as they are', () => {
    const settings = { rpm: 100, itpm: 40_000, otpm: undefined, maxCost: 2, concurrency: 8 };
    expect(shareOfLimits(settings, { k: 3, n: 4 })).toEqual({
      rpm: 25,
      itpm: 10_000,
      otpm: undefined,
      maxCost: 0.5,
      concurrency: 8,
    });
  });
});
