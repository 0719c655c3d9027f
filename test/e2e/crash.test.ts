/** Crash safety of the real process: SIGKILL mid-run then a rerun, and a graceful SIGINT. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { completeLines, runCli, startCli, waitFor } from '../helpers/cli.js';
import { promptOf } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';
import type { RunSummary } from '../../src/output/summary.js';

const N = 60;
const ids = Array.from({ length: N }, (_, i) => `req-${i}`);

describe('crash safety (spawned)', () => {
  it('after SIGKILL, a rerun finishes with one succeeded line per request and re-sends none that was written', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 25 });
    const input = writeInput(
      dir,
      ids.map((id) => requestLine(id, id)),
    );
    const out = join(dir, 'out.jsonl');
    const args = ['run', input, out, '--base-url', server.url, '-c', '4', '--progress', 'none'];
    const { child, done } = startCli(args, { LP_API_KEY: TEST_KEY });
    await waitFor(() => completeLines(out) >= 10);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');

    const writtenBeforeKill = new Set(
      readFileSync(out, 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id),
    );
    const sentBeforeKill = server.requests.length;
    expect(writtenBeforeKill.size).toBeGreaterThanOrEqual(10);
    expect(writtenBeforeKill.size).toBeLessThan(N);

    const rerun = await runCli(args, { LP_API_KEY: TEST_KEY });
    expect(rerun.code).toBe(0);

    const results = readResults(out);
    expect(results).toHaveLength(N);
    expect(results.map((r) => r.custom_id).sort()).toEqual([...ids].sort());
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);

    const sends = new Map<string, number>();
    for (const req of server.requests) sends.set(promptOf(req), (sends.get(promptOf(req)) ?? 0) + 1);
    for (const id of writtenBeforeKill) expect(sends.get(id), id).toBe(1);
    // Only requests in flight at the kill (at most the concurrency) were sent twice.
    expect(server.requests.length - N).toBeLessThanOrEqual(4);
    expect(server.requests.length).toBeGreaterThanOrEqual(sentBeforeKill);
    expect(rerun.stderr).toMatch(new RegExp(`wall time .*, ${writtenBeforeKill.size} from earlier runs`));
  });

  it('on SIGINT stops dispatching, finishes what is in flight, writes a valid file and summary, and exits 130', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 25 });
    const input = writeInput(
      dir,
      ids.map((id) => requestLine(id, id)),
    );
    const out = join(dir, 'out.jsonl');
    const summaryPath = join(dir, 'summary.json');
    const { child, done } = startCli(
      [
        'run',
        input,
        out,
        '--base-url',
        server.url,
        '-c',
        '4',
        '--progress',
        'none',
        '--summary',
        summaryPath,
      ],
      { LP_API_KEY: TEST_KEY },
    );
    await waitFor(() => completeLines(out) >= 8);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('SIGINT: no new requests');
    expect(r.stderr).toContain('interrupted');
    const results = readResults(out);
    expect(results.length).toBeLessThan(N);
    // Every request that reached the server was finished and written.
    expect(results).toHaveLength(server.requests.length);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    expect(summary.requests.total).toBe(results.length);
    expect(summary.requests.succeeded).toBe(results.length);
  });
});
