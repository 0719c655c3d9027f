/** `--cache schedule` end to end: lp-batch against the simulator's prompt cache, which behaves as the API's. */
import { describe, expect } from 'vitest';
import type { CacheTtl } from '../../src/cache/cache-rules.js';
import { faults } from '../../src/mock/faults.js';
import type { RecordedRequest } from '../../src/mock/recorded.js';
import { summarizeResultsFile } from '../../src/output/summarize.js';
import type { SucceededLine } from '../../src/types.js';
import { failFirst, promptOf, whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { runLines } from '../helpers/run-helpers.js';
import { httpInFlight, VirtualClock } from '../helpers/virtual-clock.js';
import { cacheCounts, longSystem, SONNET, succeeded } from './cache-lines.js';

/** A line of prefix group `group`: its long system prompt marked with cache_control, a question of its own. */
function groupLine(group: string, n: number, ttl?: CacheTtl): string {
  const cache_control = ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl };
  return JSON.stringify({
    custom_id: `${group}${n}`,
    params: {
      model: SONNET,
      max_tokens: 20,
      system: [{ type: 'text', text: longSystem(group), cache_control }],
      messages: [{ role: 'user', content: `question ${n} about ${group}` }],
    },
  });
}

/** 3 groups of 10, interleaved: a1 b1 c1 a2 b2 c2 ... */
function interleaved(): string[] {
  const lines: string[] = [];
  for (let n = 1; n <= 10; n += 1) for (const group of ['a', 'b', 'c']) lines.push(groupLine(group, n));
  return lines;
}

/** The custom_id a recorded request was sent for, from its question. */
const sentFor = (request: RecordedRequest) => promptOf(request).replace(/question (\d+) about (\w)/, '$2$1');

/** Virtual time that stands still while a request is on the wire, for the run and the simulator alike. */
function wireClocks() {
  const clock = new VirtualClock({ busy: httpInFlight });
  return { clock, mockClock: { now: clock.nowEpochMs } };
}

describe('--cache schedule', () => {
  it('gives 3 interleaved prefix groups of 10 at -c 16 exactly 3 writes and 27 reads', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 30 });
    const { results, warnings } = await runLines(server, dir, interleaved(), { concurrency: 16 });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 3, reads: 27 });
    // The warm-ups are the first line of each group, sent before any other line of it.
    const writers = succeeded(results).filter((r) => (r.usage.cache_creation_input_tokens ?? 0) > 0);
    expect(writers.map((r) => r.custom_id).sort()).toEqual(['a1', 'b1', 'c1']);
    expect(server.requests.slice(0, 3).map(sentFor)).toEqual(['a1', 'b1', 'c1']);
    expect(warnings).toEqual([]);
  });

  it('streams too: the others of each group go once the warm-up has sent message_start', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 30 });
    const { results } = await runLines(server, dir, interleaved(), { concurrency: 16, stream: true });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 3, reads: 27 });
  });

  it('counts requests waiting for a warm-up against the read-ahead bound: no more lines are read meanwhile', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 30 });
    const plain = Array.from({ length: 4 }, (_, i) =>
      JSON.stringify({
        custom_id: `p${i}`,
        params: { model: SONNET, max_tokens: 20, messages: [{ role: 'user', content: `plain ${i}` }] },
      }),
    );
    const group = Array.from({ length: 20 }, (_, i) => groupLine('a', i + 1));
    const { results } = await runLines(server, dir, [...group, ...plain], { concurrency: 2 });
    expect(results).toHaveLength(24);
    // At -c 2 at most 8 requests are under way: a1 and 7 waiting for it. The plain lines behind them
    // are not read, let alone sent, until a1's response has begun: the second request is one of those 7.
    expect(sentFor(server.requests[1] as RecordedRequest)).toMatch(/^a[2-8]$/);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 1, reads: 19 });
  });

  it('without scheduling (--cache off) the same file pays a write for each request sent before the first answer', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 30 });
    const { results } = await runLines(server, dir, interleaved(), { concurrency: 16, cache: 'off' });
    const { writes, reads } = cacheCounts(succeeded(results));
    expect(writes).toBeGreaterThanOrEqual(12);
    expect(writes + reads).toBe(30);
  });

  it('sums the summary cache figures from the result lines, as lp-batch summarize does', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 5 });
    const { results, report, output } = await runLines(server, dir, interleaved(), { concurrency: 16 });
    const lines = succeeded(results);
    const sum = (f: (r: SucceededLine) => number) => lines.reduce((total, r) => total + f(r), 0);
    const written = sum((r) => r.usage.cache_creation_input_tokens ?? 0);
    const read = sum((r) => r.usage.cache_read_input_tokens ?? 0);
    // Sonnet 4.5: input $3, 5-minute write $3.75, read $0.30 per million tokens.
    const saved = ((written + read) * 3 - written * 3.75 - read * 0.3) / 1e6;
    const { cache } = report.summary;
    expect(cache.write_tokens).toBe(written);
    expect(cache.read_tokens).toBe(read);
    expect(cache.hit_rate).toBeCloseTo(read / (read + written), 4);
    expect(cache.saved_usd).toBeCloseTo(saved, 6);
    expect(cache.saved_usd).toBeGreaterThan(0);
    expect(report.summary.usage.cache_creation_input_tokens).toBe(written);
    // `lp-batch summarize` finds the same in the results file.
    const summarized = await summarizeResultsFile({ path: output, shown: 'out.jsonl' });
    expect(summarized.summary.cache).toEqual(cache);
  });

  it('hands a warm-up that fails to the next request of its group, which goes alone', async ({
    dir,
    serve,
  }) => {
    const server = await serve({
      latencyMs: 5,
      fault: whenPrompt('question 1 ', failFirst(1, faults.overloaded())),
    });
    const lines = Array.from({ length: 5 }, (_, i) => groupLine('a', i + 1));
    const { results } = await runLines(server, dir, lines, { concurrency: 4 });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    // a1 failed; a2 took its role, alone, and every other request (a1's retry too) read what it wrote.
    expect(server.requests.slice(0, 2).map(sentFor)).toEqual(['a1', 'a2']);
    const writers = succeeded(results).filter((r) => (r.usage.cache_creation_input_tokens ?? 0) > 0);
    expect(writers.map((r) => r.custom_id)).toEqual(['a2']);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 1, reads: 4 });
  });

  it('hands the role over when the warm-up fails for good', async ({ dir, serve }) => {
    const server = await serve({
      latencyMs: 5,
      fault: whenPrompt('question 1 ', faults.invalidRequest('messages: refused on command')),
    });
    const lines = Array.from({ length: 5 }, (_, i) => groupLine('a', i + 1));
    const { results } = await runLines(server, dir, lines, { concurrency: 4 });
    expect(results.filter((r) => r.result.type === 'errored').map((r) => r.custom_id)).toEqual(['a1']);
    expect(server.requests.slice(0, 2).map(sentFor)).toEqual(['a1', 'a2']);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 1, reads: 3 });
  });

  it('warms a group again once its 5-minute TTL has run out, one request alone', async ({ dir, serve }) => {
    const { clock, mockClock } = wireClocks();
    // a2..a5 are told to come back in 400 s: past the 5-minute entry a1 wrote. They come back
    // together (concurrency held at 4), so without a new warm-up each would write.
    const later = whenPrompt(/question [2-5] /, failFirst(1, faults.rateLimited({ retryAfterMs: 400_000 })));
    const server = await serve({ clock: mockClock, fault: later, latencyMs: 30 });
    const lines = Array.from({ length: 5 }, (_, i) => groupLine('a', i + 1));
    const { results } = await runLines(server, dir, lines, {
      clock,
      concurrency: 4,
      maxRetryWait: 600,
      adaptiveConcurrency: false,
    });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(400_000);
    // a1 wrote; after the TTL one of the others wrote again, and the other three read it.
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 2, reads: 3 });
  });

  it('keeps a 1-hour breakpoint warm: after the same 400 s everyone reads', async ({ dir, serve }) => {
    const { clock, mockClock } = wireClocks();
    const later = whenPrompt(/question [2-5] /, failFirst(1, faults.rateLimited({ retryAfterMs: 400_000 })));
    // How many requests the simulator is answering as each of the 4 retries arrives.
    const busyAtRetry: number[] = [];
    const server = await serve({
      clock: mockClock,
      latencyMs: 30,
      fault: (request) => {
        if (request.n > 5) busyAtRetry.push(server.stats.inFlight);
        return later(request);
      },
    });
    const lines = Array.from({ length: 5 }, (_, i) => groupLine('a', i + 1, '1h'));
    const { results } = await runLines(server, dir, lines, {
      clock,
      concurrency: 4,
      maxRetryWait: 600,
      adaptiveConcurrency: false,
    });
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 1, reads: 4 });
    // No new warm-up: the 4 went out together.
    expect(busyAtRetry).toHaveLength(4);
    expect(Math.max(...busyAtRetry)).toBe(4);
    const writer = succeeded(results).find((r) => r.custom_id === 'a1');
    expect(writer?.usage.cache_creation).toMatchObject({ ephemeral_5m_input_tokens: 0 });
    expect(writer?.usage.cache_creation?.ephemeral_1h_input_tokens).toBeGreaterThan(1000);
  });

  it('names a prefix that was written and never read in a warning', async ({ dir, serve }) => {
    const server = await serve();
    const lines = [...interleaved().slice(0, 6), groupLine('z', 1)];
    const { warnings } = await runLines(server, dir, lines, { concurrency: 4 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('prompt cache: 1 prefix was written and never read');
    expect(warnings[0]).toContain('the prefix of z1 (line 7)');
  });

  it('lets lines that ask for no caching take the slots while a group warms', async ({ dir, serve }) => {
    const server = await serve({ latencyMs: 30 });
    const plain = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({
        custom_id: `p${i}`,
        params: { model: SONNET, max_tokens: 20, messages: [{ role: 'user', content: `plain ${i}` }] },
      }),
    );
    const lines = [groupLine('a', 1), groupLine('a', 2), ...plain];
    const { results } = await runLines(server, dir, lines, { concurrency: 4 });
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    // a2 waits for a1's response holding no slot: the other 3 slots go to plain lines meanwhile.
    const first = server.requests.slice(0, 4).map((r) => promptOf(r));
    expect(first).toEqual(['question 1 about a', 'plain 0', 'plain 1', 'plain 2']);
    expect(cacheCounts(succeeded(results))).toEqual({ writes: 1, reads: 1 });
  });
});
