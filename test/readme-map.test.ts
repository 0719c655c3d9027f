/** The README's map of src/ names every folder and top-level file there is, and nothing else. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe("the README's map of src/", () => {
  it('lists exactly what src/ holds', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const map = readme.slice(readme.indexOf('### Map of `src/`'));
    const rows = map.split('\n').filter((line) => line.startsWith('| `'));
    const listed = rows.flatMap((row) =>
      [...(row.split(' | ')[0] ?? '').matchAll(/`([\w.-]+\/?)`/g)].map((m) => m[1]),
    );
    const present = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? `${entry.name}/` : entry.name,
    );
    expect(listed.sort()).toEqual(present.sort());
  });
});
