/** Renders an estimate as the readable report `lp-batch estimate` prints on stdout. */
import type { CacheEstimateReport } from '../estimate/cache-estimate.js';
import type { EstimateMethod, EstimateReport, ModelEstimate } from '../estimate/tally.js';
import type { PriceTable } from '../pricing/price-table.js';
import { int, textTable, usd } from './text-table.js';

const COLUMNS = ['model', 'requests', 'input tokens', 'max output', 'USD min', 'USD expected', 'USD max'];

/** Invalid lines listed in the table; `--json` lists them all. */
const INVALID_SHOWN = 20;

const METHODS: Readonly<Record<EstimateMethod, string>> = {
  heuristic: 'estimated offline (see "How input tokens are estimated" in the README for its error)',
  count_tokens_api: "counted by the gateway's count_tokens",
  'count_tokens_api+heuristic': "counted by the gateway's count_tokens, some estimated offline",
  heuristic_fallback: 'estimated offline: the gateway does not offer count_tokens',
};

export function formatEstimate(report: EstimateReport, prices: PriceTable): string {
  const rows = Object.entries(report.by_model).map(([model, m]) => modelRow(model, m));
  const unpriced = report.unpriced_models.length > 0 ? '+?' : '';
  const { cost_usd: cost } = report;
  const total = [
    'total',
    int(report.requests),
    int(report.input_tokens),
    int(report.max_output_tokens),
    usd(cost.min) + unpriced,
    cost.expected === null ? '—' : usd(cost.expected) + unpriced,
    usd(cost.max) + unpriced,
  ];
  const out = [textTable([COLUMNS, ...rows, total])];
  out.push(`input tokens: ${METHODS[report.method]}`);
  const tier = prices.tier === 'batch' ? 'Message Batches prices (50 %)' : 'standard prices';
  out.push(`${tier}, checked ${prices.checked}; max: every request uses all its max_tokens`);
  out.push(...cacheLines(report.cache));
  if (cost.expected === null) {
    out.push('expected: give --assume-output-tokens N, --assume-output-ratio R or --calibrate RESULTS.jsonl');
  }
  if (report.unpriced_models.length > 0) {
    const names = report.unpriced_models.map((m) => `"${m}"`).join(', ');
    out.push(`no price for ${names}: counted, not priced (the totals leave them out; see --pricing)`);
  }
  const invalid = report.invalid_lines;
  if (invalid.length > 0) {
    const lines = invalid.length === 1 ? 'line' : 'lines';
    out.push(`${int(invalid.length)} invalid ${lines}, not counted (a run writes them as errored results):`);
    out.push(...invalid.slice(0, INVALID_SHOWN).map((l) => `  ${l.message}`));
    if (invalid.length > INVALID_SHOWN)
      out.push(`  ... and ${int(invalid.length - INVALID_SHOWN)} more (--json lists all)`);
  }
  return `${out.join('\n')}\n`;
}

/** What the prompt cache saves as the file is, and what `--cache auto` would save more. */
function cacheLines(cache: CacheEstimateReport): string[] {
  const out: string[] = [];
  if (cache.groups > 0) {
    const groups = cache.groups === 1 ? '1 prefix group' : `${int(cache.groups)} prefix groups`;
    out.push(
      `prompt cache: ${groups}, each priced as one write then reads (${int(cache.write_tokens)} tokens written, ${int(cache.read_tokens)} read): ${usd(cache.saved_usd)} less than no caching, in min and expected`,
    );
  }
  if (cache.auto_saves_usd > 0) {
    out.push(
      `--cache auto would save about ${usd(cache.auto_saves_usd)} more: ${int(cache.auto_requests)} requests share tools+system prefixes long enough to cache that they do not mark`,
    );
  }
  return out;
}

function modelRow(model: string, m: ModelEstimate): string[] {
  const { min, max, expected } = m.cost_usd;
  const money = (n: number | null) => (n === null ? 'unknown' : usd(n));
  return [
    model,
    int(m.requests),
    int(m.input_tokens),
    int(m.max_output_tokens),
    money(min),
    min === null ? 'unknown' : expected === null ? '—' : usd(expected),
    money(max),
  ];
}
