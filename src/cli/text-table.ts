/** Plain-text tables for the terminal: the first column left-aligned, the others right-aligned. */

/** `rows` (the first is the header) as aligned lines joined by newlines, no trailing newline. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A whole number with thousands separators: `1,234,567`. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** Dollars with enough digits to see a cent's fractions on small amounts. */
export function usd(n: number): string {
  return `$${n < 1 ? n.toFixed(6) : n.toFixed(2)}`;
}
