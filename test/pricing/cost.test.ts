import { describe, expect, it } from 'vitest';
import { costNanos, priceOf, resolveModel } from '../../src/pricing/cost.js';

const M = 1_000_000;

describe('costNanos', () => {
  it('charges input and output at the table price per million tokens', () => {
    // claude-3-7-sonnet: $3 / $15 per MTok.
    expect(costNanos('claude-3-7-sonnet-20250219', { input_tokens: M, output_tokens: M })).toBe(18e9);
    expect(costNanos('claude-3-haiku-20240307', { input_tokens: 1000, output_tokens: 2000 })).toBe(
      250_000 + 2_500_000,
    );
  });

  it('prices Little Pig names and aliases as the dated ids they stand for', () => {
    expect(resolveModel('claude_37_sonnet')).toBe('claude-3-7-sonnet-20250219');
    expect(priceOf('claude_35_haiku')).toEqual({ input: 0.8, output: 4 });
    expect(priceOf('claude-sonnet-4-5')).toEqual({ input: 3, output: 15 });
    expect(priceOf('claude-opus-4-6')).toEqual({ input: 5, output: 25 });
    expect(costNanos('claude_3_opus', { input_tokens: 100, output_tokens: 10 })).toBe(
      100 * 15_000 + 10 * 75_000,
    );
  });

  it('charges cache writes at 1.25x and cache reads at 0.1x of the input price', () => {
    const usage = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 1000,
      cache_read_input_tokens: 1000,
    };
    // Sonnet input $3/MTok: 1000 writes = $0.00375, 1000 reads = $0.0003.
    expect(costNanos('claude-sonnet-4-20250514', usage)).toBe(3_750_000 + 300_000);
  });

  it('charges the 1 h TTL share of cache writes at 2x when usage.cache_creation says so', () => {
    const usage = {
      input_tokens: 10,
      output_tokens: 0,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    };
    // Haiku 4.5 input $1/MTok: 10 input = 10_000 n$, 1000 at 1.25 = 1_250_000, 2000 at 2 = 4_000_000.
    expect(costNanos('claude-haiku-4-5', usage)).toBe(10_000 + 1_250_000 + 4_000_000);
  });

  it('has no price for an unknown model rather than $0', () => {
    expect(priceOf('gpt-4o')).toBeNull();
    expect(costNanos('gpt-4o', { input_tokens: 5, output_tokens: 5 })).toBeNull();
  });

  it('prices every model named in PROTOCOL.md', () => {
    const names = [
      'claude-opus-4-5',
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
    ];
    for (const name of names) expect(priceOf(name), name).not.toBeNull();
  });
});
