/** `lp-batch pricing` as a person runs it: the table, its JSON, and a bad `--pricing` file. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';
import { runCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';

describe('lp-batch pricing', () => {
  it('prints the built-in table with its checked date, one model a line with its aliases', async () => {
    const run = await runCli(['pricing']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`checked ${DEFAULT_PRICES.checked}`);
    expect(run.stdout).toMatch(
      /^claude-3-haiku-20240307\s+0\.25\s+1\.25\s+0\.3\s+0\.5\s+0\.03\s+claude_3_haiku$/m,
    );
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('claude'));
    expect(rows).toHaveLength(Object.keys(DEFAULT_PRICES.toData().models).length);
  });

  it('round-trips: its --json read back with --pricing prints the same JSON', async ({ dir }) => {
    const file = join(dir, 'mine.json');
    writeFileSync(
      file,
      JSON.stringify({ checked: '2031-02-03', models: { 'my-model': { input: 2, output: 8 } } }),
    );
    const first = await runCli(['pricing', '--json', '--pricing', file]);
    expect(first.code).toBe(0);
    const table = JSON.parse(first.stdout) as { checked: string; models: Record<string, unknown> };
    expect(table.checked).toBe('2031-02-03');
    expect(table.models['my-model']).toEqual({
      input: 2,
      output: 8,
      cache_write_5m: 2.5,
      cache_write_1h: 4,
      cache_read: 0.2,
    });
    expect(table.models['claude-opus-4-6']).toEqual(DEFAULT_PRICES.priceOf('claude-opus-4-6'));

    const copy = join(dir, 'copy.json');
    writeFileSync(copy, first.stdout);
    const second = await runCli(['pricing', '--json', '--pricing', copy]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('names a bad entry of --pricing with its path and value, and exits 2', async ({ dir }) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ models: { 'claude-opus-4-6': { input: 5, output: '25' } } }));
    const run = await runCli(['pricing', '--pricing', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `lp-batch: --pricing ${file}: models["claude-opus-4-6"].output: expected a number >= 0 (USD per million tokens), got "25"\n`,
    );
  });
});
