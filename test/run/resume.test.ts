import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { ResultsFileError } from '../../src/errors.js';
import { faults } from '../../src/mock/faults.js';
import { decideResume } from '../../src/run/resume.js';
import { runBatch } from '../../src/run/run-batch.js';
import { promptOf, whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { httpInFlight, VirtualClock } from '../helpers/virtual-clock.js';
import { priorResult, readResults, requestLine, runLines } from '../helpers/run-helpers.js';

const lines = (n: number, prefix = 'p') =>
  Array.from({ length: n }, (_, i) => requestLine(`r${i}`, `${prefix}${i}`));

function countPerId(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of readResults(path)) counts.set(r.custom_id, (counts.get(r.custom_id) ?? 0) + 1);
  return counts;
}

describe('resume', () => {
  it('sends nothing again when every result succeeded, and the summary still covers the whole file', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const first = await runLines(server, dir, lines(12));
    expect(server.requests).toHaveLength(12);
    const second = await runLines(server, dir, lines(12));
    expect(server.requests).toHaveLength(12);
    expect(second.results).toHaveLength(12);
    expect(second.report.summary.requests).toEqual({
      total: 12,
      succeeded: 12,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: 12,
      not_sent: 0,
    });
    expect(second.report.summary.usage).toEqual(first.report.summary.usage);
    expect(second.report.summary.cost_usd).toBeCloseTo(first.report.summary.cost_usd, 12);
  });

  it('retries errored results on a new run, and keeps them with skipErrored', async ({ dir, serve }) => {
    let failing = true;
    const server = await serve({
      fault: whenPrompt('p3', () => (failing ? faults.invalidRequest('no') : undefined)),
    });
    await runLines(server, dir, lines(5));
    expect(server.requests).toHaveLength(5);

    const kept = await runLines(server, dir, lines(5), { skipErrored: true });
    expect(server.requests).toHaveLength(5);
    expect(kept.report.summary.requests).toEqual({
      total: 5,
      succeeded: 4,
      errored: 1,
      canceled: 0,
      expired: 0,
      resumed: 5,
      not_sent: 0,
    });

    failing = false;
    const retried = await runLines(server, dir, lines(5));
    expect(server.requests).toHaveLength(6);
    expect(promptOf(server.requests[5] as never)).toBe('p3');
    expect(retried.results).toHaveLength(5);
    expect(retried.results.every((r) => r.result.type === 'succeeded')).toBe(true);
    expect(retried.report.summary.requests).toEqual({
      total: 5,
      succeeded: 5,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: 4,
      not_sent: 0,
    });
  });

  it('sends a changed prompt again, not an unchanged one, and says how many changed', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    await runLines(server, dir, lines(6));
    const edited = lines(6);
    edited[2] = requestLine('r2', 'a new wording');
    edited[4] = requestLine('r4', 'p4', { temperature: 0.2 });
    const { results, warnings } = await runLines(server, dir, edited);
    expect(server.requests).toHaveLength(8);
    expect(
      server.requests
        .slice(6)
        .map((r) => promptOf(r))
        .sort(),
    ).toEqual(['a new wording', 'p4']);
    expect(warnings).toContain('2 requests changed since their result was written: sent again');
    expect(results).toHaveLength(6);
    expect([...countPerId(join(dir, 'out.jsonl')).values()].every((n) => n === 1)).toBe(true);
    const r2 = results.find((r) => r.custom_id === 'r2');
    expect(JSON.stringify(r2)).toContain('a new wording');
  });

  it('sends a line that was invalid and has been fixed, even with skipErrored', async ({ dir, serve }) => {
    const server = await serve();
    const broken = JSON.stringify({
      custom_id: 'fixme',
      params: { model: 'claude-3-haiku-20240307', messages: [] },
    });
    await runLines(server, dir, [broken, requestLine('ok', 'fine')]);
    expect(server.requests).toHaveLength(1);
    const { results } = await runLines(
      server,
      dir,
      [requestLine('fixme', 'now valid'), requestLine('ok', 'fine')],
      {
        skipErrored: true,
      },
    );
    expect(server.requests).toHaveLength(2);
    expect(results.map((r) => [r.custom_id, r.result.type]).sort()).toEqual([
      ['fixme', 'succeeded'],
      ['ok', 'succeeded'],
    ]);
  });

  it('refuses to overwrite a file that is not lp-batch output', async ({ dir, serve }) => {
    const server = await serve();
    writeFileSync(join(dir, 'out.jsonl'), 'precious notes\n');
    await expect(runLines(server, dir, lines(1), { overwrite: true })).rejects.toThrow(
      /not an lp-batch results file/,
    );
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe('precious notes\n');
  });

  it('starts afresh with overwrite', async ({ dir, serve }) => {
    const server = await serve();
    await runLines(server, dir, lines(4));
    const { results } = await runLines(server, dir, lines(4), { overwrite: true });
    expect(server.requests).toHaveLength(8);
    expect(results).toHaveLength(4);
  });

  it('cuts a torn last line, keeps the complete lines byte for byte, and sends the torn request again', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const { output } = await runLines(server, dir, lines(5));
    const before = readFileSync(output, 'utf8');
    const kept = before.split('\n').slice(0, 3).join('\n').concat('\n');
    const torn = before.split('\n')[3]?.slice(0, 40) ?? '';
    const tornId = (JSON.parse(before.split('\n')[3] ?? '{}') as { custom_id: string }).custom_id;
    writeFileSync(output, kept + torn);
    const { results, warnings } = await runLines(server, dir, lines(5));
    expect(
      warnings.some((w) => w.includes(`cut away a torn last line (${Buffer.byteLength(torn)} bytes)`)),
    ).toBe(true);
    expect(readFileSync(output, 'utf8').startsWith(kept)).toBe(true);
    expect(results).toHaveLength(5);
    const resent = server.requests.slice(5).map((r) => promptOf(r));
    expect(resent).toHaveLength(2);
    expect(resent).toContain(`p${tornId.slice(1)}`);
  });

  it('refuses a results file that is not lp-batch output, and leaves it untouched', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const output = join(dir, 'out.jsonl');
    writeFileSync(output, '{"id": 1, "text": "someone else\'s data"}\n');
    await expect(runLines(server, dir, lines(2))).rejects.toThrow(ResultsFileError);
    await expect(runLines(server, dir, lines(2))).rejects.toThrow(
      /out\.jsonl:1: not an lp-batch results file/,
    );
    expect(readFileSync(output, 'utf8')).toBe('{"id": 1, "text": "someone else\'s data"}\n');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses to use the input file as the output file', async ({ dir, serve }) => {
    const server = await serve();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, `${lines(1).join('\n')}\n`);
    await expect(
      runBatch({
        inputPath: input,
        outputPath: join(dir, '.', 'in.jsonl'),
        provider: 'anthropic',
        baseUrl: server.url,
        apiKey: 'k',
      }),
    ).rejects.toThrow(/is the same file as the input/);
    expect(readFileSync(input, 'utf8')).toBe(`${lines(1).join('\n')}\n`);
  });

  it('rewrites the final file in input order with order: input', async ({ dir, serve }) => {
    // The first five fail on the first run, so their retried results land after the others.
    let failing = true;
    const server = await serve({
      fault: whenPrompt(/^p[0-4]$/, () => (failing ? faults.internalError() : undefined)),
    });
    const input = lines(12);
    await runLines(server, dir, input, { maxRetries: 0 });
    failing = false;
    const completion = await runLines(server, dir, input, { outputPath: join(dir, 'out.jsonl') });
    const completionOrder = readResults(completion.output).map((r) => r.line);
    expect(completionOrder).not.toEqual([...completionOrder].sort((a, b) => a - b));

    const { output } = await runLines(server, dir, input, { order: 'input' });
    const order = readResults(output).map((r) => r.line);
    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('keeps results of custom_ids the input no longer has, counts them, and says so', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    await runLines(server, dir, lines(4));
    const { report, warnings, results } = await runLines(server, dir, lines(2));
    expect(results).toHaveLength(4);
    expect(report.summary.requests.total).toBe(4);
    expect(warnings.some((w) => w.includes('holds 2 results for custom_ids that are not in'))).toBe(true);
  });

  it('reports a duplicate custom_id under its own line so the first keeps its result across runs', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = [requestLine('dup', 'one'), requestLine('dup', 'two'), requestLine('other', 'x')];
    await runLines(server, dir, input);
    const again = await runLines(server, dir, input);
    expect(server.requests).toHaveLength(2);
    expect(again.report.summary.requests).toEqual({
      total: 3,
      succeeded: 2,
      errored: 1,
      canceled: 0,
      expired: 0,
      resumed: 2,
      not_sent: 0,
    });
    expect(again.warnings.filter((w) => w.includes('not in'))).toEqual([]);
    expect(again.results.map((r) => [r.custom_id, r.result.type]).sort()).toEqual([
      ['dup', 'succeeded'],
      ['line-2', 'errored'],
      ['other', 'succeeded'],
    ]);
  });
});

describe('decideResume', () => {
  const entry = (type: 'succeeded' | 'errored', params_hash: string | null) =>
    priorResult('a', type, params_hash);
  it('is done for a succeeded result of the same params and sends everything else', () => {
    expect(decideResume(undefined, 'h', false)).toBe('send');
    expect(decideResume(entry('succeeded', 'h'), 'h', false)).toBe('done');
    expect(decideResume(entry('succeeded', 'old'), 'h', false)).toBe('send_changed');
    expect(decideResume(entry('errored', 'h'), 'h', false)).toBe('send');
    expect(decideResume(entry('errored', 'h'), 'h', true)).toBe('keep');
    expect(decideResume(entry('errored', 'old'), 'h', true)).toBe('send_changed');
    expect(decideResume(entry('errored', null), 'h', true)).toBe('send');
  });
});

describe('graceful stop', () => {
  it('stops dispatching on the stop signal, lets in-flight requests finish, and a rerun finishes the job', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 20 });
    const stop = new AbortController();
    const input = lines(40);
    const first = await runLines(server, dir, input, {
      concurrency: 4,
      // Time stands still while requests are on the wire: the grace period outlasts them all.
      clock: new VirtualClock({ busy: httpInFlight }),
      onProgress: (p) => {
        if (p.done >= 6) stop.abort();
      },
      signal: stop.signal,
    });
    expect(first.report.stop?.reason).toBe('interrupted');
    expect(first.results.length).toBeGreaterThanOrEqual(6);
    expect(first.results.length).toBeLessThan(40);
    // Everything that was sent finished and was written: nothing in flight was lost.
    expect(first.results).toHaveLength(server.requests.length);
    const sentBefore = server.requests.length;

    const second = await runLines(server, dir, input, { concurrency: 4 });
    expect(second.report.stop).toBeNull();
    expect(second.results).toHaveLength(40);
    expect(server.requests.length - sentBefore).toBe(40 - first.results.length);
    expect([...countPerId(join(dir, 'out.jsonl')).values()].every((n) => n === 1)).toBe(true);
  });

  it('aborts requests still in flight when the grace period ends, and does not write them', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: whenPrompt('slow', faults.hang()) });
    const stop = new AbortController();
    const input = [requestLine('fast', 'quick'), requestLine('slow', 'slow one')];
    // Stopped once `fast` is written; `slow` hangs, and 50 ms of virtual time later it is cut off.
    const clock = new VirtualClock();
    const { report, results } = await runLines(server, dir, input, {
      concurrency: 2,
      clock,
      signal: stop.signal,
      grace: 0.05,
      onProgress: (p) => {
        if (p.done === 1) stop.abort();
      },
    });
    expect(clock.now()).toBe(50);
    expect(report.stop?.reason).toBe('interrupted');
    expect(results.map((r) => r.custom_id)).toEqual(['fast']);
    expect(report.notSent).toBe(1);
  });
});
