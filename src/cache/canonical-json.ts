/**
 * JSON with its object keys sorted: two blocks that say the same thing in another key order give
 * the same text, so they fall in one cache prefix group (the API caches the prompt, not its JSON).
 */

/**
 * `value` (parsed JSON: no functions, no `toJSON`) as JSON text with sorted keys, `omit` left out of
 * the top-level object (a block's own `cache_control`, which marks a prefix without being part of it).
 */
export function canonicalJson(value: unknown, omit?: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const inner = record[key];
    if (key === omit || inner === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(inner)}`;
    first = false;
  }
  return `${out}}`;
}
