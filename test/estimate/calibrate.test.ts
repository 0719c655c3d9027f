/** `--calibrate RESULTS.jsonl`: the expected output is what each model wrote per request before. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { estimateWith } from '../../src/estimate/estimate.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';
import { writeFixture } from './fixture.js';

function succeeded(custom_id: string, model: string, output_tokens: number): string {
  const usage = { input_tokens: 5, output_tokens };
  const message = { id: 'm', type: 'message', role: 'assistant', model, content: [], usage };
  return JSON.stringify({ custom_id, line: 1, result: { type: 'succeeded', message }, usage });
}

describe('estimate with calibrate', () => {
  it('expects each model’s mean output per request, and the mean of all for a model not seen', async ({
    dir,
  }) => {
    writeFixture(dir);
    const results = [
      succeeded('a', 'claude-haiku-4-5-20251001', 30),
      succeeded('b', 'claude-haiku-4-5-20251001', 50),
      succeeded('c', 'claude-3-haiku-20240307', 10),
      JSON.stringify({ custom_id: 'd', line: 4, result: { type: 'errored', error: {} } }),
      '{"custom_id": "torn',
    ];
    writeFileSync(join(dir, 'before.jsonl'), `${results.join('\n')}\n`);
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({ models: { 'my-model': { input: 10, output: 100 } } }),
    );
    const warnings: string[] = [];
    const { report } = await estimateWith(
      {
        inputPath: 'in.jsonl',
        calibrate: 'before.jsonl',
        pricing: 'prices.json',
        onWarning: (w) => warnings.push(w),
      },
      { cwd: dir, env: {} },
    );
    // The fixture asks `claude-haiku-4-5`, the alias of the model that answered: 40 tokens a request,
    // four requests (none with max_tokens under 40), at $5/MTok on top of the input.
    expect(report.by_model['claude-haiku-4-5']?.cost_usd.expected).toBe(0.002965);
    // my-model: the mean of all (30) but at most its max_tokens (10), at $100/MTok; 16 input at $10/MTok.
    expect(report.by_model['my-model']?.cost_usd.expected).toBe(0.00116);
    expect(report.cost_usd.expected).toBe(0.004125);
    expect(warnings).toEqual([
      'before.jsonl: 1 line is not a result and was skipped (the first: line 5)',
      'before.jsonl has no result of model "my-model": its output is expected at the mean of all models (30.0 tokens a request)',
    ]);
  });

  it('learns from a results file a run wrote', async ({ dir, serve }) => {
    const server = await serve();
    const lines = [requestLine('a', 'short'), requestLine('b', 'a somewhat longer question to answer')];
    const { results, output } = await runLines(server, dir, lines);
    const outputs = (results as unknown as AnyResult[]).map((r) => r.usage.output_tokens);
    const mean = (outputs[0]! + outputs[1]!) / 2;

    writeFileSync(join(dir, 'next.jsonl'), `${requestLine('c', 'x'.repeat(35), { max_tokens: 1000 })}\n`);
    const { report } = await estimateWith(
      { inputPath: 'next.jsonl', calibrate: output },
      { cwd: dir, env: {} },
    );
    // claude-3-haiku: $0.25 / $1.25 per MTok; 8 + 4 + 10 = 22 input tokens.
    expect(report.cost_usd.expected).toBeCloseTo((22 * 0.25 + mean * 1.25) / 1e6, 12);
    expect(mean).toBeGreaterThan(0);
  });

  it('refuses a file with no succeeded result to learn from', async ({ dir }) => {
    writeFixture(dir);
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    await expect(
      estimateWith({ inputPath: 'in.jsonl', calibrate: 'empty.jsonl' }, { cwd: dir }),
    ).rejects.toThrow(
      '--calibrate empty.jsonl: no succeeded result with a model and its usage to learn from',
    );
    await expect(
      estimateWith({ inputPath: 'in.jsonl', calibrate: 'none.jsonl' }, { cwd: dir }),
    ).rejects.toThrow('--calibrate: file not found: none.jsonl');
  });
});
