import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadPriceTable, mergePrices, parsePriceFile } from '../../src/pricing/price-file.js';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';
import { it } from '../helpers/fixtures.js';

function issuesOf(value: unknown): string[] {
  const parsed = parsePriceFile(value);
  return parsed.ok ? [] : parsed.issues;
}

async function loadError(dir: string, content: string): Promise<string> {
  const file = join(dir, 'prices.json');
  writeFileSync(file, content);
  const error = await loadPriceTable({ file: 'prices.json', cwd: dir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('parsePriceFile', () => {
  it('names a bad entry by its path and the value received', () => {
    expect(issuesOf({ models: { 'my-model': { input: '3', output: 15 } } })).toEqual([
      'models["my-model"].input: expected a number >= 0 (USD per million tokens), got "3"',
    ]);
    expect(issuesOf({ models: { m: { input: -1, output: 15 } } })).toEqual([
      'models.m.input: expected a number >= 0 (USD per million tokens), got -1',
    ]);
    expect(issuesOf({ models: { m: { input: 1 } } })).toEqual(['models.m.output: required']);
    expect(issuesOf({ checked: '22 Nov' })).toEqual(['checked: expected a date YYYY-MM-DD, got "22 Nov"']);
    expect(issuesOf({ aliases: { a: 3 } })).toEqual(['aliases.a: expected a non-empty string, got 3']);
  });

  it('names an unknown field (a typo would otherwise be ignored) with the fields it knows', () => {
    expect(issuesOf({ models: { m: { input: 1, ouput: 5 } } })).toEqual([
      'models.m.output: required',
      'models.m.ouput: unknown field; expected input, output, cache_write_5m, cache_write_1h, cache_read',
    ]);
    expect(issuesOf({ model: {} })).toEqual(['model: unknown field; expected checked, models, aliases']);
  });

  it('derives cache prices a file leaves out from its input price', () => {
    const parsed = parsePriceFile({ models: { m: { input: 2, output: 10, cache_read: 0.15 } } });
    expect(parsed).toEqual({
      ok: true,
      overrides: {
        checked: undefined,
        models: { m: { input: 2, output: 10, cache_write_5m: 2.5, cache_write_1h: 4, cache_read: 0.15 } },
        aliases: {},
      },
    });
  });
});

describe('mergePrices', () => {
  const base = DEFAULT_PRICES.toData();
  const price = { input: 2, output: 10, cache_write_5m: 2.5, cache_write_1h: 4, cache_read: 0.2 };

  it('overrides a model, adds models and aliases, and keeps the rest of the built-in table', () => {
    const merged = mergePrices(base, {
      checked: '2030-01-01',
      models: { 'claude-haiku-4-5-20251001': price, 'my-model': price },
      aliases: { mine: 'my-model', claude_37_sonnet: 'claude-sonnet-4-5-20250929' },
    });
    if (!merged.ok) throw new Error(merged.issues.join('; '));
    expect(merged.data.checked).toBe('2030-01-01');
    expect(merged.data.models['claude-haiku-4-5-20251001']).toEqual(price);
    expect(merged.data.models['my-model']).toEqual(price);
    expect(merged.data.models['claude-opus-4-6']).toEqual(base.models['claude-opus-4-6']);
    expect(merged.data.aliases.mine).toBe('my-model');
    expect(merged.data.aliases.claude_37_sonnet).toBe('claude-sonnet-4-5-20250929');
    expect(merged.data.aliases['claude-haiku-4-5']).toBe('claude-haiku-4-5-20251001');
  });

  it('refuses an alias to a model the table does not have, and an alias that is a model', () => {
    const merged = mergePrices(base, {
      models: {},
      aliases: { mine: 'no-such-model', 'claude-opus-4-6': 'claude-3-haiku-20240307' },
    });
    expect(merged).toEqual({
      ok: false,
      issues: [
        'aliases.mine: expected the name of a model of the table, got "no-such-model"',
        'aliases["claude-opus-4-6"]: "claude-opus-4-6" is a model of the table, so it cannot be an alias',
      ],
    });
  });
});

describe('loadPriceTable', () => {
  it('is the built-in table without a file, at the tier asked for', async ({ dir }) => {
    expect(await loadPriceTable({ cwd: dir })).toBe(DEFAULT_PRICES);
    const batch = await loadPriceTable({ cwd: dir, tier: 'batch' });
    expect(batch.priceOf('claude-sonnet-4-5')?.input).toBe(1.5);
  });

  it('lays a file over the built-in table', async ({ dir }) => {
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ models: { 'my-model': { input: 1, output: 2 } } }));
    const table = await loadPriceTable({ file: 'p.json', cwd: dir });
    expect(table.costNanos('my-model', { input_tokens: 1000, output_tokens: 1000 })).toBe(3_000_000);
    expect(table.priceOf('claude_37_sonnet')).toEqual(DEFAULT_PRICES.priceOf('claude_37_sonnet'));
  });

  it('says which file and which entry is wrong', async ({ dir }) => {
    expect(await loadError(dir, '{"models": {"x": {"input": "3", "output": 1}}}')).toBe(
      '--pricing prices.json: models.x.input: expected a number >= 0 (USD per million tokens), got "3"',
    );
    expect(await loadError(dir, '{"models": ')).toMatch(/^--pricing prices\.json: not valid JSON: /);
    const many = Object.fromEntries(
      Array.from({ length: 7 }, (_, i) => [`m${i}`, { input: 'x', output: 1 }]),
    );
    expect(await loadError(dir, JSON.stringify({ models: many }))).toMatch(/; and 2 more$/);
    const missing = await loadPriceTable({ file: 'nope.json', cwd: dir }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/^--pricing nope\.json: cannot read the file: ENOENT/);
  });
});
