/**
 * The few helpers the request schema is built from: one message style for every failure
 * (`expected <what>, got <value>`), and `select`, a union that picks its branch by looking at
 * the value, so a failure deep inside a block keeps its full path.
 */
import { z } from 'zod';
import { showValue } from '../shorten.js';

// The one way lp-batch quotes a value in a message lives in ../shorten.ts; the schema's files import it from here.
export { showValue } from '../shorten.js';

/** One problem with a request: where (`params.messages[0].role`) and what. */
export interface Issue {
  path: string;
  message: string;
}

/** `a.b[2].c`: a key that is not an identifier is quoted, `a["x-y"]`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** The message for a value that is not what a field expects; an absent value is `required`. */
export function describeFailure(expected: string, input: unknown): string {
  return input === undefined ? 'required' : `expected ${expected}, got ${showValue(input)}`;
}

/**
 * Schema params whose every failure (type and checks alike) reads `expected <what>, got <value>`.
 * zod 4 falls back to the schema's own `error` for issues raised by its checks.
 */
export function expecting(expected: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => describeFailure(expected, issue.input) };
}

/** `one of "a" | "b"`, the way enum failures name their choices. */
export function oneOf(values: readonly string[]): string {
  return `one of ${values.map((value) => JSON.stringify(value)).join(' | ')}`;
}

/** A string from a fixed set, e.g. `role`. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expecting(oneOf(values)));
}

/** A string that must equal `value`, e.g. the `type` of a block once the block is chosen. */
export function constant<const T extends string>(value: T) {
  return z.literal(value, expecting(JSON.stringify(value)));
}

/** A plain string; `what` names it when more than "a string" helps the reader. */
export function text(what = 'a string') {
  return z.string(expecting(what));
}

/** A string with at least one character: the API refuses empty text, ids and names. */
export function nonEmptyText() {
  const NON_EMPTY = expecting('a non-empty string');
  return z.string(NON_EMPTY).min(1, NON_EMPTY);
}

/** Marks an issue that is a warning (a value sent as is), not a reason to reject the request. */
export const WARNING = 'lp-batch:warning';

/** What `select` does with a value: check it against a schema, fail it, or pass it with a warning. */
export type Selection =
  z.ZodType | { fail: string; path?: PropertyKey[] } | { warn: string; path?: PropertyKey[] };

/**
 * A union whose branch is chosen from the value itself (its JS type, its `type` field).
 * zod's own unions report "no branch matched" at the union's path; choosing first lets the
 * chosen branch report `messages[0].content[1].source.media_type` precisely. `pick` also
 * decides what is required: it sees `undefined` for an absent key.
 */
export function select(pick: (value: unknown) => Selection): z.ZodType {
  return z.unknown().check((payload) => {
    const report = (message: string, path: PropertyKey[] | undefined, warning: boolean): void => {
      payload.issues.push({
        code: 'custom',
        input: payload.value,
        message,
        path: path ?? [],
        // A warning does not abort, so sibling checks still run; validateParams sorts it out.
        ...(warning ? { params: { [WARNING]: true }, continue: true } : {}),
      });
    };
    const picked = pick(payload.value);
    if ('warn' in picked) return report(picked.warn, picked.path, true);
    if ('fail' in picked) return report(picked.fail, picked.path, false);
    const result = picked.safeParse(payload.value);
    for (const issue of result.error?.issues ?? []) {
      report(issue.message, issue.path, issue.code === 'custom' && issue.params?.[WARNING] === true);
    }
  });
}

/**
 * Choose a schema by the `type` field of an object. A missing or non-string `type`, or a
 * value that is not an object, fails with `expected`; an unknown type goes to `unknown`.
 */
export function byType(
  schemas: ReadonlyMap<string, z.ZodType>,
  expected: string,
  unknown: (type: string) => Selection,
): (value: unknown) => Selection {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { fail: describeFailure(expected, value) };
    }
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string') return { fail: describeFailure('a string', type), path: ['type'] };
    return schemas.get(type) ?? unknown(type);
  };
}
