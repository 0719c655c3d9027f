/** The summary says why a run stopped early: in the report, the `summary` file, and null when it did not. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { RunSummary } from '../../src/output/summary.js';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';
import { runBatch } from '../../src/run/run-batch.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, runLines, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => requestLine(`q${i}`, `prompt ${i}`));

describe("the summary's stop", () => {
  it('is null for a run that dealt with every line', async ({ dir, serve }) => {
    const server = await serve();
    const { report } = await runLines(server, dir, lines(3));
    expect(report.summary.stop).toBeNull();
    expect(report.summary.requests.total).toBe(3);
  });

  it('says budget, with the words of the report, when --max-cost cut the run off', async ({ dir, serve }) => {
    const server = await serve();
    const worst =
      (DEFAULT_PRICES.costNanos('claude-3-haiku-20240307', { input_tokens: 30, output_tokens: 50 }) ?? 0) /
      1e9;
    const summary = join(dir, 'summary.json');
    const { report } = await runLines(server, dir, lines(20), {
      maxCost: worst * 3,
      concurrency: 1,
      summary,
    });
    expect(report.stop?.reason).toBe('budget');
    expect(report.stop?.message).toMatch(
      /^--max-cost \$[\d.e-]+: \$[\d.]+ spent; \d+ requests? skipped, their worst case more than the \$[\d.]+ left: q\d+/,
    );
    expect(report.summary.stop).toEqual(report.stop);
    const written = JSON.parse(readFileSync(summary, 'utf8')) as RunSummary;
    expect(written.stop).toEqual(report.stop);
    expect(written.requests.total).toBeLessThan(20);
  });

  it('says interrupted when the signal stopped the run', async ({ dir, serve }) => {
    const server = await serve();
    const stop = new AbortController();
    const report = await runBatch({
      inputPath: writeInput(dir, lines(20)),
      outputPath: join(dir, 'out.jsonl'),
      baseUrl: server.url,
      apiKey: TEST_KEY,
      concurrency: 1,
      signal: stop.signal,
      onResult: () => stop.abort(),
    });
    expect(report.summary.stop).toEqual({ reason: 'interrupted', message: 'interrupted' });
  });
});
