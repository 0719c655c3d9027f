/**
 * The run summary as Markdown: `lp-batch summarize --markdown`, and what `run` and `summarize`
 * append to a CI job's page (`GITHUB_STEP_SUMMARY`). The same rows and notes as the table.
 */
import type { RunSummary } from '../output/summary.js';
import { summaryNotes, summaryRows } from './summary-table.js';

/**
 * The summary under a heading naming `title` (the results file, and the shard when there is one).
 * Every text from a model name, an error or a server is escaped: it renders as the text it is.
 */
export function formatSummaryMarkdown(summary: RunSummary, title: string): string {
  const { header, rows, total } = summaryRows(summary);
  const out = [`### lp-batch: ${escapeMarkdown(title)}`, ''];
  if (summary.stop !== null) {
    out.push(`**Stopped early: ${summary.stop.reason}.** ${escapeMarkdown(summary.stop.message)}`, '');
  }
  const { requests } = summary;
  out.push(`${requests.total} requests: ${requests.succeeded} succeeded, ${requests.errored} errored.`, '');
  out.push(tableRow(header), tableRow(header.map((_, i) => (i === 0 ? '---' : '---:'))));
  for (const row of rows) out.push(tableRow(row));
  out.push(tableRow(total.map((cell) => `**${cell}**`)), '');
  // The stop is said above, in bold; the other notes are a list.
  for (const note of summaryNotes(summary).filter((n) => n.stop !== true)) {
    out.push(`- ${escapeMarkdown(note.text)}`);
    for (const item of note.items) out.push(`  - ${escapeMarkdown(item)}`);
  }
  return `${out.join('\n')}\n`;
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => (cell.startsWith('**') ? cell : escapeMarkdown(cell))).join(' | ')} |`;
}

/** Text as itself in Markdown: no HTML, no emphasis, links, code or table cells, on one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~$]/g, (c) => `\\${c}`);
}
