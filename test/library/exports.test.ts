/** What the package exports is what the README lists: a promise to users, so nothing more and nothing less. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';

const ROOT = join(import.meta.dirname, '../..');

/** The names in the README's table of exports, values and types alike. */
function listedInReadme(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| export | what |'));
  const rows = table.split('\n').filter((line, i) => i > 1 && line.startsWith('|'));
  const end = table.split('\n').findIndex((line, i) => i > 1 && !line.startsWith('|'));
  return rows
    .slice(0, end - 2)
    .flatMap((row) => [...(row.split(' | ')[0] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1] ?? ''));
}

/**
 * Every name src/index.ts exports, types included. The file holds only `export { ... } from` and
 * `export type { ... } from` lists (no `export *`, which would hide what is promised), so reading
 * the lists is enough; the TypeScript compiler would take seconds.
 */
function exportedNames(): string[] {
  const source = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  expect(source).not.toMatch(/export \*/);
  return [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) =>
    (m[1] ?? '')
      .split(',')
      .map((name) => name.trim().replace(/^type /, ''))
      .filter((name) => name !== ''),
  );
}

describe('the package exports', () => {
  it('are exactly the names the README lists', () => {
    expect(exportedNames().sort()).toEqual(listedInReadme().sort());
  });

  it('include no internals: no retry policy, no nano-dollar helpers, no gate', () => {
    const values = Object.keys(library).sort();
    expect(values).toEqual(
      [
        'ApiError',
        'BatchJobError',
        'ConnectionError',
        'InvalidResponseError',
        'LpBatchError',
        'RequestError',
        'ResponseTooLargeError',
        'ResultsFileError',
        'UsageError',
        'batchStatus',
        'cancelBatches',
        'estimate',
        'fetchBatchResults',
        'faults',
        'runBatch',
        'startMockServer',
        'submitBatches',
      ].sort(),
    );
  });
});
