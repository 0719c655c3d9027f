/**
 * The Message Batches engine as a person uses it, spawned against the simulator: a run killed with
 * kill -9 while it polls and the same command again; submit, status, cancel and results; the normal
 * engine afterwards; a budget refused; a provider without a batch API.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { BatchJobStatus } from '../../src/batches/status.js';
import type { MockServer } from '../../src/mock/server.js';
import type { NotRunLine, ResultLine } from '../../src/types.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { byId, readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';
import { creations, idsOf, messagesSent } from '../batches/support.js';

const ENV = { LP_API_KEY: TEST_KEY };
const HOUR_MS = 3_600_000;

function lines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => requestLine(`r${i}`, `prompt ${i}`));
}

function gatewayArgs(server: MockServer): string[] {
  return ['--provider', 'anthropic', '--base-url', server.url];
}

/** `lp-batch run IN OUT --engine batches` with no progress display, and `more`. */
function batchesRun(input: string, out: string, ...more: string[]): string[] {
  return ['run', input, out, '--engine', 'batches', '--progress', 'none', ...more];
}

/** Looks at the batch `id` the simulator received since the start. */
function looksAt(server: MockServer, id: string): number {
  return server.requests.filter((r) => r.method === 'GET' && r.path === `/v1/messages/batches/${id}`).length;
}

describe('lp-batch and the Message Batches engine (spawned)', () => {
  it('killed with kill -9 while polling, the same command again takes the job up and creates no second batch', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: HOUR_MS });
    const input = writeInput(dir, lines(5));
    const out = join(dir, 'out.jsonl');
    const job = `${out}.job.json`;
    const args = ['run', input, out, '--engine', 'batches', ...gatewayArgs(server), '--progress', 'plain'];
    // Looks every 20 ms: the first run is polling within a few of them.
    const quick = ['--poll-interval', '0.02', '--max-poll-interval', '0.02'];
    const { child, done } = startCli([...args, ...quick], ENV);
    await waitFor(() => looksAt(server, 'msgbatch_mock_1') >= 2);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const recorded = JSON.parse(readFileSync(job, 'utf8')) as { batches: { id: string | null }[] };
    expect(recorded.batches.map((batch) => batch.id)).toEqual(['msgbatch_mock_1']);
    expect(readFileSync(job, 'utf8')).not.toContain(TEST_KEY);

    server.batches.endNow();
    const again = await runCli([...args, ...quick], ENV);
    expect(again.code, again.stderr).toBe(0);
    expect(creations(server)).toHaveLength(1);
    const results = readResults(out);
    expect(results.map((r) => r.custom_id).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    for (const line of results) {
      expect(line).toMatchObject({ result: { type: 'succeeded' }, batch_id: 'msgbatch_mock_1', attempts: 1 });
    }
    expect(again.stderr).toContain('job: ');
    expect(again.stderr).toContain('prices: Message Batches (50 % of the standard prices)');
    expect(again.stderr).not.toContain(TEST_KEY);
  });

  it('submit, status --json, cancel and results: one line per input line, canceled requests named so, and the normal engine sends only those', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: HOUR_MS });
    const withMetadata = JSON.stringify({
      ...(JSON.parse(requestLine('m', 'with metadata')) as object),
      metadata: { expected: 'M-42' },
    });
    const input = writeInput(dir, [...lines(2), withMetadata, 'not json']);
    const out = join(dir, 'out.jsonl');
    const job = `${out}.job.json`;

    const submitted = await runCli(['submit', input, out, ...gatewayArgs(server)], ENV);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toContain('submitted 3 requests in 1 batches: msgbatch_mock_1');
    expect(submitted.stdout).toContain(`1 lines written to ${out} as errored results instead`);
    expect(submitted.stdout).toContain(`next: lp-batch status ${job}`);
    // The invalid line is in the results at once; the metadata went nowhere near the gateway.
    expect(readResults(out).map((r) => r.custom_id)).toEqual(['line-4']);
    expect(idsOf(creations(server)[0]!)).toEqual(['r0', 'r1', 'm']);
    expect(JSON.stringify(creations(server)[0]?.body)).not.toContain('M-42');

    const status = await runCli(['status', job, '--json'], ENV);
    expect(status.code, status.stderr).toBe(0);
    const seen = JSON.parse(status.stdout) as BatchJobStatus;
    expect(seen.batches).toMatchObject([
      { id: 'msgbatch_mock_1', processing_status: 'in_progress', requests: 3 },
    ]);
    expect(seen.totals).toMatchObject({ requests: 3, processing: 3, succeeded: 0 });
    expect(seen.ended).toBe(false);
    const table = await runCli(['status', job], ENV);
    expect(table.stdout).toMatch(/^msgbatch_mock_1 +0 +in_progress +3 +3 +0 +0 +0 +0 +-$/m);
    expect(table.stdout).toContain('1 of 1 batches have not ended');

    const canceled = await runCli(['cancel', job], ENV);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toContain('asked to cancel 1 batches (msgbatch_mock_1)');
    expect(server.requests.filter((r) => r.path.endsWith('/cancel'))).toHaveLength(1);

    // The job's own results file, found from the job file alone; nothing else is written.
    const fetched = await runCli(['results', job], ENV, { cwd: dir });
    // Canceled requests did not succeed: exit 1, as errored ones.
    expect(fetched.code, fetched.stderr).toBe(1);
    expect(fetched.stderr).toContain(
      'not run by their batch: 3 canceled, 0 expired (a later run sends them)',
    );
    expect(fetched.stderr).toContain(
      '4 requests did not succeed (errored, canceled or expired) (--max-failures 0)',
    );
    const results = byId(readResults(out));
    expect(results.size).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(['in.jsonl', 'out.jsonl', 'out.jsonl.job.json']);
    expect([...results.values()].map((r) => r.result.type).sort()).toEqual([
      'canceled',
      'canceled',
      'canceled',
      'errored',
    ]);
    expect(results.get('m')).toMatchObject({
      metadata: { expected: 'M-42' },
      line: 3,
      batch_id: 'msgbatch_mock_1',
    });
    expect((results.get('r0') as NotRunLine).result).toEqual({ type: 'canceled' });

    const normal = await runCli(['run', input, out, ...gatewayArgs(server), '--progress', 'none'], ENV);
    expect(normal.code).toBe(1); // the invalid line is still errored
    expect(messagesSent(server)).toEqual(['prompt 0', 'prompt 1', 'with metadata']);
    const finals = byId(readResults(out));
    expect(finals.size).toBe(4);
    expect(finals.get('m')).toMatchObject({ result: { type: 'succeeded' }, metadata: { expected: 'M-42' } });
    expect(finals.get('m')).not.toHaveProperty('batch_id');
  });

  it('refuses a batches run whose worst case is over --max-cost, exit 3, nothing submitted', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(dir, [requestLine('big', 'x', { max_tokens: 100_000 })]);
    const out = join(dir, 'out.jsonl');
    const r = await runCli(batchesRun(input, out, ...gatewayArgs(server), '--max-cost', '0.01'), ENV);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /lp-batch: the worst case of what would be submitted is \$0\.\d+ at the batch price, over --max-cost \$0\.01: nothing was submitted; 1 request not sent \(a larger --max-cost sends them\)/,
    );
    expect(creations(server)).toHaveLength(0);
  });

  it('--dry-run prices the file at the batch price, sends nothing and writes nothing', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(
      dir,
      ['a', 'b', 'c'].map((id) => requestLine(id, id, { max_tokens: 100_000 })),
    );
    const out = join(dir, 'out.jsonl');
    const batch = await runCli(batchesRun(input, out, ...gatewayArgs(server), '--dry-run'), ENV);
    const normal = await runCli(['run', input, out, ...gatewayArgs(server), '--dry-run'], ENV);
    expect(batch.code, batch.stderr).toBe(0);
    expect(batch.stdout).toContain('Message Batches prices (50 %), checked');
    expect(normal.stdout).toContain('standard prices, checked');
    // The total's worst case (every max_tokens used), its last column, at half the standard price.
    const maxOf = (table: string) => Number(/^total .*\$([\d.]+)$/m.exec(table)?.[1]);
    expect(maxOf(batch.stdout)).toBeGreaterThan(0.1);
    expect(maxOf(batch.stdout)).toBeCloseTo(maxOf(normal.stdout) / 2, 6);
    expect(server.requests).toHaveLength(0);
    expect(existsSync(out)).toBe(false);
  });

  for (const provider of ['littlepig', 'serevix']) {
    it(`refuses --provider ${provider}, which documents no batch API, before anything is sent or written`, async ({
      dir,
    }) => {
      const input = writeInput(dir, lines(1));
      const out = join(dir, 'out.jsonl');
      const r = await runCli(['submit', input, out, '--provider', provider], ENV);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `lp-batch: --provider ${provider} documents no Message Batches API: use the normal engine (leave out --engine batches), or, if your gateway has one, name its path with --batch-path (Anthropic's is /v1/messages/batches)\n`,
      );
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.job.json`)).toBe(false);
    });
  }

  it('--batch-path points a provider without a documented batch API at its gateway', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ batchProcessingMs: 0 });
    const input = writeInput(dir, lines(2));
    const out = join(dir, 'out.jsonl');
    const gateway = ['--provider', 'littlepig', '--base-url', server.url];
    const r = await runCli(batchesRun(input, out, ...gateway, '--batch-path', '/v1/messages/batches'), ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(creations(server)).toHaveLength(1);
    expect(server.requests[0]?.headers['x-api-key']).toBe(TEST_KEY);
    const results: ResultLine[] = readResults(out);
    expect(results.map((line) => line.result.type)).toEqual(['succeeded', 'succeeded']);
    const job = JSON.parse(readFileSync(`${out}.job.json`, 'utf8')) as Record<string, unknown>;
    expect(job).toMatchObject({
      provider: 'littlepig',
      base_url: server.url,
      batch_path: '/v1/messages/batches',
    });
  });
});
