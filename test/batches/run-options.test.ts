/** `run --engine batches` and what a run gives it: --max-cost, the line fill-ins, the key, and the options that mean nothing to a Message Batch. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, TEST_KEY } from '../helpers/run-helpers.js';
import { creations, runBatches, sharedClock } from './support.js';

const EXPENSIVE = Array.from({ length: 4 }, (_, i) =>
  requestLine(`m${i}`, `prompt ${i}`, { max_tokens: 100_000 }),
);

describe('run --engine batches under --max-cost', () => {
  it('refuses the whole submission over the budget: the summary says so, and counts every line not sent', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const summaryPath = join(dir, 'summary.json');
    const { report } = await runBatches(server, dir, [...EXPENSIVE, 'not json'], {
      clock,
      maxCost: 0.1,
      summary: summaryPath,
    });
    expect(creations(server)).toHaveLength(0);
    expect(report.stop?.reason).toBe('budget');
    expect(report.notSent).toBe(4);
    expect(report.budget).toEqual({
      limitUsd: 0.1,
      spentUsd: 0,
      skipped: { count: 4, custom_ids: ['m0', 'm1', 'm2', 'm3'] },
    });
    expect(report.summary.stop).toEqual(report.stop);
    expect(report.summary.budget).toEqual({
      limit_usd: 0.1,
      spent_usd: 0,
      skipped: 4,
      skipped_custom_ids: ['m0', 'm1', 'm2', 'm3'],
    });
    // The invalid line is written all the same: one output line per input line that can be dealt with.
    expect(report.summary.requests).toMatchObject({ total: 1, errored: 1, not_sent: 4 });
    expect(existsSync(summaryPath)).toBe(true);
  });
});

describe('run --engine batches with the line fill-ins of a run', () => {
  it('submits lines with --model and --max-tokens filled in, and keeps them and the beta in the job file', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const bare = JSON.stringify({
      custom_id: 'bare',
      params: { messages: [{ role: 'user', content: 'hi' }] },
    });
    const { results, output } = await runBatches(server, dir, [bare], {
      clock,
      model: 'claude-haiku-4-5',
      maxTokens: 7,
      header: ['anthropic-beta: interleaved-thinking-2025-05-14'],
    });
    const sent = (creations(server)[0]?.body as { requests: { params: Record<string, unknown> }[] }).requests;
    expect(sent[0]?.params).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 7 });
    expect(server.requests[0]?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(results[0]).toMatchObject({
      custom_id: 'bare',
      model: 'claude-haiku-4-5',
      result: { type: 'succeeded' },
    });
    const job = JSON.parse(readFileSync(`${output}.job.json`, 'utf8')) as { line_defaults: unknown };
    expect(job.line_defaults).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 7,
      interleaved_thinking: true,
    });
  });
});

describe('run --engine batches and the key', () => {
  it('redacts the key from what a batch answered, in the results file, the job file and the warnings', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const echo = `invalid x-api-key ${TEST_KEY}`;
    const server = await serve({
      clock: mockClock,
      batchOutcome: () => ({ errorType: 'authentication_error', message: echo }),
    });
    const { results, output, warnings } = await runBatches(server, dir, [requestLine('a', 'a')], { clock });
    expect(results[0]).toMatchObject({
      result: {
        type: 'errored',
        error: { error: { type: 'authentication_error', message: 'invalid x-api-key [redacted]' } },
      },
      error_kind: 'batch_error',
    });
    for (const file of [output, `${output}.job.json`])
      expect(readFileSync(file, 'utf8')).not.toContain(TEST_KEY);
    expect(warnings.join('\n')).not.toContain(TEST_KEY);
  });
});

describe('run --engine batches refuses what a Message Batch cannot do, before anything is sent', () => {
  for (const [name, option, message] of [
    ['--stream', { stream: true }, '--stream: a Message Batch runs no stream'],
    ['--limit', { limit: 2 }, '--limit: a Message Batch takes the whole file'],
    ['--shard', { shard: '1/2' }, "--shard: the batches run on the provider's fleet"],
  ] as const) {
    it(`refuses ${name}`, async ({ dir, serve }) => {
      const { clock, mockClock } = sharedClock();
      const server = await serve({ clock: mockClock });
      const failure = await runBatches(server, dir, [requestLine('a', 'a')], { clock, ...option }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UsageError);
      expect((failure as Error).message).toContain(message);
      expect((failure as Error).message).toMatch(/: leave it out with --engine batches$/);
      expect(server.requests).toHaveLength(0);
      expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
    });
  }
});
