import { describe, expect, it } from 'vitest';
import { parsePriceFile } from '../../src/pricing/price-file.js';
import { DEFAULT_PRICES, PriceTable } from '../../src/pricing/price-table.js';
import builtIn from '../../src/pricing/prices.json' with { type: 'json' };

const M = 1_000_000;
const { costNanos, priceOf, resolve } = {
  costNanos: DEFAULT_PRICES.costNanos.bind(DEFAULT_PRICES),
  priceOf: DEFAULT_PRICES.priceOf.bind(DEFAULT_PRICES),
  resolve: DEFAULT_PRICES.resolve.bind(DEFAULT_PRICES),
};

describe('the built-in price table', () => {
  it('passes the schema of a price file, with all five prices for every model and a checked date', () => {
    const parsed = parsePriceFile(builtIn);
    expect(parsed.ok).toBe(true);
    expect(builtIn.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [model, price] of Object.entries(builtIn.models)) {
      expect(Object.keys(price).sort(), model).toEqual(
        ['cache_read', 'cache_write_1h', 'cache_write_5m', 'input', 'output'].sort(),
      );
    }
    for (const [alias, model] of Object.entries(builtIn.aliases)) {
      expect(builtIn.models, alias).toHaveProperty([model]);
    }
  });

  it('prices every model named in PROTOCOL.md', () => {
    const names = [
      'claude-opus-4-5',
      'claude-opus-4-6',
      'claude-opus-4-1-20250805',
      'claude-opus-4-20250514',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-20250514',
      'claude-sonnet-4-6',
      'claude-3-7-sonnet-20250219',
      'claude-3-5-sonnet-20241022',
      'claude-3-5-sonnet-20240620',
      'claude-haiku-4-5-20251001',
      'claude-3-5-haiku-20241022',
      'claude-3-opus-20240229',
      'claude-3-sonnet-20240229',
      'claude-3-haiku-20240307',
      'claude_37_sonnet',
      'claude_35_sonnet',
      'claude_35_haiku',
      'claude_3_opus',
      'claude_3_sonnet',
      'claude_3_haiku',
      'claude-3-7-sonnet-latest',
      'claude-sonnet-4-5',
    ];
    for (const name of names) expect(priceOf(name), name).not.toBeNull();
  });
});

describe('costNanos', () => {
  it('charges input and output at the table price per million tokens', () => {
    // claude-3-7-sonnet: $3 / $15 per MTok.
    expect(costNanos('claude-3-7-sonnet-20250219', { input_tokens: M, output_tokens: M })).toBe(18e9);
    expect(costNanos('claude-3-haiku-20240307', { input_tokens: 1000, output_tokens: 2000 })).toBe(
      250_000 + 2_500_000,
    );
  });

  it('prices Little Pig names and aliases as the dated ids they stand for', () => {
    expect(resolve('claude_37_sonnet')).toBe('claude-3-7-sonnet-20250219');
    expect(priceOf('claude_35_haiku')).toEqual({
      input: 0.8,
      output: 4,
      cache_write_5m: 1,
      cache_write_1h: 1.6,
      cache_read: 0.08,
    });
    expect(priceOf('claude-sonnet-4-5')).toMatchObject({ input: 3, output: 15 });
    expect(priceOf('claude-opus-4-6')).toMatchObject({ input: 5, output: 25 });
    expect(costNanos('claude_3_opus', { input_tokens: 100, output_tokens: 10 })).toBe(
      100 * 15_000 + 10 * 75_000,
    );
  });

  it('charges cache writes and reads at the model’s own cache prices', () => {
    const usage = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 1000,
      cache_read_input_tokens: 1000,
    };
    // Sonnet 4: 5 min write $3.75/MTok, read $0.30/MTok.
    expect(costNanos('claude-sonnet-4-20250514', usage)).toBe(3_750_000 + 300_000);
    // Claude 3 Haiku's are not 1.25x / 0.1x of its input price: $0.30 and $0.03.
    expect(costNanos('claude-3-haiku-20240307', usage)).toBe(300_000 + 30_000);
  });

  it('charges the 1 h TTL share of cache writes at the 1 h price when usage.cache_creation says so', () => {
    const usage = {
      input_tokens: 10,
      output_tokens: 0,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    };
    // Haiku 4.5: input $1, 5 min write $1.25, 1 h write $2 per MTok.
    expect(costNanos('claude-haiku-4-5', usage)).toBe(10_000 + 1_250_000 + 4_000_000);
  });

  it('counts what caching saved: cached tokens at the input price less their write and read prices', () => {
    const saving = DEFAULT_PRICES.cacheSavingNanos.bind(DEFAULT_PRICES);
    // Sonnet 4: input $3, 5 min write $3.75, read $0.30 per MTok. 1,000 written, 9,000 read:
    // $0.03 at the input price, $0.00375 + $0.0027 as cached.
    const usage = {
      input_tokens: 5,
      output_tokens: 7,
      cache_creation_input_tokens: 1000,
      cache_read_input_tokens: 9000,
    };
    expect(saving('claude-sonnet-4-20250514', usage)).toBe(30_000_000 - 3_750_000 - 2_700_000);
    // A write never read costs more than no caching: a negative saving, at the 1 h price where it says so.
    const unread = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1000 },
    };
    expect(saving('claude-sonnet-4-20250514', unread)).toBe(3_000_000 - 6_000_000);
    expect(saving('claude-sonnet-4-20250514', { input_tokens: 9, output_tokens: 9 })).toBe(0);
    expect(saving('gpt-4o', usage)).toBeNull();
  });

  it('has no price for an unknown model rather than $0', () => {
    expect(priceOf('gpt-4o')).toBeNull();
    expect(costNanos('gpt-4o', { input_tokens: 5, output_tokens: 5 })).toBeNull();
  });
});

describe('the batch tier', () => {
  it('charges 50 % of every price: input, output, cache writes and reads', () => {
    const batch = DEFAULT_PRICES.withTier('batch');
    const usage = {
      input_tokens: 1000,
      output_tokens: 1000,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      cache_read_input_tokens: 1000,
    };
    for (const model of ['claude-sonnet-4-5', 'claude-3-haiku-20240307', 'claude-3-5-haiku-20241022']) {
      expect(batch.costNanos(model, usage), model).toBe((DEFAULT_PRICES.costNanos(model, usage) ?? 0) / 2);
    }
    expect(batch.priceOf('claude-3-haiku-20240307')).toEqual({
      input: 0.125,
      output: 0.625,
      cache_write_5m: 0.15,
      cache_write_1h: 0.25,
      cache_read: 0.015,
    });
    expect(batch.tier).toBe('batch');
  });

  it('gives back its standard prices as data, so a table written out reads back the same', () => {
    const batch = new PriceTable(DEFAULT_PRICES.toData(), 'batch');
    expect(batch.toData()).toEqual(DEFAULT_PRICES.toData());
    expect(batch.withTier('standard').priceOf('claude-sonnet-4-5')).toEqual(
      DEFAULT_PRICES.priceOf('claude-sonnet-4-5'),
    );
  });
});

describe('priceUsage', () => {
  it('prices by the asked model, or by the answered one when the asked name is unknown', () => {
    const usage = { input_tokens: 1000, output_tokens: 0 };
    expect(DEFAULT_PRICES.priceUsage(usage, 'claude_3_haiku', 'whatever')).toEqual({
      nanos: 250_000,
      pricedAs: 'claude_3_haiku',
    });
    expect(DEFAULT_PRICES.priceUsage(usage, 'my-haiku', 'claude-3-haiku-20240307')).toEqual({
      nanos: 250_000,
      pricedAs: 'claude-3-haiku-20240307',
    });
    expect(DEFAULT_PRICES.priceUsage(usage, 'my-haiku', null)).toEqual({ nanos: null, pricedAs: 'my-haiku' });
  });
});
