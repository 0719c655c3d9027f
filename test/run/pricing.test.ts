/** A run prices its results, its summary and its budget at the table `pricing` gives. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';

describe('a run with pricing', () => {
  it('prices results and the summary at the file’s prices, and the budget too', async ({ dir, serve }) => {
    const server = await serve();
    // claude-3-haiku at $1000 / $2000 per million tokens: easy to see, easy to exceed.
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({ models: { 'claude-3-haiku-20240307': { input: 1000, output: 2000 } } }),
    );
    const { results, report } = await runLines(
      server,
      dir,
      [requestLine('a', 'hi'), requestLine('b', 'yo')],
      {
        pricing: join(dir, 'prices.json'),
      },
    );
    const [a] = results as unknown as AnyResult[];
    if (!a) throw new Error('no result');
    const expected = (a.usage.input_tokens * 1000 + a.usage.output_tokens * 2000) / 1e6;
    expect(a.cost_usd).toBeCloseTo(expected, 9);
    const total = (results as unknown as AnyResult[]).reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);
    expect(report.summary.cost_usd).toBeCloseTo(total, 9);

    // The same prices hold the budget: a cent cannot pay for one request at these prices.
    const capped = await runLines(server, dir, [requestLine('c', 'hi')], {
      pricing: join(dir, 'prices.json'),
      maxCost: 0.01,
      outputPath: join(dir, 'capped.jsonl'),
    });
    expect(capped.report.stop?.reason).toBe('budget');
    expect(capped.results).toEqual([]);
  });

  it('refuses a bad price file before sending anything', async ({ dir, serve }) => {
    const server = await serve();
    writeFileSync(join(dir, 'prices.json'), '{"models": {"x": {"input": 1}}}');
    await expect(
      runLines(server, dir, [requestLine('a', 'hi')], { pricing: join(dir, 'prices.json') }),
    ).rejects.toThrow(/^--pricing .*prices\.json: models\.x\.output: required$/);
    expect(server.stats.received).toBe(0);
  });
});
