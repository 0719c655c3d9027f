/** One writer per results file, with real processes: a second run refuses at once; a kill -9 leaves a lock the next run takes over. */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { MockServer } from '../../src/mock/server.js';
import { completeLines, runCli, startCli, waitFor } from '../helpers/cli.js';
import { promptOf } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const N = 40;
const ids = Array.from({ length: N }, (_, i) => `req-${i}`);
const env = { LP_API_KEY: TEST_KEY };

/** Starts a run of N requests, 2 at a time, `latencyMs` each; resolves once it has written 4 results. */
async function startRun(dir: string, server: MockServer) {
  const input = writeInput(
    dir,
    ids.map((id) => requestLine(id, id)),
  );
  const out = join(dir, 'out.jsonl');
  const args = ['run', input, out, '--base-url', server.url, '-c', '2', '--progress', 'none'];
  const run = startCli(args, env);
  await waitFor(() => completeLines(out) >= 4);
  return { out, args, run };
}

describe('the lock on the results file (spawned)', () => {
  it('refuses a second run on the same output at once, exit 2, naming the first; the first finishes its file intact', async ({
    dir,
    serve,
  }) => {
    // Slow enough (40 requests, 2 at a time, 100 ms each) that the second run meets the first.
    const server = await serve({ latencyMs: 100 });
    const { out, args, run: first } = await startRun(dir, server);

    const second = await runCli(args, env);
    expect(first.child.exitCode).toBeNull(); // the first is still running: the refusal came at once
    expect(second.code).toBe(2);
    const refusal = second.stderr.trim();
    expect(refusal.split('\n')).toHaveLength(1);
    expect(refusal).toContain(
      `${out} is in use by lp-batch pid ${first.child.pid} on host ${hostname()} (since `,
    );
    expect(refusal).toContain(`remove ${out}.lock`);
    expect(refusal).not.toMatch(/\n\s+at /);

    const done = await first.done;
    expect(done.code).toBe(0);
    const results = readResults(out);
    expect(results.map((r) => r.custom_id).sort()).toEqual([...ids].sort());
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    // The second run sent nothing: every request went out once.
    expect(server.requests).toHaveLength(N);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('after kill -9 the lock stays, and the next run takes it over with a warning and finishes the file', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 20 });
    const { out, args, run: killed } = await startRun(dir, server);
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    const stale = JSON.parse(readFileSync(`${out}.lock`, 'utf8')) as { pid: number; host: string };
    expect(stale).toMatchObject({ pid: killed.child.pid, host: hostname() });
    const writtenBefore = readResults(out).map((r) => r.custom_id);

    const rerun = await runCli(args, env);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain(
      `lp-batch: warning: ${out}: took over the lock of lp-batch pid ${killed.child.pid} (since `,
    );
    const results = readResults(out);
    expect(results.map((r) => r.custom_id).sort()).toEqual([...ids].sort());
    const sends = new Map<string, number>();
    for (const req of server.requests) sends.set(promptOf(req), (sends.get(promptOf(req)) ?? 0) + 1);
    for (const id of writtenBefore) expect(sends.get(id), id).toBe(1);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});
