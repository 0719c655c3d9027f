/** The Message Batches engine step by step, as a library user calls it: imported by name from the package's entry. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  BatchJobError,
  batchStatus,
  cancelBatches,
  fetchBatchResults,
  submitBatches,
  UsageError,
} from '../../src/index.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const LINES = [requestLine('a', 'a'), requestLine('b', 'b'), 'not json'];

describe('submitBatches, batchStatus, cancelBatches, fetchBatchResults', () => {
  it('submit, look, fetch: the results file holds one line per input line, the job file the batch', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: 0 });
    const inputPath = writeInput(dir, LINES);
    const outputPath = join(dir, 'out.jsonl');
    const warnings: string[] = [];
    const submitted = await submitBatches({
      inputPath,
      outputPath,
      provider: 'anthropic',
      baseUrl: server.url,
      apiKey: TEST_KEY,
      onWarning: (w) => warnings.push(w),
    });
    expect(submitted).toEqual({
      job: `${outputPath}.job.json`,
      batches: ['msgbatch_mock_1'],
      submitted: 2,
      refused: 1,
      done: 0,
      in_batches: 0,
      stop: null,
    });

    const status = await batchStatus({ jobPath: submitted.job, apiKey: TEST_KEY });
    expect(status).toMatchObject({
      provider: 'anthropic',
      ended: true,
      totals: { requests: 2, processing: 0, succeeded: 2 },
    });
    expect(status.batches).toMatchObject([{ id: 'msgbatch_mock_1', results_written: false }]);

    const fetched = await fetchBatchResults({ jobPath: submitted.job, apiKey: TEST_KEY });
    expect(fetched.summary.requests).toMatchObject({ total: 3, succeeded: 2, errored: 1, not_sent: 0 });
    expect(fetched.summary.price_tier).toBe('batch');
    expect(fetched.waiting).toEqual({ batches: 0, requests: 0 });
    expect(
      readResults(outputPath)
        .map((r) => r.result.type)
        .sort(),
    ).toEqual(['errored', 'succeeded', 'succeeded']);
    const again = await batchStatus({ jobPath: submitted.job, apiKey: TEST_KEY });
    expect(again.batches).toMatchObject([{ results_written: true }]);
    expect(readFileSync(submitted.job, 'utf8')).not.toContain(TEST_KEY);
    expect(warnings).toEqual([]);
  });

  it('cancelBatches names the batches it asked to cancel, and fetchBatchResults writes them canceled', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: 3_600_000, batchCancelMs: 3_600_000 });
    const inputPath = writeInput(dir, LINES);
    const outputPath = join(dir, 'out.jsonl');
    const { job } = await submitBatches({
      inputPath,
      outputPath,
      provider: 'anthropic',
      baseUrl: server.url,
      apiKey: TEST_KEY,
    });
    const canceled = await cancelBatches({ jobPath: job, apiKey: TEST_KEY });
    expect(canceled.canceled).toEqual(['msgbatch_mock_1']);
    expect(canceled.batches).toMatchObject([{ processing_status: 'canceling' }]);
    // Still canceling: nothing to write yet, and the batch is waited for, not failed.
    const early = await fetchBatchResults({ jobPath: job, apiKey: TEST_KEY });
    expect(early.waiting).toEqual({ batches: 1, requests: 2 });
    expect(early.notSent).toBe(2);
    expect(readResults(outputPath)).toHaveLength(1);

    server.batches.endNow();
    expect((await cancelBatches({ jobPath: job, apiKey: TEST_KEY })).canceled).toEqual([]);
    const late = await fetchBatchResults({ jobPath: job, apiKey: TEST_KEY });
    expect(late.summary.requests).toMatchObject({ canceled: 2, errored: 1, not_sent: 0 });
    expect(late.waiting).toEqual({ batches: 0, requests: 0 });
  });

  it('refuses a provider without a batch API, and a job file that is not one, in one line', async ({
    dir,
  }) => {
    const inputPath = writeInput(dir, LINES);
    const outputPath = join(dir, 'out.jsonl');
    await expect(
      submitBatches({ inputPath, outputPath, provider: 'serevix', apiKey: TEST_KEY }),
    ).rejects.toThrow(UsageError);
    expect(existsSync(outputPath)).toBe(false);
    const failure = await batchStatus({ jobPath: inputPath, apiKey: TEST_KEY }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BatchJobError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^${inputPath}: not an lp-batch job file: not JSON \\(`),
    );
  });
});
