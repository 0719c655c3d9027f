/**
 * Validate one Messages request body before it is sent: report every problem with its path
 * and the value received, never change the body.
 */
import type { MessageParams } from '../types.js';
import { WARNING } from './schema-kit.js';
import { KNOWN_PARAMS, paramsSchema } from './schema-params.js';

/** What validateParams found: the params to send, or the reasons not to send them. */
export type ParamsValidation =
  | { ok: true; params: MessageParams; unknownKeys: string[]; warnings: string[] }
  | { ok: false; issues: Array<{ path: string; message: string }> };

/** `a.b[2].c`: a key that is not an identifier is quoted, `a["x-y"]`. */
function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/**
 * Check a Messages request body against the Messages API's shape.
 *
 * On success `params` is the very object passed in (never a copy: the caller sends and hashes
 * it, so no field may be dropped or reordered), `unknownKeys` lists the top-level keys
 * lp-batch does not know (passed through), and `warnings` the values sent as is (a block of an
 * unknown type), each as `path: message`. On failure every issue has its path (`params.max_tokens`)
 * and a message saying what was expected and what came (`expected a positive integer, got "64"`).
 *
 * @param params the parsed JSON of one request body
 * @param prefix the name paths start with; default `'params'`
 */
export function validateParams(params: unknown, prefix = 'params'): ParamsValidation {
  const result = paramsSchema.safeParse(params);
  const warnings: string[] = [];
  const issues: Array<{ path: string; message: string }> = [];
  for (const issue of result.error?.issues ?? []) {
    const path = formatPath(prefix, issue.path);
    if (issue.code === 'custom' && issue.params?.[WARNING] === true)
      warnings.push(`${path}: ${issue.message}`);
    else issues.push({ path, message: issue.message });
  }
  if (issues.length > 0) return { ok: false, issues };
  // Only warnings can be left, and the schema accepted an object to get this far.
  const body = params as MessageParams;
  const unknownKeys = Object.keys(body).filter((key) => !KNOWN_PARAMS.has(key));
  return { ok: true, params: body, unknownKeys, warnings };
}
