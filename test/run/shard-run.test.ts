/** A run under `--shard`: only its lines are sent, and the job's limits are split between the shards. */
import { describe, expect } from 'vitest';
import { shardOfCustomId } from '../../src/run/shard.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, runLines } from '../helpers/run-helpers.js';

const lines = Array.from({ length: 24 }, (_, i) => requestLine(`q${i}`, `prompt ${i}`));

describe('a sharded run', () => {
  it("sends only its shard's lines, each once, and counts no other", async ({ dir, serve }) => {
    const server = await serve();
    const progress: (number | null)[] = [];
    const { report, results } = await runLines(server, dir, lines, {
      shard: '2/3',
      onProgress: (p) => progress.push(p.total),
    });
    const mine = lines.map((_, i) => `q${i}`).filter((id) => shardOfCustomId(id, 3) === 2);
    expect(mine.length).toBeGreaterThan(3);
    expect(mine.length).toBeLessThan(20);
    expect(results.map((r) => r.custom_id).sort()).toEqual([...mine].sort());
    expect(server.requests).toHaveLength(mine.length);
    expect(report.summary.requests.total).toBe(mine.length);
    expect(report.notSent).toBe(0);
    // Which lines are the shard's is learnt as they are read: no total to count to.
    expect(new Set(progress)).toEqual(new Set([null]));
  });

  it('takes 1/N of --max-cost, the budget of the whole job', async ({ dir, serve }) => {
    const server = await serve();
    const { report } = await runLines(server, dir, lines, { shard: '1/4', maxCost: 2 });
    expect(report.budget?.limitUsd).toBe(0.5);
    expect(report.stop).toBeNull();
  });

  it('refuses a shard that is not K/N with 1 <= K <= N, naming the flag', async ({ dir, serve }) => {
    const server = await serve();
    await expect(runLines(server, dir, lines, { shard: '5/4' })).rejects.toThrow(
      'Expected `--shard` to be `K/N`, shard K of N with 1 <= K <= N (e.g. `2/4`), got `5/4`',
    );
    expect(server.requests).toHaveLength(0);
  });
});
