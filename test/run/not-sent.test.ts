/** What a run leaves for a later one: `--limit`, stops, and the count of what was not sent. */
import { describe, expect } from 'vitest';
import { it } from '../helpers/fixtures.js';
import { instantClock, requestLine, runLines } from '../helpers/run-helpers.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => requestLine(`r${i}`, `prompt ${i}`));

describe('requests not sent', () => {
  it('counts every line an interrupt left unsent, those never read for dispatch included', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const stop = new AbortController();
    let written = 0;
    // Waits are instant, but the grace period never runs out: requests in flight are not aborted.
    const instant = instantClock();
    const clock = {
      ...instant,
      sleep: (ms: number, signal?: AbortSignal) =>
        ms < 3_600_000
          ? instant.sleep(ms, signal)
          : new Promise<void>((_, reject) =>
              signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
            ),
    };
    const { report, results } = await runLines(server, dir, lines(300), {
      clock,
      grace: 3600,
      concurrency: 1,
      signal: stop.signal,
      onResult: () => {
        written += 1;
        if (written === 9) stop.abort();
      },
    });
    expect(report.stop?.reason).toBe('interrupted');
    expect(results).toHaveLength(server.requests.length);
    expect(results.length).toBeGreaterThanOrEqual(9);
    expect(report.notSent).toBe(300 - results.length);
    expect(report.summary.requests.not_sent).toBe(300 - results.length);
    expect(report.inputRead).toBe(true);
  });

  it('is 0 when every line was dealt with', async ({ dir, serve }) => {
    const server = await serve();
    const { report } = await runLines(server, dir, lines(5));
    expect(report.notSent).toBe(0);
    expect(report.summary.requests.not_sent).toBe(0);
    expect(report.stop).toBeNull();
  });
});

describe('--limit', () => {
  it('deals with the first N non-blank lines only, invalid ones included, and counts the rest', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = [requestLine('a', '1'), '', 'not json', requestLine('b', '2'), ...lines(6)];
    const totals: (number | null)[] = [];
    const { report, results } = await runLines(server, dir, input, {
      limit: 3,
      onProgress: (p) => totals.push(p.total),
    });
    expect(results.map((r) => [r.custom_id, r.result.type]).sort()).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['line-3', 'errored'],
    ]);
    expect(server.requests).toHaveLength(2);
    expect(report.notSent).toBe(6);
    expect(report.summary.requests.not_sent).toBe(6);
    expect(report.stop).toBeNull();
    expect(new Set(totals)).toEqual(new Set([3]));
  });

  it('sends nothing more on the same command, and counts lines beyond it that have results as done', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const first = await runLines(server, dir, lines(8), { limit: 3 });
    expect(first.results).toHaveLength(3);
    const again = await runLines(server, dir, lines(8), { limit: 3 });
    expect(server.requests).toHaveLength(3);
    expect(again.report.notSent).toBe(5);
    expect(again.report.summary.requests).toMatchObject({ total: 3, resumed: 3, not_sent: 5 });
    // After a full run, the lines beyond the limit have their results: nothing is left to send.
    await runLines(server, dir, lines(8));
    const limited = await runLines(server, dir, lines(8), { limit: 2 });
    expect(server.requests).toHaveLength(8);
    expect(limited.report.summary.requests).toMatchObject({ total: 8, resumed: 8, not_sent: 0 });
    expect(limited.warnings.filter((w) => w.includes('not in'))).toEqual([]);
  });
});
