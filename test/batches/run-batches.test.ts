/** `run --engine batches` through the library against the simulator, on a virtual clock the simulator shares. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readJobFile } from '../../src/batches/job-file.js';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';
import type { ErroredLine, NotRunLine, SucceededLine } from '../../src/types.js';
import { it } from '../helpers/fixtures.js';
import { byId, requestLine, runLines } from '../helpers/run-helpers.js';
import { creations, idsOf, messagesSent, runBatches, sharedClock } from './support.js';

const BATCH = DEFAULT_PRICES.withTier('batch');

/** Valid lines a to f (prompt = custom_id), one with metadata, one streamed, and two invalid lines. */
const LINES = [
  requestLine('a', 'a'),
  JSON.stringify({ ...JSON.parse(requestLine('b', 'b')), metadata: { expected: 'B' } }),
  requestLine('c', 'c'),
  requestLine('d', 'd'),
  requestLine('e', 'e'),
  requestLine('f', 'f'),
  requestLine('s', 's', { stream: true }),
  requestLine('bad', 'bad', { max_tokens: '64' }),
  'not json',
];

describe('run --engine batches', () => {
  it('writes one line per input line: succeeded at the batch price, errored, canceled, expired, and invalid lines never submitted', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const outcomes: Record<
      string,
      'errored' | 'canceled' | 'expired' | { errorType: string; message: string }
    > = {
      c: 'errored',
      d: 'canceled',
      e: 'expired',
      f: { errorType: 'overloaded_error', message: 'Overloaded' },
    };
    const server = await serve({
      clock: mockClock,
      batchProcessingMs: 60_000,
      batchOutcome: ({ custom_id }) => outcomes[custom_id],
    });
    const { results, report, output } = await runBatches(server, dir, LINES, { clock });

    expect(results).toHaveLength(LINES.length);
    const got = byId(results);
    expect([...got.keys()].sort()).toEqual(['a', 'b', 'bad', 'c', 'd', 'e', 'f', 'line-9', 's']);
    // Only the valid, non-streamed lines were submitted, in one batch.
    expect(creations(server)).toHaveLength(1);
    expect(idsOf(creations(server)[0]!).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);

    const a = got.get('a') as SucceededLine;
    expect(a.result.type).toBe('succeeded');
    expect(a.attempts).toBe(1);
    expect(a.batch_id).toBe('msgbatch_mock_1');
    expect(a.cost_usd).toBe((BATCH.costNanos(a.result.message.model, a.usage) ?? 0) / 1e9);
    expect(a.cost_usd).toBeGreaterThan(0);
    expect(a.cost_usd).toBeCloseTo(
      (DEFAULT_PRICES.costNanos(a.result.message.model, a.usage) ?? 0) / 2e9,
      12,
    );
    expect(got.get('b')?.metadata).toEqual({ expected: 'B' });
    expect(a.latency_ms).toBe(60_000);

    const c = got.get('c') as ErroredLine;
    expect(c).toMatchObject({
      error_kind: 'batch_error',
      status: null,
      attempts: 1,
      batch_id: 'msgbatch_mock_1',
    });
    expect(c.result.error.error).toEqual({ type: 'api_error', message: 'Internal server error' });
    expect((got.get('f') as ErroredLine).result.error.error.type).toBe('overloaded_error');
    expect((got.get('d') as NotRunLine).result).toEqual({ type: 'canceled' });
    expect((got.get('e') as NotRunLine).result).toEqual({ type: 'expired' });
    expect(got.get('e')).toMatchObject({ attempts: 1, batch_id: 'msgbatch_mock_1', line: 5 });

    const stream = got.get('s') as ErroredLine;
    expect(stream).toMatchObject({ error_kind: 'invalid_input', attempts: 0, line: 7 });
    expect(stream.result.error.error.message).toBe(
      `${join(dir, 'in.jsonl')}:7: params.stream: a Message Batch runs no stream: remove "stream" (the results hold whole messages either way)`,
    );
    expect((got.get('bad') as ErroredLine).result.error.error.message).toContain(
      ':8: params.max_tokens: expected a positive integer, got "64"',
    );

    const { summary } = report;
    expect(summary.requests).toEqual({
      total: 9,
      succeeded: 2,
      errored: 5,
      canceled: 1,
      expired: 1,
      resumed: 0,
      not_sent: 0,
    });
    expect(summary.price_tier).toBe('batch');
    const paid = results.filter((r): r is SucceededLine => r.result.type === 'succeeded');
    expect(summary.cost_usd).toBeCloseTo(
      paid.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0),
      12,
    );
    expect(summary.errors_by_kind).toEqual({ batch_error: 2, invalid_input: 3 });
    expect(report.stop).toBeNull();
    expect(report.job?.batches).toMatchObject([
      { id: 'msgbatch_mock_1', processing_status: 'ended', results_written: true },
    ]);

    const job = await readJobFile(`${output}.job.json`, 'job');
    expect(job?.batches[0]?.results_written).toBe(true);
    expect(readFileSync(`${output}.job.json`, 'utf8')).not.toContain('sk-test');
  });

  it('afterwards, the normal engine sends exactly the lines that did not succeed', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const outcomes: Record<string, 'errored' | 'canceled' | 'expired'> = {
      c: 'errored',
      d: 'canceled',
      e: 'expired',
    };
    const server = await serve({ clock: mockClock, batchOutcome: ({ custom_id }) => outcomes[custom_id] });
    const first = await runBatches(server, dir, LINES, { clock });
    expect(messagesSent(server)).toEqual([]);

    const normal = await runLines(server, dir, LINES, { outputPath: first.output });
    // Never submitted (a stream) or not succeeded; the invalid lines are written again, never sent.
    expect(messagesSent(server)).toEqual(['c', 'd', 'e', 's']);
    const results = byId(normal.results);
    expect(normal.results).toHaveLength(LINES.length);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 's'])
      expect(results.get(id)?.result.type, id).toBe('succeeded');
    // What the batches ran keeps its batch price and its batch; the rest is at the standard price.
    expect(results.get('a')).toMatchObject({ batch_id: 'msgbatch_mock_1' });
    expect(results.get('c')).not.toHaveProperty('batch_id');
    expect(normal.report.summary.price_tier).toBe('mixed');
    expect(normal.report.summary.requests).toMatchObject({ total: 9, succeeded: 7, resumed: 3 });
  });

  it('cuts a file over the limits into several batches, each within them as sent', async ({ dir, serve }) => {
    const lines = Array.from({ length: 10 }, (_, i) => requestLine(`r${i}`, `prompt ${i}`));
    const { clock, mockClock } = sharedClock();
    // What two requests take as sent: `{"requests":[` + one + `,` + another + `]}`.
    const { params } = JSON.parse(lines[0] ?? '') as { params: unknown };
    const item = `{"custom_id":"r0","params":${JSON.stringify(params)}}`;
    const maxBytes = '{"requests":['.length + 2 * Buffer.byteLength(item) + 1 + 2;
    // The simulator refuses a batch one byte over its limit: the same limit proves the count is exact.
    const server = await serve({ clock: mockClock, batchMaxBytes: maxBytes });
    const bySize = await runBatches(server, dir, lines, { clock, batchMaxBytes: maxBytes });
    expect(creations(server).map((c) => idsOf(c).length)).toEqual([2, 2, 2, 2, 2]);
    expect(bySize.results.filter((r) => r.result.type === 'succeeded')).toHaveLength(10);

    const server2 = await serve({ clock: mockClock });
    const byCount = await runBatches(server2, dir, lines, {
      clock,
      outputPath: join(dir, 'out2.jsonl'),
      batchMaxRequests: 3,
    });
    expect(creations(server2).map((c) => idsOf(c))).toEqual([
      ['r0', 'r1', 'r2'],
      ['r3', 'r4', 'r5'],
      ['r6', 'r7', 'r8'],
      ['r9'],
    ]);
    expect(byCount.results).toHaveLength(10);
    expect(new Set(byCount.results.map((r) => r.batch_id))).toEqual(
      new Set(['msgbatch_mock_1', 'msgbatch_mock_2', 'msgbatch_mock_3', 'msgbatch_mock_4']),
    );
  });

  it('writes a request too large for any batch as errored, never submitted', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const lines = [requestLine('small', 'x'), requestLine('big', 'y'.repeat(400))];
    const { results } = await runBatches(server, dir, lines, { clock, batchMaxBytes: 300 });
    expect(idsOf(creations(server)[0]!)).toEqual(['small']);
    const big = byId(results).get('big') as ErroredLine;
    expect(big.result.error.error.type).toBe('request_too_large');
    expect(big.result.error.error.message).toMatch(
      /:2: params: \d+ bytes as sent, more than one batch may hold \(--batch-max-bytes 300\)$/,
    );
  });

  it('past --deadline, cancels the batches, writes what they ran, and finishes through the normal engine within what is left of --max-cost', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    // Four requests done at 15, 30, 45 and 60 s; the deadline at 20 s leaves one done.
    const server = await serve({ clock: mockClock, batchProcessingMs: 60_000 });
    const lines = ['p', 'q', 'r', 't'].map((id) => requestLine(id, id));
    const { results, report, warnings } = await runBatches(server, dir, lines, {
      clock,
      deadline: '20s',
      maxCost: 1,
    });

    expect(warnings).toContain(
      '--deadline: 1 batches had not ended 20 s after the job began: canceled; what they did not run goes through the normal engine',
    );
    expect(results).toHaveLength(4);
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    const ranInBatch = results.filter((r) => r.batch_id !== undefined).map((r) => r.custom_id);
    expect(ranInBatch).toHaveLength(1);
    expect(messagesSent(server)).toHaveLength(3);
    expect(messagesSent(server)).not.toContain(ranInBatch[0]);
    expect(server.requests.filter((r) => r.path.endsWith('/cancel'))).toHaveLength(1);
    // Waits of 2, 4 and 8 s, then what is left to the deadline.
    expect(clock.sleeps.slice(0, 4)).toEqual([2000, 4000, 8000, 6000]);
    expect(report.summary.requests).toMatchObject({ total: 4, succeeded: 4, resumed: 0 });
    expect(report.summary.price_tier).toBe('mixed');
    expect(report.stop).toBeNull();
    // The budget counts both engines' spending.
    const spent = results
      .filter((r): r is SucceededLine => r.result.type === 'succeeded')
      .reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);
    expect(report.budget?.spentUsd).toBeCloseTo(spent, 9);
    expect(report.summary.budget).toMatchObject({ limit_usd: 1, skipped: 0 });
    expect(report.summary.budget?.spent_usd).toBeCloseTo(spent, 9);
    expect(report.summary.cost_usd).toBeCloseTo(spent, 9);
  });

  it('refuses to submit (exit 3) when the worst case of what it would submit is over --max-cost', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const lines = Array.from({ length: 4 }, (_, i) =>
      requestLine(`m${i}`, `prompt ${i}`, { max_tokens: 100_000 }),
    );
    const { report, results } = await runBatches(server, dir, lines, { clock, maxCost: 0.1 });
    expect(report.stop?.reason).toBe('budget');
    expect(report.stop?.message).toMatch(
      /^the worst case of what would be submitted is \$0\.25\d+ at the batch price, over --max-cost \$0\.1: nothing was submitted$/,
    );
    expect(creations(server)).toHaveLength(0);
    expect(results).toEqual([]);

    const within = await runBatches(server, dir, lines, { clock, maxCost: 0.3 });
    expect(within.report.stop).toBeNull();
    expect(creations(server)).toHaveLength(1);
  });

  it('polls with a wait that doubles up to --max-poll-interval', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock, batchProcessingMs: 200_000 });
    const statuses: number[] = [];
    await runBatches(server, dir, [requestLine('a', 'a')], {
      clock,
      pollInterval: 5,
      maxPollInterval: 60,
      onBatchStatus: (status) => statuses.push(status.totals.processing),
    });
    expect(clock.sleeps).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    expect(statuses).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('run again on a finished job, submits nothing new when every line succeeded', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const lines = [requestLine('a', 'a'), requestLine('b', 'b'), 'not json'];
    const first = await runBatches(server, dir, lines, { clock });
    const again = await runBatches(server, dir, lines, { clock });
    expect(creations(server)).toHaveLength(1);
    expect(again.results).toHaveLength(3);
    const before = byId(first.results);
    for (const line of again.results) expect(line, line.custom_id).toEqual(before.get(line.custom_id));
    expect(again.report.summary.requests).toMatchObject({ total: 3, succeeded: 2, errored: 1, resumed: 2 });
  });

  it('run again, submits only what did not succeed (errored, canceled, expired) in a new batch', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const outcomes: Record<string, 'errored' | 'canceled' | 'expired'> = {
      c: 'errored',
      d: 'canceled',
      e: 'expired',
    };
    let round = 1;
    const server = await serve({
      clock: mockClock,
      batchOutcome: ({ custom_id }) => (round === 1 ? outcomes[custom_id] : undefined),
    });
    const first = await runBatches(server, dir, LINES, { clock });
    expect(first.report.summary.requests).toMatchObject({ succeeded: 3, canceled: 1, expired: 1 });
    round = 2;
    const again = await runBatches(server, dir, LINES, { clock });
    expect(creations(server).map(idsOf)).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f'],
      ['c', 'd', 'e'],
    ]);
    expect(again.results).toHaveLength(LINES.length);
    const got = byId(again.results);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) expect(got.get(id)?.result.type, id).toBe('succeeded');
    expect(got.get('c')?.batch_id).toBe('msgbatch_mock_2');
    expect(got.get('a')?.batch_id).toBe('msgbatch_mock_1');
    const job = await readJobFile(`${again.output}.job.json`, 'job');
    expect(job?.batches.map((batch) => [batch.id, batch.results_written])).toEqual([
      ['msgbatch_mock_1', true],
      ['msgbatch_mock_2', true],
    ]);
  });
});
