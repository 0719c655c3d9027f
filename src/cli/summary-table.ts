/**
 * Renders the run summary as the readable table printed at the end of a run (and by `lp-batch
 * summarize`). Its rows and notes are shared with the Markdown rendering (./summary-markdown.ts).
 */
import type { CacheSummary } from '../output/cache-summary.js';
import type { ModelSummary, RunSummary } from '../output/summary.js';
import { int, textTable, usd } from './text-table.js';

const TIER_SHOWN = {
  batch: 'Message Batches (50 % of the standard prices)',
  mixed: "each result at its engine's (Message Batches results at 50 %)",
} as const;

const COLUMNS = ['model', 'requests', 'ok', 'errored', 'input', 'output', 'cache write', 'cache read', 'USD'];

export function formatSummary(summary: RunSummary): string {
  const { header, rows, total } = summaryRows(summary);
  const out = [textTable([header, ...rows, total])];
  for (const note of summaryNotes(summary)) {
    out.push(note.items.length === 0 ? note.text : `${note.text}:`, ...note.items.map((item) => `  ${item}`));
  }
  return `${out.join('\n')}\n`;
}

/** The table's cells: one row per model and the totals; the model is the first cell. */
export function summaryRows(summary: RunSummary): { header: string[]; rows: string[][]; total: string[] } {
  const rows = Object.entries(summary.by_model).map(([model, m]) => modelRow(model, m));
  const total = [
    'total',
    String(summary.requests.total),
    String(summary.requests.succeeded),
    String(summary.requests.errored),
    int(summary.usage.input_tokens),
    int(summary.usage.output_tokens),
    int(summary.usage.cache_creation_input_tokens),
    int(summary.usage.cache_read_input_tokens),
    usd(summary.cost_usd) + (summary.cost_complete ? '' : '+?'),
  ];
  return { header: COLUMNS, rows, total };
}

/** One line under the table; `items` are lines under it (the per-model timings). */
export interface SummaryNote {
  text: string;
  items: string[];
  /** The note saying why the run stopped early. */
  stop?: boolean;
}

/**
 * What the table does not show, in the order it is printed: why the run stopped early (first, so
 * that a run cut off by its budget is not read as a regression), wall time, retries, errors, timings,
 * what the prompt cache did, an incomplete cost.
 */
export function summaryNotes(summary: RunSummary): SummaryNote[] {
  const notes: string[] = [];
  const resumed = summary.requests.resumed > 0 ? `, ${summary.requests.resumed} from earlier runs` : '';
  if (summary.wall_ms !== null) {
    const seconds = (summary.wall_ms / 1000).toFixed(1);
    notes.push(`wall time ${seconds} s, ${summary.requests_per_second} req/s${resumed}`);
  }
  const retried =
    summary.retries_by_type === null || summary.retries_by_kind === null
      ? summary.retries > 0
        ? ' (why each failed is not in the results file)'
        : ''
      : byType(summary.retries_by_type, summary.retries_by_kind);
  notes.push(`retries: ${summary.retries}${retried}`);
  if (summary.requests.errored > 0) {
    notes.push(`errors:${byType(summary.errors_by_type, summary.errors_by_kind)}`);
  }
  const { canceled, expired } = summary.requests;
  if (canceled + expired > 0) {
    notes.push(`not run by their batch: ${canceled} canceled, ${expired} expired (a later run sends them)`);
  }
  if (summary.price_tier !== 'standard') notes.push(`prices: ${TIER_SHOWN[summary.price_tier]}`);
  const out: SummaryNote[] = notes.map((text) => ({ text, items: [] }));
  const { stop } = summary;
  if (stop !== null)
    out.unshift({ text: `stopped early (${stop.reason}): ${stop.message}`, items: [], stop: true });
  const timings = Object.entries(summary.by_model)
    .filter(([, m]) => m.latency_ms.p50 !== null)
    .map(([model, m]) => {
      const ttft =
        m.ttft_ms.p50 === null ? '' : `, time to first token p50 ${m.ttft_ms.p50} ms p95 ${m.ttft_ms.p95} ms`;
      return `${model}: latency p50 ${m.latency_ms.p50} ms p95 ${m.latency_ms.p95} ms${ttft}`;
    });
  if (timings.length > 0) out.push({ text: 'timings', items: timings });
  const cache = cacheNote(summary.cache);
  if (cache !== null) out.push({ text: cache, items: [] });
  if (!summary.cost_complete) {
    out.push({
      text: `cost incomplete: no price for ${summary.unpriced_models.map((m) => `"${m}"`).join(', ')}; the total leaves those requests out`,
      items: [],
    });
  }
  return out;
}

function modelRow(model: string, m: ModelSummary): string[] {
  return [
    model,
    String(m.requests),
    String(m.succeeded),
    String(m.errored),
    int(m.input_tokens),
    int(m.output_tokens),
    int(m.cache_creation_input_tokens),
    int(m.cache_read_input_tokens),
    m.cost_usd === null ? 'unknown' : usd(m.cost_usd),
  ];
}

/** `prompt cache: 3,750 tokens written, 33,750 read (hit rate 90 %), saved $0.081 against no caching`; null when nothing was cached. */
function cacheNote(cache: CacheSummary): string | null {
  if (cache.hit_rate === null) return null;
  const rate = Math.round(cache.hit_rate * 1000) / 10;
  const money =
    cache.saved_usd >= 0
      ? `saved ${usd(cache.saved_usd)} against no caching`
      : `cost ${usd(-cache.saved_usd)} more than no caching (writes not read enough)`;
  return `prompt cache: ${int(cache.write_tokens)} tokens written, ${int(cache.read_tokens)} read (hit rate ${rate} %), ${money}`;
}

/** ` (overloaded_error 2, api_error 1; by kind: http_error 2, connection 1)`, or nothing for no counts. */
function byType(types: Record<string, number>, kinds: Record<string, number>): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  if (Object.keys(types).length === 0) return '';
  return ` (${list(types)}; by kind: ${list(kinds)})`;
}
