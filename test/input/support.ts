/** Shared by the schema tests: a minimal valid request, and the issues of a failed validation. */
import type { ParamsValidation } from '../../src/input/schema.js';

/** A minimal valid request, with `extra` merged over it. */
export function request(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hi' }],
    ...extra,
  };
}

/** The issues of a validation that must have failed, as `path: message` lines. */
export function issuesOf(result: ParamsValidation): string[] {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}
