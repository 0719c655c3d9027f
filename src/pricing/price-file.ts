/**
 * `--pricing FILE`: a JSON file in the shape of prices.json whose models and aliases override or
 * extend the built-in table. Checked with zod before anything is priced: a bad entry is named by
 * its path and value, and the command stops (a UsageError, exit 2).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { expecting, formatPath } from '../input/schema-kit.js';
import { showValue } from '../shorten.js';
import {
  DEFAULT_PRICES,
  type ModelPrice,
  type PriceData,
  PriceTable,
  type PriceTier,
} from './price-table.js';

/** Multipliers on the input price for cache prices a file leaves out (Anthropic's for most models). */
const CACHE_MULTIPLIERS = { cache_write_5m: 1.25, cache_write_1h: 2, cache_read: 0.1 } as const;

/** Most problems quoted in one message: a file that is wrong everywhere is not worth a page of text. */
const MAX_ISSUES_SHOWN = 5;

const usdPerMillion = z.number(expecting('a number >= 0 (USD per million tokens)')).min(0, {
  error: (issue) => `expected a number >= 0 (USD per million tokens), got ${showValue(issue.input)}`,
});

const modelPriceSchema = z.strictObject(
  {
    input: usdPerMillion,
    output: usdPerMillion,
    cache_write_5m: usdPerMillion.optional(),
    cache_write_1h: usdPerMillion.optional(),
    cache_read: usdPerMillion.optional(),
  },
  expecting('an object of prices {input, output, cache_write_5m?, cache_write_1h?, cache_read?}'),
);

const nameSchema = z.string(expecting('a non-empty string')).min(1, expecting('a non-empty string'));

const priceFileSchema = z.strictObject(
  {
    $comment: z.string(expecting('a string')).optional(),
    checked: z
      .string(expecting('a date YYYY-MM-DD'))
      .regex(/^\d{4}-\d{2}-\d{2}$/, expecting('a date YYYY-MM-DD'))
      .optional(),
    models: z.record(nameSchema, modelPriceSchema, expecting('an object of model → prices')).optional(),
    aliases: z.record(nameSchema, nameSchema, expecting('an object of alias → model')).optional(),
  },
  expecting('an object with `models` and/or `aliases`'),
);

/** What a price file gives, checked: its models (cache prices filled in) and aliases. */
export interface PriceOverrides {
  checked?: string | undefined;
  models: Record<string, ModelPrice>;
  aliases: Record<string, string>;
}

/**
 * Check the parsed JSON of a price file. Returns every problem as `path: what is wrong` (paths as
 * `models["claude-x"].input`), or the overrides. Cache prices left out are derived from the input
 * price (5 min write 1.25x, 1 h write 2x, read 0.1x).
 */
export function parsePriceFile(
  value: unknown,
): { ok: true; overrides: PriceOverrides } | { ok: false; issues: string[] } {
  const parsed = priceFileSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((issue) => describeIssue(issue, value)) };
  }
  const models: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(parsed.data.models ?? {})) {
    models[model] = {
      input: price.input,
      output: price.output,
      cache_write_5m: price.cache_write_5m ?? price.input * CACHE_MULTIPLIERS.cache_write_5m,
      cache_write_1h: price.cache_write_1h ?? price.input * CACHE_MULTIPLIERS.cache_write_1h,
      cache_read: price.cache_read ?? price.input * CACHE_MULTIPLIERS.cache_read,
    };
  }
  return {
    ok: true,
    overrides: { checked: parsed.data.checked, models, aliases: parsed.data.aliases ?? {} },
  };
}

/**
 * `base` with `overrides` laid over it: a model of the file replaces the table's price of that model
 * or adds one; an alias is added or redirected. Every alias must name a model of the result, and no
 * name may be both a model and an alias. The file's `checked` date, when given, is the result's.
 */
export function mergePrices(
  base: PriceData,
  overrides: PriceOverrides,
): { ok: true; data: PriceData } | { ok: false; issues: string[] } {
  const models = { ...base.models, ...overrides.models };
  const aliases = { ...base.aliases, ...overrides.aliases };
  // A model of the file hides a built-in alias of the same name: the file's word is the newer one.
  for (const model of Object.keys(overrides.models)) {
    if (!(model in overrides.aliases)) delete aliases[model];
  }
  const issues: string[] = [];
  for (const [alias, model] of Object.entries(overrides.aliases)) {
    const path = formatPath('aliases', [alias]);
    if (alias in models) issues.push(`${path}: "${alias}" is a model of the table, so it cannot be an alias`);
    else if (!(model in models)) {
      issues.push(`${path}: expected the name of a model of the table, got ${showValue(model)}`);
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, data: { checked: overrides.checked ?? base.checked, models, aliases } };
}

/**
 * The price table in use: the built-in one with `file` (relative to `cwd`) laid over it when given,
 * at `tier`. Throws a UsageError naming the file and each bad entry.
 */
export async function loadPriceTable(opts: {
  file?: string | undefined;
  cwd: string;
  tier?: PriceTier | undefined;
}): Promise<PriceTable> {
  const tier = opts.tier ?? 'standard';
  if (opts.file === undefined) return DEFAULT_PRICES.withTier(tier);
  const where = `--pricing ${opts.file}`;
  let text: string;
  try {
    text = await readFile(resolve(opts.cwd, opts.file), 'utf8');
  } catch (error) {
    throw new UsageError(`${where}: cannot read the file: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parsePriceFile(value);
  const merged = parsed.ok ? mergePrices(DEFAULT_PRICES.toData(), parsed.overrides) : parsed;
  if (!merged.ok) throw new UsageError(`${where}: ${joinIssues(merged.issues)}`);
  return new PriceTable(merged.data, tier);
}

function joinIssues(issues: readonly string[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).join('; ');
  const more = issues.length - MAX_ISSUES_SHOWN;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

/** One zod issue as `path: message`; an unknown key is named with the keys that are known. */
function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const at = valueAt(root, issue.path);
    const known =
      at === root ? 'checked, models, aliases' : 'input, output, cache_write_5m, cache_write_1h, cache_read';
    return issue.keys
      .map(
        (key) =>
          `${formatPath('', [...issue.path, key]).replace(/^\./, '')}: unknown field; expected ${known}`,
      )
      .join('; ');
  }
  const path = formatPath('', issue.path).replace(/^\./, '');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}
