/**
 * A tool input that fits the tool's `input_schema`, for a forced `tool_choice`: deterministic,
 * built from the schema alone (and a seed text for strings), so a test can predict it.
 */
import { isRecord } from '../is-record.js';

/** Deeper than this (a recursive `$ref`), values stop growing: objects and arrays come out empty. */
const MAX_DEPTH = 8;

/**
 * A value for `schema`: `const`, else `default`, else the first of `examples` or `enum`, else by
 * type: every declared property of an object (required or not; nested objects likewise), arrays
 * of `max(1, minItems)` items, strings from `text` padded to `minLength` and cut to `maxLength`
 * (or the shape of a known `format`), integers and numbers from their bounds (1 and 1.5 without),
 * `true`, `null`. `anyOf`/`oneOf` take their first choice, `allOf` merges its parts, and local
 * `$ref`s (`#/$defs/X`, `#/definitions/X`) are followed.
 */
export function exampleForSchema(schema: unknown, text: string): unknown {
  return valueFor(schema, { root: schema, text, depth: 0 });
}

interface Walk {
  root: unknown;
  text: string;
  depth: number;
}

function valueFor(schema: unknown, walk: Walk): unknown {
  if (!isRecord(schema)) return {};
  const resolved = resolveSchema(schema, walk);
  if ('const' in resolved) return resolved.const;
  if ('default' in resolved) return resolved.default;
  if (Array.isArray(resolved.examples) && resolved.examples.length > 0) return resolved.examples[0];
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return resolved.enum[0];
  const deeper = { ...walk, depth: walk.depth + 1 };
  switch (typeOf(resolved)) {
    case 'object':
      return objectFor(resolved, deeper);
    case 'array':
      return arrayFor(resolved, deeper);
    case 'integer':
      return numberFor(resolved, true);
    case 'number':
      return numberFor(resolved, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(resolved, walk.text);
  }
}

/** Follow `$ref`, take the first of `anyOf`/`oneOf`, merge `allOf`. */
function resolveSchema(schema: Record<string, unknown>, walk: Walk): Record<string, unknown> {
  let current = schema;
  for (let hops = 0; hops < MAX_DEPTH; hops++) {
    if (typeof current.$ref === 'string') {
      const { $ref, ...rest } = current;
      current = { ...lookUpRef(walk.root, $ref), ...rest };
    } else if (Array.isArray(current.anyOf ?? current.oneOf)) {
      const { anyOf, oneOf, ...rest } = current;
      const first: unknown = ((anyOf ?? oneOf) as unknown[])[0];
      current = { ...(isRecord(first) ? first : {}), ...rest };
    } else if (Array.isArray(current.allOf)) {
      const { allOf, ...rest } = current;
      current = mergeAll([...(allOf as unknown[]), rest]);
    } else {
      return current;
    }
  }
  return current;
}

function lookUpRef(root: unknown, ref: string): Record<string, unknown> {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = isRecord(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  }
  return isRecord(node) ? node : {};
}

function mergeAll(parts: unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const part of parts) {
    if (!isRecord(part)) continue;
    Object.assign(merged, part);
    if (isRecord(part.properties)) Object.assign(properties, part.properties);
    if (Array.isArray(part.required)) for (const name of part.required) required.add(String(name));
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

function typeOf(schema: Record<string, unknown>): string {
  const type: unknown = Array.isArray(schema.type)
    ? ((schema.type as unknown[]).find((t) => t !== 'null') ?? 'null')
    : schema.type;
  if (typeof type === 'string') return type;
  if (isRecord(schema.properties) || Array.isArray(schema.required)) return 'object';
  if ('items' in schema || 'prefixItems' in schema) return 'array';
  return 'string';
}

function objectFor(schema: Record<string, unknown>, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (walk.depth > MAX_DEPTH) return out;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  for (const name of [...Object.keys(properties), ...required]) {
    if (!(name in out)) out[name] = valueFor(properties[name] ?? {}, { ...walk, text: name });
  }
  return out;
}

function arrayFor(schema: Record<string, unknown>, walk: Walk): unknown[] {
  if (walk.depth > MAX_DEPTH) return [];
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 1;
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
  const count = Math.min(Math.max(minItems, prefix.length, 1), maxItems);
  return Array.from({ length: count }, (_, i) => valueFor(prefix[i] ?? schema.items ?? {}, walk));
}

function numberFor(schema: Record<string, unknown>, integer: boolean): number {
  const num = (key: string, shift = 0): number | undefined =>
    typeof schema[key] === 'number' ? schema[key] + shift : undefined;
  // An exclusive bound moves inwards by one step: 1 for integers, 0.5 for numbers.
  const step = integer ? 1 : 0.5;
  const low = num('minimum') ?? num('exclusiveMinimum', step);
  const high = num('maximum') ?? num('exclusiveMaximum', -step);
  let value = low ?? Math.min(high ?? Number.POSITIVE_INFINITY, integer ? 1 : 1.5);
  if (integer) value = Math.ceil(value);
  const multiple = num('multipleOf');
  if (multiple !== undefined && multiple > 0) value = Math.ceil(value / multiple) * multiple;
  return value;
}

const FORMATS: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T00:00:00Z',
  date: '2025-01-01',
  time: '00:00:00Z',
  email: 'mock@example.com',
  uri: 'https://example.com/mock',
  url: 'https://example.com/mock',
  uuid: '00000000-0000-4000-8000-000000000000',
};

function stringFor(schema: Record<string, unknown>, text: string): string {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  let value = format ?? `mock ${text}`;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  while (value.length < minLength) value += 'x';
  return Array.from(value).slice(0, maxLength).join('');
}
