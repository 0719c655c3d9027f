/** `estimate()` as the library gives it: the report of a file, priced, with expected output. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { estimateWith } from '../../src/estimate/estimate.js';
import type { EstimateReport } from '../../src/estimate/tally.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';
import { FIXTURE_LINES, writeFixture } from './fixture.js';

async function estimateIn(dir: string, extra: Record<string, unknown> = {}) {
  writeFixture(dir);
  const warnings: string[] = [];
  const { report } = await estimateWith(
    { inputPath: 'in.jsonl', onWarning: (w) => warnings.push(w), ...extra },
    { cwd: dir, env: {} },
  );
  return { report, warnings };
}

/** The fixture's report, worked out by hand: Haiku 4.5 costs $1 / $5 per million input / output tokens. */
const EXPECTED: EstimateReport = {
  requests: 5,
  input_tokens: 32 + 424 + 95 + 1614 + 16,
  max_output_tokens: 100 + 200 + 50 + 50 + 10,
  cost_usd: { min: 0.002165, max: 0.004165, expected: null },
  by_model: {
    'claude-haiku-4-5': {
      requests: 4,
      input_tokens: 2165,
      max_output_tokens: 400,
      // min: 2,165 input tokens at $1/MTok; max: plus 400 output tokens at $5/MTok.
      cost_usd: { min: 0.002165, max: 0.004165, expected: null },
    },
    'my-model': {
      requests: 1,
      input_tokens: 16,
      max_output_tokens: 10,
      cost_usd: { min: null, max: null, expected: null },
    },
  },
  invalid_lines: [
    {
      line: 5,
      custom_id: 'bad',
      message: 'in.jsonl:5: params.max_tokens: expected a positive integer, got "64"',
    },
  ],
  unpriced_models: ['my-model'],
  method: 'heuristic',
  cache: { groups: 0, write_tokens: 0, read_tokens: 0, saved_usd: 0, auto_saves_usd: 0, auto_requests: 0 },
};

describe('estimate', () => {
  it('counts text, system, tools and real PNG and JPEG images as worked out by hand', async ({ dir }) => {
    expect(FIXTURE_LINES.filter((l) => l.inputTokens !== null)).toHaveLength(5);
    const { report } = await estimateIn(dir);
    expect(report).toEqual(EXPECTED);
  });

  it('lists exactly the lines a run writes as invalid, with the same messages', async ({ dir, serve }) => {
    const server = await serve();
    const lines = [
      requestLine('a', 'fine'),
      '{not json',
      requestLine('a', 'again'),
      requestLine('b', 'x', { max_tokens: 0 }),
      JSON.stringify({
        custom_id: 'c',
        params: { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] },
      }),
    ];
    const { results } = await runLines(server, dir, lines);
    const ran = (results as unknown as AnyResult[])
      .filter((r) => r.result.type === 'errored' && r.status === null)
      .map((r) => ({ line: r.line, custom_id: r.custom_id, message: r.result.error.error.message }))
      .sort((x, y) => x.line - y.line);
    // runLines names the input by its absolute path; so does the estimate here.
    const { report } = await estimateWith({ inputPath: join(dir, 'in.jsonl') }, { env: {} });
    expect(report.invalid_lines).toEqual(ran);
    expect(ran).toHaveLength(4);
    expect(report.requests).toBe(1);
  });

  it('expects output from --assume-output-tokens, never above max_tokens', async ({ dir }) => {
    const { report } = await estimateIn(dir, { assumeOutputTokens: 60 });
    // 60 + 60 + 50 + 50 output tokens at $5/MTok on top of the input.
    expect(report.by_model['claude-haiku-4-5']?.cost_usd.expected).toBe(0.003265);
    expect(report.cost_usd.expected).toBe(0.003265);
    expect(report.by_model['my-model']?.cost_usd.expected).toBeNull();
  });

  it('expects output from --assume-output-ratio of each max_tokens', async ({ dir }) => {
    const { report } = await estimateIn(dir, { assumeOutputRatio: 0.5 });
    // Half of 400 max_tokens: 200 output tokens at $5/MTok.
    expect(report.cost_usd.expected).toBe(0.002165 + 0.001);
  });

  it('prices at the Message Batches discount with priceTier batch', async ({ dir }) => {
    const { report } = await estimateIn(dir, { priceTier: 'batch', assumeOutputTokens: 60 });
    expect(report.cost_usd).toEqual({ min: 0.0010825, max: 0.0020825, expected: 0.0016325 });
  });

  it('prices by --pricing, which can price a model the built-in table does not know', async ({ dir }) => {
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({ models: { 'my-model': { input: 10, output: 100 } } }),
    );
    const { report } = await estimateIn(dir, { pricing: 'prices.json' });
    expect(report.unpriced_models).toEqual([]);
    expect(report.by_model['my-model']?.cost_usd).toEqual({ min: 0.00016, max: 0.00116, expected: null });
    expect(report.cost_usd.min).toBe(0.002165 + 0.00016);
  });

  it('fills in --model and --max-tokens as a run does', async ({ dir }) => {
    writeFileSync(
      join(dir, 'bare.jsonl'),
      `${JSON.stringify({ messages: [{ role: 'user', content: 'e'.repeat(35) }] })}\n`,
    );
    const { report } = await estimateWith(
      { inputPath: 'bare.jsonl', model: 'claude-3-haiku-20240307', maxTokens: 20 },
      { cwd: dir, env: {} },
    );
    expect(report.by_model).toEqual({
      'claude-3-haiku-20240307': {
        requests: 1,
        input_tokens: 22,
        max_output_tokens: 20,
        // 22 x $0.25/MTok, 20 x $1.25/MTok
        cost_usd: { min: 0.0000055, max: 0.0000305, expected: null },
      },
    });
  });

  it('holds the worst case of a request that asks for caching at the 1 h cache-write price, as the budget does', async ({
    dir,
  }) => {
    const cached = {
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      system: [{ type: 'text', text: 's'.repeat(35), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'q'.repeat(35) }],
    };
    writeFileSync(join(dir, 'cached.jsonl'), `${JSON.stringify(cached)}\n`);
    const { report } = await estimateWith({ inputPath: 'cached.jsonl' }, { cwd: dir, env: {} });
    // 8 + 10 + 4 + 10 = 32 tokens: min at $1/MTok, max as a 1 h write ($2/MTok) plus 10 x $5/MTok.
    expect(report.cost_usd).toEqual({ min: 0.000032, max: 0.000064 + 0.00005, expected: null });
  });

  it('refuses two expectations at once, a missing file and a bad price file, before reading', async ({
    dir,
  }) => {
    await expect(estimateIn(dir, { assumeOutputTokens: 5, assumeOutputRatio: 0.5 })).rejects.toThrow(
      '--assume-output-tokens and --assume-output-ratio both say what to expect of the output: give one of them',
    );
    await expect(estimateWith({ inputPath: 'nope.jsonl' }, { cwd: dir })).rejects.toThrow(
      new UsageError('input file not found: nope.jsonl'),
    );
    writeFileSync(join(dir, 'bad-prices.json'), '{"models": {"m": {"input": -1, "output": 1}}}');
    await expect(estimateIn(dir, { pricing: 'bad-prices.json' })).rejects.toThrow(
      '--pricing bad-prices.json: models.m.input: expected a number >= 0 (USD per million tokens), got -1',
    );
    await expect(estimateIn(dir, { assumeOutputRatio: 1.5 })).rejects.toThrow(
      'Expected `--assume-output-ratio` to be a number from 0 to 1, got `1.5`',
    );
  });
});
