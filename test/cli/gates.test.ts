/** The gates of the exit code: `--max-failures` and `--max-failure-rate`, alone and together. */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { failedGate } from '../../src/cli/gates.js';
import { faults } from '../../src/mock/faults.js';
import { SummaryBuilder } from '../../src/output/summary.js';
import { runCli } from '../helpers/cli.js';
import { whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, runLines, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

/** A summary of `total` results, `errored` of them errored. */
function summaryOf(total: number, errored: number) {
  const builder = new SummaryBuilder();
  for (let i = 0; i < total; i += 1) {
    if (i < errored) builder.addErrored('m', 'api_error', 'http_error');
    else builder.addSucceeded('m', { input_tokens: 1, output_tokens: 1 }, 1, {});
  }
  return builder.build(1);
}

describe('failedGate', () => {
  it.each([
    // total, errored, gates, fails
    [10, 0, {}, null],
    [10, 1, {}, '1 requests errored (--max-failures 0)'],
    [10, 2, { maxFailures: 2 }, null],
    [10, 3, { maxFailures: 2 }, '3 requests errored (--max-failures 2)'],
    [10, 1, { maxFailureRate: 0.1 }, null],
    [10, 2, { maxFailureRate: 0.1 }, '2 of 10 requests errored (20 %), more than --max-failure-rate 0.1'],
    [
      10,
      2,
      { maxFailures: 5, maxFailureRate: 0.1 },
      '2 of 10 requests errored (20 %), more than --max-failure-rate 0.1',
    ],
    [10, 2, { maxFailures: 1, maxFailureRate: 0.5 }, '2 requests errored (--max-failures 1)'],
    [10, 10, { maxFailureRate: 1 }, null],
    [0, 0, { maxFailureRate: 0 }, null],
    [3, 1, { maxFailureRate: 0 }, '1 of 3 requests errored (33.33 %), more than --max-failure-rate 0'],
  ] as const)('%i results, %i errored, %o: %s', (total, errored, gates, expected) => {
    expect(failedGate(summaryOf(total, errored), gates)).toBe(expected);
  });
});

describe('the gates on the command line (spawned)', () => {
  it('decide exit 1 or 0 for `run` and `summarize` alike', async ({ dir, serve }) => {
    const server = await serve({ fault: whenPrompt('bad', faults.invalidRequest('no')) });
    const lines = ['ok 1', 'ok 2', 'ok 3', 'bad 4'].map((p, i) => requestLine(`q${i}`, p));
    const { output } = await runLines(server, dir, lines);
    const summarize = (...gates: string[]) => runCli(['summarize', output, ...gates]);
    expect((await summarize()).code).toBe(1);
    expect((await summarize('--max-failure-rate', '0.25')).code).toBe(0);
    const over = await summarize('--max-failure-rate', '0.2');
    expect(over.code).toBe(1);
    expect(over.stderr).toBe('lp-batch: 1 of 4 requests errored (25 %), more than --max-failure-rate 0.2\n');
    expect((await summarize('--max-failures', '1', '--max-failure-rate', '0.2')).code).toBe(1);
    expect((await summarize('--max-failures', '1')).code).toBe(0);
    const bad = await summarize('--max-failure-rate', '1.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'lp-batch: Expected `--max-failure-rate` to be a number from 0 to 1, got `1.5`\n',
    );

    const input = writeInput(dir, lines, 'again.jsonl');
    const run = (...gates: string[]) =>
      runCli(
        [
          'run',
          input,
          join(dir, `run-${gates.join('')}.jsonl`),
          ...['--provider', 'anthropic', '--base-url', server.url, '--progress', 'none', ...gates],
        ],
        { LP_API_KEY: TEST_KEY },
      );
    expect((await run('--max-failure-rate', '0.25')).code).toBe(0);
    const failed = await run('--max-failure-rate', '0.1');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'lp-batch: 1 of 4 requests errored (25 %), more than --max-failure-rate 0.1\n',
    );
  });
});
