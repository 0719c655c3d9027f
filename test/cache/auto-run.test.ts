/** `--cache auto`: breakpoints added where lines share a tools+system prefix worth caching, and nowhere else. */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it as plainIt } from 'vitest';
import { markHead } from '../../src/cache/request-caching.js';
import type { RecordedRequest } from '../../src/mock/recorded.js';
import { runBatchWith } from '../../src/run/run-batch.js';
import { shardOfCustomId } from '../../src/run/shard.js';
import type { MessageParams } from '../../src/types.js';
import { promptOf } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, runLines, TEST_KEY } from '../helpers/run-helpers.js';
import { cacheCounts, longSystem, SONNET, succeeded } from './cache-lines.js';

/** A line asking `question` under `system`, with `extra` params. */
function line(
  custom_id: string,
  system: string,
  question: string,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    custom_id,
    params: {
      model: SONNET,
      max_tokens: 20,
      system,
      messages: [{ role: 'user', content: question }],
      ...extra,
    },
  });
}

/** The body the simulator received for the request whose question is `question`. */
function sentBody(requests: readonly RecordedRequest[], question: string): Record<string, unknown> {
  const found = requests.find((r) => promptOf(r).startsWith(question));
  if (found === undefined) throw new Error(`no request for ${question}`);
  return found.body as Record<string, unknown>;
}

const breakpointsIn = (body: unknown) => JSON.stringify(body).split('"cache_control"').length - 1;

describe('--cache auto', () => {
  it('marks a long system prompt lines share: one write, then reads; short or unshared prefixes stay unmarked', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 20 });
    const shared = longSystem('shared');
    const lines = [
      ...Array.from({ length: 6 }, (_, i) => line(`s${i}`, shared, `shared question ${i}`)),
      line('t0', 'Be brief.', 'short question 0'),
      line('t1', 'Be brief.', 'short question 1'),
      line('u0', longSystem('unique'), 'unique question'),
    ];
    const { results, warnings } = await runLines(server, dir, lines, { concurrency: 8, cache: 'auto' });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    const byPrefix = (prefix: string) => succeeded(results).filter((r) => r.custom_id.startsWith(prefix));
    expect(cacheCounts(byPrefix('s'))).toEqual({ writes: 1, reads: 5 });
    expect(cacheCounts([...byPrefix('t'), ...byPrefix('u')])).toEqual({ writes: 0, reads: 0 });
    // What was sent: the shared prompt as one text block with the breakpoint; the others as written.
    expect(sentBody(server.requests, 'shared question 3').system).toEqual([
      { type: 'text', text: shared, cache_control: { type: 'ephemeral' } },
    ]);
    expect(sentBody(server.requests, 'short question 0').system).toBe('Be brief.');
    expect(sentBody(server.requests, 'unique question').system).toBe(longSystem('unique'));
    expect(warnings).toEqual([]);
    // The results file keeps the fingerprint of the params as written: switching --cache sends nothing again.
    const again = await runLines(server, dir, lines, { concurrency: 8, cache: 'off' });
    expect(again.report.summary.requests.resumed).toBe(lines.length);
  });

  it("never adds a fifth breakpoint to a request that has the API's 4", async ({ dir, serve }) => {
    const server = await serve();
    const shared = longSystem('shared');
    const four = Array.from({ length: 4 }, (_, i) => ({
      type: 'text',
      text: `part ${i}`,
      cache_control: { type: 'ephemeral' },
    }));
    const lines = [
      line('s0', shared, 'shared question 0'),
      line('s1', shared, 'shared question 1'),
      JSON.stringify({
        custom_id: 'f0',
        params: {
          model: SONNET,
          max_tokens: 20,
          system: shared,
          messages: [{ role: 'user', content: four }],
        },
      }),
    ];
    const { results } = await runLines(server, dir, lines, { cache: 'auto' });
    // The simulator refuses more than 4 with a 400, as the API does.
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    const f0 = server.requests.find((r) => JSON.stringify(r.body).includes('part 0'));
    expect(breakpointsIn(f0?.body)).toBe(4);
    expect(breakpointsIn(sentBody(server.requests, 'shared question 0'))).toBe(1);
  });

  it('under --shard, marks only a prefix that lines of the same shard share', async ({ dir, serve }) => {
    const server = await serve();
    const shared = longSystem('shared');
    // Names by the shard they fall in, of 2.
    const names = Array.from({ length: 40 }, (_, i) => `n${i}`);
    const [x, z] = names.filter((name) => shardOfCustomId(name, 2) === 1);
    const [y] = names.filter((name) => shardOfCustomId(name, 2) === 2);
    const lines = (ids: string[]) => ids.map((id) => line(id, shared, `question of ${id}`));
    // x shares its prompt only with y, which another shard's run sends: nothing of this run reads it.
    await runLines(server, dir, lines([x, y] as string[]), { cache: 'auto', shard: '1/2' });
    expect(breakpointsIn(sentBody(server.requests, `question of ${x}`))).toBe(0);
    // With z in its shard, both are marked.
    await runLines(server, dir, lines([x, z, y] as string[]), {
      cache: 'auto',
      shard: '1/2',
      overwrite: true,
    });
    expect(server.requests.slice(-2).map((r) => breakpointsIn(r.body))).toEqual([1, 1]);
  });

  it('on a pipe, marks a prefix from its second line on (the first cannot know it is shared)', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const shared = longSystem('shared');
    const lines = Array.from({ length: 4 }, (_, i) => line(`s${i}`, shared, `shared question ${i}`));
    const output = join(dir, 'out.jsonl');
    await runBatchWith(
      {
        inputPath: '-',
        outputPath: output,
        provider: 'anthropic',
        baseUrl: server.url,
        apiKey: TEST_KEY,
        cache: 'auto',
      },
      { env: {}, stdin: () => Readable.from([Buffer.from(`${lines.join('\n')}\n`)]) },
    );
    expect(breakpointsIn(sentBody(server.requests, 'shared question 0'))).toBe(0);
    expect(breakpointsIn(sentBody(server.requests, 'shared question 1'))).toBe(1);
    const results = succeeded(readResults(output));
    expect(cacheCounts(results)).toEqual({ writes: 1, reads: 2 });
  });
});

describe('markHead', () => {
  const base: MessageParams = { model: SONNET, max_tokens: 1, messages: [{ role: 'user', content: 'q' }] };
  const tool = (name: string) => ({ name, input_schema: { type: 'object' } });

  plainIt(
    'marks the last system block, or the last tool when there is no system, and changes nothing else',
    () => {
      const system = [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ];
      const withSystem = markHead({ ...base, system, tools: [tool('a')] });
      expect(withSystem.system).toEqual([system[0], { ...system[1], cache_control: { type: 'ephemeral' } }]);
      expect(withSystem.tools).toEqual([tool('a')]);
      expect(withSystem.messages).toBe(base.messages);
      expect(system[1]).toEqual({ type: 'text', text: 'two' });
      const toolsOnly = markHead({ ...base, tools: [tool('a'), tool('b')] });
      expect(toolsOnly.tools).toEqual([tool('a'), { ...tool('b'), cache_control: { type: 'ephemeral' } }]);
      expect(markHead(base)).toBe(base);
    },
  );
});
