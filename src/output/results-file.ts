/**
 * The results file on disk, as the resume logic sees it: scan it into an index, cut a torn
 * last line, rewrite it atomically. One named export per piece; the pieces live in:
 * - results-parse.ts: reading the fields of one line, refusing files that are not lp-batch output
 * - results-scan.ts: the streaming scan (resume index, torn tail)
 * - results-rewrite.ts: truncation of a torn tail and the atomic rewrite
 * - results-order.ts: the input-line order of `--order input`
 */

export { sortByInputLine } from './results-order.js';
export type { ResultFields } from './results-parse.js';
export { parseResultLine } from './results-parse.js';
export type { RewriteOptions } from './results-rewrite.js';
export { cutTornTail, rewriteResultsFile } from './results-rewrite.js';
export type { ResultEntry, ResultsScan, ResultsScanner, ScanOptions, TornTail } from './results-scan.js';
export { createResultsScanner, scanResultsFile } from './results-scan.js';
