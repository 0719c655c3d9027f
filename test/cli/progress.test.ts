import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../src/cli/progress.js';
import type { RunProgress } from '../../src/run/run-batch.js';

function sink(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

const progress = (done: number, total: number | null = 100): RunProgress => ({
  total,
  done,
  resumed: 0,
  succeeded: done - 1,
  errored: 1,
  retries: 3,
  inFlight: 2,
  costUsd: 0.5,
  inputTokens: 12_345,
  outputTokens: 678,
  concurrency: 6,
});

describe('progress', () => {
  it('prints plain lines at most every 10 s when stderr is not a terminal, and a last one at the end', () => {
    let now = 0;
    const out = sink(false);
    const reporter = createProgressReporter('auto', out.stream, () => now);
    reporter.update(progress(1));
    now = 5_000;
    reporter.update(progress(5));
    expect(out.text()).toBe('');
    now = 10_000;
    reporter.update(progress(20));
    reporter.stop();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'lp-batch: 20/100 done (19 ok, 1 errored), 2.0 req/s, 2 in flight (concurrency 6), 12,345 in / 678 out tokens, $0.500000, 3 retries',
    );
  });

  it('draws a bar with tokens, dollars and retries on a wide terminal, and prints logged lines', () => {
    const out = sink(true);
    (out.stream as unknown as { columns: number }).columns = 200;
    let now = 0;
    const reporter = createProgressReporter('bar', out.stream, () => now);
    now = 1000;
    reporter.update(progress(4, 10));
    reporter.log('lp-batch: warning: something\n');
    reporter.stop();
    const text = out.text();
    expect(text).toContain('4/10');
    expect(text).toContain('12,345 in / 678 out tok');
    expect(text).toContain('3 retries');
    expect(text).toContain('2/6 in flight');
    expect(text).toContain('lp-batch: warning: something\n');
    expect(text).not.toContain('{');
  });

  it('prints nothing with none', () => {
    const out = sink(true);
    const reporter = createProgressReporter('none', out.stream);
    reporter.update(progress(4));
    reporter.stop();
    expect(out.text()).toBe('');
  });
});
