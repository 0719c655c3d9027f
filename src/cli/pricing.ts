/**
 * `lp-batch pricing`: the price table in use (the built-in one, with `--pricing FILE` over it), as a
 * table or as JSON in the very shape `--pricing FILE` reads, so that it round-trips.
 */
import { resolveOptions } from '../options/define.js';
import { PRICING_OPTIONS, REPORT_OPTIONS } from '../options/shared.js';
import type { PriceData } from '../pricing/price-table.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { textTable } from './text-table.js';

const PRICING_COMMAND_OPTIONS = { ...PRICING_OPTIONS, ...REPORT_OPTIONS };

export const pricingCommand = defineCommand({
  command: 'pricing',
  describe:
    'Print the price table in use (USD per million tokens), with --pricing FILE over the built-in one',
  positionals: {},
  options: PRICING_COMMAND_OPTIONS,
  async handler(_positionals, given, io) {
    const { pricing, json } = resolveOptions(PRICING_COMMAND_OPTIONS, given);
    const { loadPriceTable } = await import('../pricing/price-file.js');
    const data = (await loadPriceTable({ file: pricing, cwd: io.cwd })).toData();
    io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : formatPrices(data));
    return EXIT.ok;
  },
});

const COLUMNS = ['model', 'input', 'output', 'cache write 5m', 'cache write 1h', 'cache read', 'aliases'];

/** The table for a person: one model a line, with the other names it goes by. */
export function formatPrices(data: PriceData): string {
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, model] of Object.entries(data.aliases)) {
    aliasesOf.set(model, [...(aliasesOf.get(model) ?? []), alias]);
  }
  const rows = Object.entries(data.models).map(([model, p]) => [
    model,
    ...[p.input, p.output, p.cache_write_5m, p.cache_write_1h, p.cache_read].map(String),
    (aliasesOf.get(model) ?? []).join(', '),
  ]);
  const heading = `USD per million tokens, checked ${data.checked}; Message Batches cost 50 % of these`;
  // Aliases are free text: left-aligned after the numbers.
  const table = textTable([COLUMNS.slice(0, -1), ...rows.map((r) => r.slice(0, -1))]).split('\n');
  const lines = table.map((line, i) =>
    `${line}  ${i === 0 ? 'aliases' : (rows[i - 1]?.[6] ?? '')}`.trimEnd(),
  );
  return `${heading}\n${lines.join('\n')}\n`;
}
