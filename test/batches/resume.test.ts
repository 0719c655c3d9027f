/** A batches job taken up again: a batch whose create answer was never recorded, a normal run on a job not yet written, AI/ML API. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect } from 'vitest';
import { BatchJobError, UsageError } from '../../src/errors.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, runLines, writeInput } from '../helpers/run-helpers.js';
import { creations, idsOf, runBatches, sharedClock, submitLines } from './support.js';

const LINES = ['a', 'b', 'c'].map((id) => requestLine(id, id));

/** Marks the job's first batch as being created, as a run killed between its create call and the record of the answer leaves it. */
function unrecordFirstBatch(
  jobPath: string,
  change: (batch: Record<string, unknown>) => void = () => {},
): void {
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as { batches: Record<string, unknown>[] };
  const first = job.batches[0] ?? {};
  first.id = null;
  change(first);
  writeFileSync(jobPath, JSON.stringify(job));
}

describe('a job taken up again', () => {
  it('interrupted while it waits, the run says the batches keep running, and the same run again writes their results', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock, batchProcessingMs: 60_000 });
    const stop = new AbortController();
    const first = await runBatches(server, dir, LINES, {
      clock,
      signal: stop.signal,
      onBatchStatus: () => stop.abort(),
    });
    expect(first.report.stop).toEqual({
      reason: 'interrupted',
      message:
        'interrupted: 1 batches keep running on the gateway; run the same command again to wait for them and write their results (or lp-batch cancel)',
    });
    expect(first.report.summary.stop).toEqual(first.report.stop);
    expect(first.report.notSent).toBe(3);
    expect(first.results).toEqual([]);
    expect(server.requests.filter((r) => r.path.endsWith('/cancel'))).toHaveLength(0);

    const again = await runBatches(server, dir, LINES, { clock });
    expect(again.report.stop).toBeNull();
    expect(creations(server)).toHaveLength(1);
    // The simulator serves results in any order: the file holds them as they came.
    expect(again.results.map((r) => [r.custom_id, r.result.type, r.batch_id]).sort()).toEqual([
      ['a', 'succeeded', 'msgbatch_mock_1'],
      ['b', 'succeeded', 'msgbatch_mock_1'],
      ['c', 'succeeded', 'msgbatch_mock_1'],
    ]);
  });

  it('finds on the gateway the batch a killed run created but never recorded, and submits nothing twice', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock, batchProcessingMs: 60_000 });
    const { output, report: submitted } = await submitLines(server, dir, LINES, clock);
    expect(submitted).toMatchObject({ batches: ['msgbatch_mock_1'], submitted: 3, stop: null });
    unrecordFirstBatch(`${output}.job.json`);

    const { results, warnings } = await runBatches(server, dir, LINES, { clock });
    expect(creations(server)).toHaveLength(1);
    expect(warnings).toContain(
      'batch 1 of ' +
        `${output}.job.json` +
        ' was being created when lp-batch stopped: found it on the gateway (msgbatch_mock_1), kept',
    );
    expect(results.map((r) => r.result.type)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(
      server.requests.some((r) => r.method === 'GET' && r.path.startsWith('/v1/messages/batches?limit=')),
    ).toBe(true);
  });

  it('submits the requests again when the gateway has no batch the mark could be', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const { output } = await submitLines(server, dir, LINES, clock);
    // A mark for a batch of another size: what the gateway holds is not it.
    unrecordFirstBatch(`${output}.job.json`, (batch) => {
      batch.requests = [['a', 1, 'h']];
    });
    const { results } = await runBatches(server, dir, LINES, { clock });
    expect(creations(server).map(idsOf)).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(results).toHaveLength(3);
  });

  it('refuses to guess between two batches the mark could be', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock, batchProcessingMs: 60_000 });
    const { output } = await submitLines(server, dir, LINES, clock);
    unrecordFirstBatch(`${output}.job.json`);
    // Someone else's batch of the same size, created since.
    const requests = ['x', 'y', 'z'].map((custom_id) => ({
      custom_id,
      params: (JSON.parse(requestLine(custom_id, custom_id)) as { params: unknown }).params,
    }));
    await request(`${server.url}/v1/messages/batches`, {
      method: 'POST',
      body: JSON.stringify({ requests }),
    }).then((r) => r.body.dump());

    const failure = await runBatches(server, dir, LINES, { clock }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchJobError);
    expect((failure as Error).message).toBe(
      `batch 1 of ${output}.job.json was being created when lp-batch stopped, and 2 batches of its size were created since (msgbatch_mock_2, msgbatch_mock_1): lp-batch cannot tell which is this job's; cancel those that are not (they then no longer count), and run again`,
    );
    expect(creations(server)).toHaveLength(2);
  });

  it('on AI/ML API, which cannot list its batches, submits the requests again with a warning', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const { output } = await submitLines(server, dir, LINES, clock, 'aimlapi');
    unrecordFirstBatch(`${output}.job.json`);
    const { results, warnings } = await runBatches(server, dir, LINES, { clock, provider: 'aimlapi' });
    expect(creations(server)).toHaveLength(2);
    expect(
      warnings.some((w) => w.includes('this gateway cannot list its batches to tell whether it was')),
    ).toBe(true);
    expect(results.map((r) => r.result.type)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(server.requests.every((r) => r.path.startsWith('/v1/batches'))).toBe(true);
  });

  it('refuses a normal run on a results file whose job has batches not written yet, sending nothing', async ({
    dir,
    serve,
  }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock, batchProcessingMs: 60_000 });
    const { output } = await submitLines(server, dir, LINES, clock);
    const before = server.requests.length;
    const failure = await runLines(server, dir, LINES, { outputPath: output }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toContain(
      `${output}.job.json has 1 batches whose results are not in ${output} yet: write them first (lp-batch results ${output}.job.json`,
    );
    expect(server.requests).toHaveLength(before);
  });

  it('refuses a job file of another input, naming it', async ({ dir, serve }) => {
    const { clock, mockClock } = sharedClock();
    const server = await serve({ clock: mockClock });
    const output = join(dir, 'out.jsonl');
    await runBatches(server, dir, LINES, { clock });
    const other = writeInput(dir, LINES, 'other.jsonl');
    const failure = await runBatches(server, dir, LINES, { clock, inputPath: other }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^${output}\\.job\\.json is the job of another input \\(.*in\\.jsonl\\): name another job file with --job`,
      ),
    );
  });
});
