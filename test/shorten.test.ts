import { describe, expect, it } from 'vitest';
import { shorten, showValue } from '../src/shorten.js';

describe('shorten', () => {
  it('cuts text past the limit and says so', () => {
    expect(shorten('abcdef', 6)).toBe('abcdef');
    expect(shorten('abcdefg', 6)).toBe('abcdef...');
  });
});

describe('showValue', () => {
  it('shows values as JSON, strings quoted, nothing for undefined', () => {
    expect(showValue('64')).toBe('"64"');
    expect(showValue(null)).toBe('null');
    expect(showValue(undefined)).toBe('nothing');
    expect(showValue([1, undefined])).toBe('[1,null]');
    expect(showValue(10n)).toBe('10');
  });

  it('stops encoding once it has enough, whatever the size of the value', () => {
    const huge = { data: 'A'.repeat(5_000_000), more: ['x'] };
    const shown = showValue(huge, 20);
    expect(shown).toBe('{"data":"AAAAAAAAAAA...');
  });
});
