/** The fingerprint table: exact like a Map of strings, however many keys share a fingerprint. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintTable, fingerprintOf } from '../src/fingerprint-table.js';

/** A table over `keys[n]`, confirming a match as a caller does: by what the number stored leads to. */
function tableOf(keys: string[], fingerprint?: (key: string) => number) {
  let confirmations = 0;
  const isKey = (key: string, stored: number) => {
    confirmations += 1;
    return keys[stored] === key;
  };
  const table = new FingerprintTable(isKey, fingerprint);
  return { table, confirmations: () => confirmations };
}

describe('FingerprintTable', () => {
  it('finds what was stored, -1 for the rest, and replaces a key stored again', () => {
    const keys = ['a', 'b', 'c'];
    const { table } = tableOf(keys);
    expect(table.set('a', 0)).toBe(-1);
    table.add('b', 1);
    expect([table.get('a'), table.get('b'), table.get('c'), table.size]).toEqual([0, 1, -1, 2]);
    keys[2] = 'a';
    expect(table.set('a', 2)).toBe(0);
    expect([table.get('a'), table.size]).toEqual([2, 2]);
  });

  it('agrees with a Map however keys collide: every key one fingerprint, or a few', () => {
    const poor = [() => 0, (key: string) => key.length % 3, fingerprintOf];
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-c]{1,3}$/), { maxLength: 80 }),
        fc.constantFrom(...poor),
        (ops, fingerprint) => {
          const keys: string[] = [];
          const { table } = tableOf(keys, fingerprint);
          const map = new Map<string, number>();
          for (const key of ops) {
            expect(table.get(key)).toBe(map.get(key) ?? -1);
            keys.push(key);
            expect(table.set(key, keys.length - 1)).toBe(map.get(key) ?? -1);
            map.set(key, keys.length - 1);
          }
          expect(table.size).toBe(map.size);
          for (const [key, stored] of map) expect(table.get(key)).toBe(stored);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows past its first 1,024 slots without losing a key, positions from fingerprints alone', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `req-${i}`);
    const { table } = tableOf(keys);
    for (const [i, key] of keys.entries()) table.add(key, i);
    expect(table.size).toBe(5000);
    for (const [i, key] of keys.entries()) expect(table.get(key)).toBe(i);
    expect(table.get('req-5000')).toBe(-1);
  });

  it('asks the caller only about numbers whose fingerprint matches', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `id-${i}`);
    const { table, confirmations } = tableOf(keys);
    for (const [i, key] of keys.entries()) table.add(key, i);
    const before = confirmations();
    for (let i = 0; i < 2000; i += 1) table.get(`other-${i}`);
    // 2,000 misses among 2,000 keys: a 32-bit fingerprint matches by chance about once in a million.
    expect(confirmations() - before).toBeLessThan(3);
  });

  it('refuses a number it cannot store', () => {
    const { table } = tableOf([]);
    expect(() => table.add('a', -1)).toThrow(
      'Expected the number stored to be an integer from 0 to 4294967294, got -1',
    );
    expect(() => table.set('a', 2 ** 32)).toThrow(RangeError);
  });
});
