/** The primer batch: `--cache schedule` on the batches engine, against the simulator's prompt cache on the virtual clock. */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { withHourTtl } from '../../src/batches/primer.js';
import type { MockServer, MockServerOptions } from '../../src/mock/server.js';
import type { MessageParams } from '../../src/types.js';
import { cacheCounts, longSystem, SONNET, succeeded } from '../cache/cache-lines.js';
import { it } from '../helpers/fixtures.js';
import { requestLine } from '../helpers/run-helpers.js';
import { creations, idsOf, runBatches, sharedClock } from './support.js';

/** A line of prefix group `group`: its long system prompt marked with a 5-minute cache_control, a question of its own. */
function groupLine(group: string, n: number): string {
  return JSON.stringify({
    custom_id: `${group}${n}`,
    params: {
      model: SONNET,
      max_tokens: 20,
      system: [{ type: 'text', text: longSystem(group), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: `question ${n} about ${group}` }],
    },
  });
}

/** 2 prefix groups of 5, interleaved, and one line with no breakpoint. */
const LINES = [
  ...[1, 2, 3, 4, 5].flatMap((n) => [groupLine('a', n), groupLine('b', n)]),
  requestLine('plain', 'no cache here'),
];

/** The cache_control of each system block a batch creation submitted, by custom_id. */
function controlsOf(creation: { body: unknown }): Record<string, unknown> {
  const { requests } = creation.body as {
    requests: { custom_id: string; params: { system?: { cache_control?: unknown }[] } }[];
  };
  return Object.fromEntries(requests.map((r) => [r.custom_id, r.params.system?.[0]?.cache_control ?? null]));
}

function jobOf(output: string): {
  phases: number;
  batches: { phase: number; id: string | null; submitted_at: string }[];
} {
  return JSON.parse(readFileSync(`${output}.job.json`, 'utf8')) as ReturnType<typeof jobOf>;
}

/** A simulator whose batches take a minute on a virtual clock it shares with the run. */
async function minuteBatches(serve: (options: MockServerOptions) => Promise<MockServer>) {
  const { clock, mockClock } = sharedClock();
  return { clock, server: await serve({ clock: mockClock, batchProcessingMs: 60_000 }) };
}

describe('the primer batch', () => {
  it('primes each prefix group with one request at a 1 h TTL, then submits the rest: 2 writes and 8 reads', async ({
    dir,
    serve,
  }) => {
    const { clock, server } = await minuteBatches(serve);
    const { results, report, output, warnings } = await runBatches(server, dir, LINES, { clock });
    expect(report.stop).toBeNull();
    expect(warnings).toEqual([]);
    expect(results.map((r) => r.result.type)).toEqual(Array(11).fill('succeeded'));

    const [primer, main, ...more] = creations(server);
    expect(more).toEqual([]);
    // The line with nothing to cache goes with the primers: it needs nothing from them.
    expect(idsOf(primer!)).toEqual(['a1', 'b1', 'plain']);
    expect(controlsOf(primer!)).toEqual({
      a1: { type: 'ephemeral', ttl: '1h' },
      b1: { type: 'ephemeral', ttl: '1h' },
      plain: null,
    });
    // The main batch's lines go as written.
    expect(idsOf(main!).sort()).toEqual(['a2', 'a3', 'a4', 'a5', 'b2', 'b3', 'b4', 'b5']);
    expect(Object.values(controlsOf(main!))).toEqual(Array(8).fill({ type: 'ephemeral' }));

    const cached = succeeded(results).filter((r) => r.custom_id !== 'plain');
    expect(cacheCounts(cached)).toEqual({ writes: 2, reads: 8 });
    const writers = cached.filter((r) => (r.usage.cache_creation_input_tokens ?? 0) > 0);
    expect(writers.map((r) => r.custom_id).sort()).toEqual(['a1', 'b1']);
    for (const writer of writers) {
      expect(writer.usage.cache_creation).toEqual({
        ephemeral_5m_input_tokens: 0,
        ephemeral_1h_input_tokens: writer.usage.cache_creation_input_tokens,
      });
    }
    expect(report.summary.cache).toMatchObject({
      write_tokens: writers.reduce((sum, r) => sum + (r.usage.cache_creation_input_tokens ?? 0), 0),
    });

    const job = jobOf(output);
    expect(job.phases).toBe(2);
    expect(job.batches.map((b) => [b.phase, b.id])).toEqual([
      [0, 'msgbatch_mock_1'],
      [1, 'msgbatch_mock_2'],
    ]);
    // The main batch went only once the primer had ended (it takes 60 s on the virtual clock).
    const [primed, rest] = job.batches.map((b) => Date.parse(b.submitted_at));
    expect(rest! - primed!).toBeGreaterThanOrEqual(60_000);
  });

  it('--cache off submits one batch, which a cold cache makes 10 writes and no read', async ({
    dir,
    serve,
  }) => {
    const { clock, server } = await minuteBatches(serve);
    const { results, output } = await runBatches(server, dir, LINES, { clock, cache: 'off' });
    expect(creations(server).map((c) => idsOf(c).length)).toEqual([11]);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 10, reads: 0 });
    expect(jobOf(output).phases).toBe(1);
  });

  it('stopped between the phases, the same run again submits the main phase once and no primer twice', async ({
    dir,
    serve,
  }) => {
    const { clock, server } = await minuteBatches(serve);
    const stop = new AbortController();
    let written = 0;
    const first = await runBatches(server, dir, LINES, {
      clock,
      signal: stop.signal,
      // The last primer result is written: the run stops before the main phase is submitted.
      onResult: () => {
        written += 1;
        if (written === 3) stop.abort();
      },
    });
    expect(first.report.stop?.reason).toBe('interrupted');
    expect(creations(server).map(idsOf)).toEqual([['a1', 'b1', 'plain']]);
    expect(first.results.map((r) => r.custom_id).sort()).toEqual(['a1', 'b1', 'plain']);

    const again = await runBatches(server, dir, LINES, { clock });
    expect(again.report.stop).toBeNull();
    const made = creations(server);
    expect(made).toHaveLength(2);
    expect(idsOf(made[1]!)).toHaveLength(8);
    expect(again.results.map((r) => r.custom_id).sort()).toEqual(
      ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'b4', 'b5', 'plain'].sort(),
    );
    const cached = succeeded(again.results).filter((r) => r.custom_id !== 'plain');
    expect(cacheCounts(cached)).toEqual({ writes: 2, reads: 8 });

    // A third run finds everything done: nothing more is submitted.
    await runBatches(server, dir, LINES, { clock });
    expect(creations(server)).toHaveLength(2);
  });
});

describe('withHourTtl', () => {
  it('sets ttl 1h on every breakpoint (tools, system, message blocks, top level) and changes nothing else', () => {
    const params = {
      model: SONNET,
      max_tokens: 5,
      tools: [
        { name: 't', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
        { name: 'u' },
      ],
      system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '5m' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: 'a' },
      ],
      cache_control: { type: 'ephemeral' },
    } as MessageParams;
    const before = JSON.stringify(params);
    expect(withHourTtl(params)).toEqual({
      model: SONNET,
      max_tokens: 5,
      tools: [
        { name: 't', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
        { name: 'u' },
      ],
      system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        },
        { role: 'assistant', content: 'a' },
      ],
      cache_control: { type: 'ephemeral', ttl: '1h' },
    });
    expect(JSON.stringify(params)).toBe(before);
  });
});
