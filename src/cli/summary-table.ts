/** Renders the run summary as the readable table printed on stderr at the end of a run. */
import type { ModelSummary, RunSummary } from '../output/summary.js';
import { int, textTable, usd } from './text-table.js';

const COLUMNS = ['model', 'requests', 'ok', 'errored', 'input', 'output', 'cache write', 'cache read', 'USD'];

export function formatSummary(summary: RunSummary): string {
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
  const out = [textTable([COLUMNS, ...rows, total])];

  const seconds = (summary.wall_ms / 1000).toFixed(1);
  const resumed = summary.requests.resumed > 0 ? `, ${summary.requests.resumed} from earlier runs` : '';
  out.push(`wall time ${seconds} s, ${summary.requests_per_second} req/s${resumed}`);
  out.push(`retries: ${summary.retries}${byType(summary.retries_by_type, summary.retries_by_kind)}`);
  if (summary.requests.errored > 0) {
    out.push(`errors:${byType(summary.errors_by_type, summary.errors_by_kind)}`);
  }
  const timings = Object.entries(summary.by_model)
    .filter(([, m]) => m.latency_ms.p50 !== null)
    .map(([model, m]) => {
      const ttft =
        m.ttft_ms.p50 === null ? '' : `, time to first token p50 ${m.ttft_ms.p50} ms p95 ${m.ttft_ms.p95} ms`;
      return `  ${model}: latency p50 ${m.latency_ms.p50} ms p95 ${m.latency_ms.p95} ms${ttft}`;
    });
  if (timings.length > 0) out.push('timings:', ...timings);
  if (!summary.cost_complete) {
    out.push(
      `cost incomplete: no price for ${summary.unpriced_models.map((m) => `"${m}"`).join(', ')}; the total leaves those requests out`,
    );
  }
  return `${out.join('\n')}\n`;
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

/** ` (overloaded_error 2, api_error 1; by kind: http_error 2, connection 1)`, or nothing for no counts. */
function byType(types: Record<string, number>, kinds: Record<string, number>): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  if (Object.keys(types).length === 0) return '';
  return ` (${list(types)}; by kind: ${list(kinds)})`;
}
