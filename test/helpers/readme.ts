/** The README as tests read it: the rows of a Markdown table, to compare with what the code says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

/** The rows (cells trimmed, header and rule left out) of the first table after `heading`. */
export function readmeTableAfter(heading: string): string[][] {
  const start = README.indexOf(heading);
  if (start < 0) throw new Error(`README has no heading ${heading}`);
  const lines = README.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}
