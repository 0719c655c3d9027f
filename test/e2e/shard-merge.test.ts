/**
 * A CI matrix as a workflow runs it, each step a spawned lp-batch: N shard runs over one input, their
 * results merged into one file, which summarizes to the totals of the shards.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import type { MockServer } from '../../src/mock/server.js';
import type { RunSummary } from '../../src/output/summary.js';
import { shardOfCustomId } from '../../src/run/shard.js';
import { runCli } from '../helpers/cli.js';
import { whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const SHARDS = 3;

/** 30 requests: ids repeated (refused, named `line-<N>`), lines without an id, one not JSON, some refused by the server. */
function inputLines(): string[] {
  return Array.from({ length: 30 }, (_, i) => {
    if (i === 7) return '{not json';
    if (i % 9 === 4)
      return JSON.stringify({
        model: 'claude-3-haiku-20240307',
        max_tokens: 9,
        messages: [{ role: 'user', content: `bare ${i}` }],
      });
    const id = i % 5 === 3 ? 'dup' : `q${i}`;
    return requestLine(id, i % 6 === 0 ? `refuse ${i}` : `prompt ${i}`);
  });
}

async function runShard(dir: string, server: MockServer, input: string, k: number) {
  const output = join(dir, `results-${k}.jsonl`);
  const summary = join(dir, `summary-${k}.json`);
  const r = await runCli(
    [
      'run',
      input,
      output,
      ...['--shard', `${k}/${SHARDS}`, '--summary', summary, '--max-failures', '30'],
      ...['--provider', 'anthropic', '--base-url', server.url, '--progress', 'none'],
    ],
    { LP_API_KEY: TEST_KEY },
  );
  expect(r.code, r.stderr).toBe(0);
  return { output, summary: JSON.parse(readFileSync(summary, 'utf8')) as RunSummary };
}

describe('shards, merge, summarize (spawned)', () => {
  it('send every line once across the shards, merge to one result per line, and summarize to their totals', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: whenPrompt('refuse', faults.invalidRequest('no')) });
    const input = writeInput(dir, inputLines());
    const shards: Awaited<ReturnType<typeof runShard>>[] = [];
    for (let k = 1; k <= SHARDS; k += 1) shards.push(await runShard(dir, server, input, k));

    const ids = shards.flatMap(({ output }, i) =>
      readResults(output).map((r) => {
        expect(shardOfCustomId(r.custom_id, SHARDS)).toBe(i + 1);
        return r.custom_id;
      }),
    );
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toEqual(expect.arrayContaining(['dup', 'line-9', 'line-14', 'line-8', 'line-5']));
    // The server saw each sendable request once: all but the 4 repeats of "dup" and the line that is not JSON.
    expect(server.requests).toHaveLength(25);

    const merged = join(dir, 'all.jsonl');
    const merge = await runCli(['merge', ...shards.map((s) => s.output), '-o', merged, '--input', input]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toBe(`lp-batch: merged 30 results from ${SHARDS} files into ${merged}\n`);
    expect(
      readResults(merged)
        .map((r) => r.custom_id)
        .sort(),
    ).toEqual([...ids].sort());

    const summarize = await runCli(['summarize', merged, '--json', '--max-failures', '30']);
    expect(summarize.code, summarize.stderr).toBe(0);
    const total = JSON.parse(summarize.stdout) as RunSummary;
    const sum = (pick: (s: RunSummary) => number) => shards.reduce((n, s) => n + pick(s.summary), 0);
    expect(total.requests).toEqual({
      total: 30,
      succeeded: sum((s) => s.requests.succeeded),
      errored: sum((s) => s.requests.errored),
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: null, // what the input held is not in a results file
    });
    expect(total.requests.errored).toBeGreaterThan(5);
    for (const key of Object.keys(total.usage) as (keyof RunSummary['usage'])[]) {
      expect(total.usage[key], key).toBe(sum((s) => s.usage[key]));
    }
    expect(Math.round(total.cost_usd * 1e9)).toBe(Math.round(sum((s) => s.cost_usd) * 1e9));
    expect(total.errors_by_kind).toEqual({
      http_error: sum((s) => s.errors_by_kind.http_error ?? 0),
      invalid_input: 5,
    });
  });

  it('exits 2 naming the lines a missing shard leaves without a result, and keeps what there is', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(dir, inputLines());
    const one = await runShard(dir, server, input, 1);
    const two = await runShard(dir, server, input, 2);
    const merged = join(dir, 'all.jsonl');
    const r = await runCli(['merge', one.output, two.output, '-o', merged, '--input', input]);
    expect(r.code).toBe(2);
    const missing = 30 - one.summary.requests.total - two.summary.requests.total;
    expect(missing).toBeGreaterThan(3);
    expect(r.stderr).toMatch(
      new RegExp(
        `lp-batch: ${missing} requests of ${input} have no result in the files merged \\(([\\w-]+, ){4}[\\w-]+ and ${missing - 5} more\\): ${merged} holds the results there are`,
      ),
    );
    expect(readResults(merged)).toHaveLength(30 - missing);
  });

  it('refuses the same results twice, an -o that is an input, and an -o that holds results', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(dir, inputLines());
    const one = await runShard(dir, server, input, 1);
    const copy = join(dir, 'copy.jsonl');
    copyFileSync(one.output, copy);
    const merged = join(dir, 'all.jsonl');

    const twice = await runCli(['merge', one.output, copy, '-o', merged]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(
      /custom_ids have a result in more than one file: "[\w-]+" \(in .*results-1.jsonl and .*copy.jsonl\)/,
    );
    expect(twice.stderr).toContain(`lp-batch: ${one.summary.requests.total} custom_ids`);
    expect(existsSync(merged)).toBe(false);

    const intoInput = await runCli(['merge', one.output, copy, '-o', copy]);
    expect(intoInput.code).toBe(2);
    expect(intoInput.stderr).toBe(
      `lp-batch: -o ${copy} is the same file as the results file ${copy}: give -o a path of its own\n`,
    );

    writeFileSync(merged, readFileSync(one.output));
    const before = readFileSync(merged, 'utf8');
    const kept = await runCli(['merge', one.output, '-o', merged]);
    expect(kept.code).toBe(2);
    expect(kept.stderr).toContain(`${merged} already holds ${one.summary.requests.total} results`);
    expect(readFileSync(merged, 'utf8')).toBe(before);
    expect((await runCli(['merge', one.output, '-o', merged, '--overwrite'])).code).toBe(0);
    expect(existsSync(`${merged}.lock`)).toBe(false);
  });
});
