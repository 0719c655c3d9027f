/**
 * What JSON.parse accepts but lp-batch cannot send as it was written, checked on the parsed value
 * before anything recursive (the schema, JSON.stringify, the results writer) touches it:
 * nesting deeper than {@link MAX_DEPTH}, which would overflow the stack as "Maximum call stack
 * size exceeded"; a number beyond a double's range (`1e400` parses to Infinity, which
 * JSON.stringify would send as `null`); a lone UTF-16 surrogate (`"\ud800"`), which the API
 * rejects as invalid JSON.
 */
import { formatPath, type Issue, showValue } from './schema-kit.js';

declare global {
  interface String {
    /** ES2024 (Node 20+); the ES2023 lib this project compiles against does not declare it. */
    isWellFormed(): boolean;
  }
}

/**
 * Arrays and objects nested deeper than this are refused. Far beyond any real request, and far
 * below where JSON.stringify overflows Node's default stack (about 4,000 levels).
 */
export const MAX_DEPTH = 1000;

/** Unsendable values reported per request at most: one message line must stay readable. */
const SHOWN_UNSENDABLE = 5;

/** Paths deeper than this are cut in messages: a path 1,000 levels deep helps nobody. */
const SHOWN_SEGMENTS = 8;

/** What {@link checkJsonLimits} found. */
export interface JsonLimits {
  /** Nesting deeper than {@link MAX_DEPTH}: nothing recursive may touch the value. */
  tooDeep: Issue | null;
  /** Values that cannot be sent as written (a number too large, a lone surrogate), the first few. */
  unsendable: Issue[];
}

/**
 * Walk `value` once, visiting every array, object, key, string and number; paths start at
 * `prefix`. Stops at the first level too deep.
 */
export function checkJsonLimits(value: unknown, prefix: string): JsonLimits {
  const walk: Walk = { prefix, path: [], found: { tooDeep: null, unsendable: [] } };
  visit(walk, value, null);
  return walk.found;
}

interface Walk {
  prefix: string;
  /** Keys from the value down to the container being visited. */
  path: PropertyKey[];
  found: JsonLimits;
}

/**
 * Check `item` (under key `at` of the current container; null for the value itself), and what it
 * holds. False once a level is too deep. Recursion bounded by MAX_DEPTH: a thousand frames this
 * small are far from the stack's end, and it is several times faster than an explicit stack.
 */
function visit(walk: Walk, item: unknown, at: PropertyKey | null): boolean {
  if (typeof item === 'string') {
    if (!item.isWellFormed()) note(walk, at, loneSurrogate('well-formed Unicode text', item));
    return true;
  }
  if (typeof item === 'number') {
    if (!Number.isFinite(item)) note(walk, at, `expected a finite number, got ${showValue(item)}`);
    return true;
  }
  if (typeof item !== 'object' || item === null) return true;
  const { path } = walk;
  if (at !== null) path.push(at);
  let keepGoing = path.length < MAX_DEPTH;
  if (!keepGoing) {
    const message = `nested too deeply: expected at most ${MAX_DEPTH} levels of arrays and objects, got more`;
    walk.found.tooDeep = { path: shownPath(walk.prefix, path), message };
  } else if (Array.isArray(item)) {
    for (let index = 0; keepGoing && index < item.length; index += 1)
      keepGoing = visit(walk, item[index], index);
  } else {
    const record = item as Record<string, unknown>;
    // for...in is the fastest walk over keys; a parsed JSON object has no inherited enumerable ones.
    for (const key in record) {
      if (!key.isWellFormed()) note(walk, key, loneSurrogate('a well-formed key', key));
      keepGoing = visit(walk, record[key], key);
      if (!keepGoing) break;
    }
  }
  if (at !== null) path.pop();
  return keepGoing;
}

function note(walk: Walk, at: PropertyKey | null, message: string): void {
  const { unsendable } = walk.found;
  if (unsendable.length >= SHOWN_UNSENDABLE) return;
  unsendable.push({ path: shownPath(walk.prefix, at === null ? walk.path : [...walk.path, at]), message });
}

function loneSurrogate(expected: string, text: string): string {
  let at = 0;
  while (at < text.length) {
    const unit = text.charCodeAt(at);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const next = text.charCodeAt(at + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) at += 2;
    else if (isHigh || (unit >= 0xdc00 && unit <= 0xdfff)) break;
    else at += 1;
  }
  const hex = text.charCodeAt(at).toString(16);
  return `expected ${expected}, got a lone surrogate \\u${hex} at character ${at}`;
}

/** `path` after `prefix`, cut after {@link SHOWN_SEGMENTS} segments. */
function shownPath(prefix: string, path: readonly PropertyKey[]): string {
  const cut = path.length > SHOWN_SEGMENTS;
  return formatPath(prefix, cut ? path.slice(0, SHOWN_SEGMENTS) : path) + (cut ? '...' : '');
}
