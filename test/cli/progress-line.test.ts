import { describe, expect, it } from 'vitest';
import { progressLine, ratePerSecond } from '../../src/cli/progress-line.js';
import type { RunProgress } from '../../src/run/run-batch.js';

const snapshot = (overrides: Partial<RunProgress> = {}): RunProgress => ({
  total: 20_000,
  done: 12_345,
  resumed: 0,
  succeeded: 12_300,
  errored: 45,
  retries: 1_234,
  inFlight: 64,
  concurrency: 64,
  costUsd: 12.345678,
  inputTokens: 1_234_567,
  outputTokens: 765_432,
  ...overrides,
});

describe('progressLine', () => {
  it('fits 80 columns keeping done, dollars and errors, and drops tokens and retries first', () => {
    const line = progressLine(snapshot(), 60_000, 80);
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toContain('12345/20000');
    expect(line).toContain('$12.35');
    expect(line).toContain('45 errored');
    expect(line).not.toContain('tok');
  });

  it('shows every figure and a bar when the terminal is wide', () => {
    const line = progressLine(snapshot(), 60_000, 200);
    expect(line).toMatch(
      /^█+░+ 12345\/20000 \| 205\.8 req\/s \| ETA 37s \| 64\/64 in flight \| \$12\.35 \| 45 errored \| 1234 retries \| 1,234,567 in \/ 765,432 out tok$/,
    );
    expect(line.length).toBeLessThanOrEqual(199);
  });

  it('never passes the width, even on a narrow terminal', () => {
    for (const columns of [20, 40, 60, 80, 100]) {
      expect(progressLine(snapshot(), 1000, columns).length).toBeLessThanOrEqual(Math.max(20, columns) - 1);
    }
  });

  it('counts only this run in the rate and the ETA, not results resumed from the file', () => {
    const resumed = snapshot({ total: 40, done: 30, resumed: 20 });
    expect(ratePerSecond(resumed, 2000)).toBe(5);
    expect(progressLine(resumed, 2000, 200)).toContain('5.0 req/s | ETA 2s');
  });

  it('says done without a total when the input was not counted', () => {
    expect(progressLine(snapshot({ total: null }), 1000, 120)).toMatch(/^12345 done \| /);
  });
});
