/** The built CLI as a user runs it: a spawned process, its exit code, its files and its stderr. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import type { RunSummary } from '../../src/output/summary.js';
import { runCli } from '../helpers/cli.js';
import { whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const HELLO = join(import.meta.dirname, '../../fixtures/hello.jsonl');

describe('lp-batch run (spawned)', () => {
  it('runs the hello fixture against the built-in simulator with no key and exits 0', async ({ dir }) => {
    const out = join(dir, 'out.jsonl');
    const summary = join(dir, 'summary.json');
    const r = await runCli([
      'run',
      HELLO,
      out,
      '--provider',
      'mock',
      '--summary',
      summary,
      '--progress',
      'none',
    ]);
    expect(r.stderr).toContain('total');
    expect(r.code).toBe(0);
    const results = readResults(out);
    const inputLines = readFileSync(HELLO, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(results).toHaveLength(inputLines.length);
    expect(results.every((x) => x.result.type === 'succeeded')).toBe(true);
    const json = JSON.parse(readFileSync(summary, 'utf8')) as RunSummary;
    expect(json.requests).toEqual({
      total: inputLines.length,
      succeeded: inputLines.length,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: 0,
    });
    expect(json.cost_usd).toBeGreaterThan(0);
    expect(json.cost_complete).toBe(true);
    expect(Object.keys(json.by_model).length).toBeGreaterThan(3);
    for (const key of [
      'input_tokens',
      'output_tokens',
      'cache_creation_input_tokens',
      'cache_read_input_tokens',
    ]) {
      expect(typeof json.usage[key as keyof RunSummary['usage']]).toBe('number');
    }
    expect(typeof json.wall_ms).toBe('number');
    expect(json.errors_by_type).toEqual({});
    expect(json.retries).toBe(0);
  });

  it('exits 2 before any request when no key is set', async ({ dir, serve }) => {
    const server = await serve();
    const input = writeInput(dir, [requestLine('a', 'x')]);
    const r = await runCli([
      'run',
      input,
      join(dir, 'out.jsonl'),
      '--provider',
      'anthropic',
      '--base-url',
      server.url,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no API key: set LP_API_KEY or ANTHROPIC_API_KEY');
    expect(server.requests).toHaveLength(0);
    // Refused after the results file was locked: the lock goes, and no empty results file is left.
    expect(existsSync(join(dir, 'out.jsonl.lock'))).toBe(false);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });

  it('refuses a key on the command line without echoing it', async ({ dir }) => {
    const r = await runCli(['run', HELLO, join(dir, 'o.jsonl'), `--api-key=${TEST_KEY}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment only');
    expect(r.stderr + r.stdout).not.toContain(TEST_KEY);
  });

  it('refuses plain http to a non-loopback host', async ({ dir }) => {
    const r = await runCli(['run', HELLO, join(dir, 'o.jsonl'), '--base-url', 'http://example.com'], {
      LP_API_KEY: TEST_KEY,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing plain http to example.com');
  });

  it('exits 1 when a request errors, and 0 when --max-failures allows it', async ({ dir, serve }) => {
    const server = await serve({ fault: whenPrompt('bad', () => faults.invalidRequest('nope')) });
    const input = writeInput(dir, [requestLine('a', 'good'), requestLine('b', 'bad')]);
    const args = (out: string) => [
      'run',
      input,
      join(dir, out),
      '--base-url',
      server?.url ?? '',
      '--progress',
      'none',
    ];
    const strict = await runCli(args('o1.jsonl'), { LP_API_KEY: TEST_KEY });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('1 requests errored');
    const lenient = await runCli([...args('o2.jsonl'), '--max-failures', '1'], {
      LP_API_KEY: TEST_KEY,
    });
    expect(lenient.code).toBe(0);
    expect(readResults(join(dir, 'o2.jsonl'))).toHaveLength(2);
  });

  it('exits 2 on a 401, names the key variable and never prints the key', async ({ dir, serve }) => {
    const server = await serve({
      fault: () => faults.apiError(401, 'authentication_error', `invalid x-api-key ${TEST_KEY}`),
    });
    const input = writeInput(
      dir,
      Array.from({ length: 30 }, (_, i) => requestLine(`r${i}`, `p${i}`)),
    );
    const out = join(dir, 'out.jsonl');
    const summary = join(dir, 's.json');
    const r2 = await runCli(
      [
        'run',
        input,
        out,
        '--base-url',
        server.url,
        '-c',
        '1',
        '--summary',
        summary,
        '--api-key-env',
        'MY_KEY',
        '--progress',
        'plain',
      ],
      { MY_KEY: TEST_KEY },
    );
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('the gateway refused the key from MY_KEY');
    expect(server.requests).toHaveLength(1);
    const everything = r2.stderr + r2.stdout + readFileSync(out, 'utf8') + readFileSync(summary, 'utf8');
    expect(everything).not.toContain(TEST_KEY);
    expect(readResults(out)).toHaveLength(1);
  });

  it('rejects bad flag values with exit 2 and says what was expected', async ({ dir }) => {
    const r = await runCli(['run', HELLO, join(dir, 'o.jsonl'), '--provider', 'mock', '-c', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected `--concurrency` to be a whole number >= 1, got `0`');
  });

  it.for([
    [['--cache', 'bogus'], 'Expected `--cache` to be one of schedule | auto | off, got `bogus`'],
    [['-c', 'abc'], 'Expected `--concurrency` to be a whole number >= 1, got `abc`'],
    [['--dry-run', '-c', '4x'], 'Expected `--concurrency` to be a whole number >= 1, got `4x`'],
  ] as const)('answers %j in one line naming what was typed, exit 2', async ([flags, expected], { dir }) => {
    const r = await runCli(['run', HELLO, join(dir, 'o.jsonl'), '--provider', 'mock', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`lp-batch: ${expected}\n`);
    expect(r.stdout).toBe('');
  });

  it('exits 3 when --max-cost skipped a request, naming it, and sends the smaller ones', async ({ dir }) => {
    const out = join(dir, 'out.jsonl');
    // claude-3-haiku: 100,000 output tokens may cost $0.125, far more than the $0.01 budget.
    const input = writeInput(dir, [
      requestLine('a', 'one'),
      requestLine('big', 'two', { max_tokens: 100_000 }),
      requestLine('b', 'three'),
    ]);
    const r = await runCli([
      'run',
      input,
      out,
      '--provider',
      'mock',
      '--max-cost',
      '0.01',
      '--progress',
      'none',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /\nlp-batch: --max-cost \$0\.01: \$0\.0000\d+ spent; 1 request skipped, their worst case more than the \$0\.0099\d+ left: big; 1 request not sent \(a larger --max-cost sends them\)\n$/,
    );
    expect(
      readResults(out)
        .map((line) => line.custom_id)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('sends only the first --limit requests, says how many were left, and sends nothing more when run again', async ({
    dir,
  }) => {
    const out = join(dir, 'out.jsonl');
    const input = writeInput(
      dir,
      Array.from({ length: 10 }, (_, i) => requestLine(`r${i}`, `prompt ${i}`)),
    );
    const args = ['run', input, out, '--provider', 'mock', '--limit', '3', '--progress', 'none'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('\nlp-batch: 7 requests not sent: beyond --limit 3\n');
    expect(readResults(out).map((line) => line.custom_id)).toEqual(['r0', 'r1', 'r2']);
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/wall time [\d.]+ s, [\d.]+ req\/s, 3 from earlier runs/);
    expect(readResults(out)).toHaveLength(3);
  });

  it('refuses to write results over the input file', async () => {
    const r = await runCli(['run', HELLO, HELLO, '--provider', 'mock']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the same file as the input');
  });

  it('--api-key-env NAME replaces the default variables, as the README says', async ({ dir, serve }) => {
    const server = await serve();
    const input = writeInput(dir, [requestLine('a', 'x')]);
    const args = ['run', input, join(dir, 'out.jsonl'), '--base-url', server.url, '--api-key-env', 'MY_KEY'];
    const r = await runCli(args, { LP_API_KEY: TEST_KEY, ANTHROPIC_API_KEY: TEST_KEY });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lp-batch: no API key: set MY_KEY in the environment\n');
    expect(server.requests).toHaveLength(0);
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The API key'), readme.indexOf('## Input format'));
    expect(section).toContain('`--api-key-env NAME` replaces them: only `NAME` is');
  });
});
