/**
 * Validate one Messages request body before it is sent: report every problem with its path
 * and the value received, never change the body.
 */
import type { MessageParams } from '../types.js';
import { checkJsonLimits } from './json-limits.js';
import { isPlainValidRequest } from './schema-fast.js';
import { formatPath, type Issue, WARNING } from './schema-kit.js';
import { KNOWN_PARAMS, paramsSchema } from './schema-params.js';
import { checkRequestRules, type RuleOptions } from './schema-rules.js';

export type { Issue } from './schema-kit.js';
export type { RuleOptions } from './schema-rules.js';

/** What validateParams found: the params to send, or the reasons not to send them. */
export type ParamsValidation =
  | { ok: true; params: MessageParams; unknownKeys: string[]; warnings: Issue[] }
  | { ok: false; issues: Issue[] };

/**
 * Check a Messages request body against the Messages API's shape and rules.
 *
 * On success `params` is the very object passed in (never a copy: the caller sends and hashes
 * it, so no field may be dropped or reordered), `unknownKeys` lists the top-level keys
 * lp-batch does not know (passed through), and `warnings` the values sent as is (a block of an
 * unknown type), each with its path; the same value gives the same `message` wherever it is, so a
 * caller can report it once. On failure every issue has its path (`params.max_tokens`) and a
 * message saying what was expected and what came (`expected a positive integer, got "64"`).
 *
 * Also refused, anywhere in the body: numbers beyond a double's range and lone surrogates (they
 * cannot be sent as written), and, before any other check, nesting deeper than 1,000 levels.
 *
 * @param params the parsed JSON of one request body
 * @param prefix the name paths start with; default `'params'`
 * @param options how the request is sent, where a rule depends on it (an interleaved-thinking beta)
 */
export function validateParams(
  params: unknown,
  prefix = 'params',
  options: RuleOptions = {},
): ParamsValidation {
  // The plainest requests, most of most files, are known valid without the schema (./schema-fast.ts).
  if (isPlainValidRequest(params))
    return { ok: true, params: params as MessageParams, unknownKeys: [], warnings: [] };
  return validateParamsFully(params, prefix, options);
}

/** `validateParams` without its fast path: the schema, the rules and the JSON limits, always. */
export function validateParamsFully(
  params: unknown,
  prefix = 'params',
  options: RuleOptions = {},
): ParamsValidation {
  const { tooDeep, unsendable } = checkJsonLimits(params, prefix);
  if (tooDeep) return { ok: false, issues: [tooDeep] };
  const result = paramsSchema.safeParse(params);
  const warnings: Issue[] = [];
  const issues: Issue[] = [];
  for (const issue of result.error?.issues ?? []) {
    const path = formatPath(prefix, issue.path);
    if (issue.code === 'custom' && issue.params?.[WARNING] === true)
      warnings.push({ path, message: issue.message });
    else issues.push({ path, message: issue.message });
  }
  const rules =
    typeof params === 'object' && params !== null && !Array.isArray(params)
      ? checkRequestRules(params as Record<string, unknown>, prefix, options)
      : [];
  // One issue per path: the schema's says most about a field it knows (`expected a positive
  // integer, got a number too large`); the rules and the limits speak for the rest.
  const reported = new Set(issues.map((issue) => issue.path));
  for (const issue of [...rules, ...unsendable]) {
    if (reported.has(issue.path)) continue;
    reported.add(issue.path);
    issues.push(issue);
  }
  if (issues.length > 0) return { ok: false, issues };
  // Only warnings can be left, and the schema accepted an object to get this far.
  const body = params as MessageParams;
  const unknownKeys = Object.keys(body).filter((key) => !KNOWN_PARAMS.has(key));
  return { ok: true, params: body, unknownKeys, warnings };
}
