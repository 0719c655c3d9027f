/** Orders of result lines for a rewrite. */
import type { ResultEntry } from './results-scan.js';

/**
 * The entries sorted by their input line (`--order input`), ties by position in the results
 * file so the order is stable. Returns a new array; pass it with `{ order: 'as-given' }`.
 */
export function sortByInputLine(entries: Iterable<ResultEntry>): ResultEntry[] {
  return [...entries].sort((a, b) => a.line - b.line || a.offset - b.offset);
}
