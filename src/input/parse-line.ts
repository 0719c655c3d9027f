/**
 * One input line → one request to send, or the reason it cannot be sent. Three line formats:
 *  (a) `{"custom_id", "params": {...}}`  — Anthropic's Message Batches item;
 *  (b) a bare Messages request;
 *  (c) `{"custom_id", "method": "POST", "url": "/v1/messages", "body": {...}}`.
 * Returns data, never throws: a bad line becomes an errored result, and the run goes on.
 */
import type { BatchRequest, MessageParams } from '../types.js';
import { validateParams } from './schema.js';

/** Fill-ins for lines that lack them (`--model`, `--max-tokens`). */
export interface LineDefaults {
  model?: string | undefined;
  maxTokens?: number | undefined;
}

export type ParsedLine =
  | { ok: true; request: BatchRequest; unknownKeys: string[]; warnings: string[] }
  | { ok: false; custom_id: string; line: number; message: string };

/** The custom_id rule of the Message Batches API. */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Parses and validates line `line` of `file`. Messages read `file:line: field.path: what is wrong`. */
export function parseRequestLine(
  text: string,
  line: number,
  file: string,
  defaults: LineDefaults,
): ParsedLine {
  const fallbackId = `line-${line}`;
  const fail = (custom_id: string, detail: string): ParsedLine => ({
    ok: false,
    custom_id,
    line,
    message: `${file}:${line}: ${detail}`,
  });

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(fallbackId, `not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) return fail(fallbackId, `expected a JSON object, got ${describe(value)}`);

  const { custom_id: rawId, ...rest } = value;
  if (rawId !== undefined && (typeof rawId !== 'string' || !CUSTOM_ID_PATTERN.test(rawId))) {
    return fail(fallbackId, `custom_id: expected 1 to 64 of a-z A-Z 0-9 _ -, got ${preview(rawId)}`);
  }
  const custom_id = rawId ?? fallbackId;

  const located = locateParams(rest);
  if ('error' in located) return fail(custom_id, located.error);
  const { params, prefix } = located;
  if (!isObject(params)) return fail(custom_id, `${prefix}: expected an object, got ${describe(params)}`);

  if (params.model === undefined && defaults.model !== undefined) params.model = defaults.model;
  if (params.max_tokens === undefined && defaults.maxTokens !== undefined)
    params.max_tokens = defaults.maxTokens;

  const checked = validateParams(params, prefix);
  if (!checked.ok) {
    return fail(custom_id, checked.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  }
  return {
    ok: true,
    request: { custom_id, line, params: checked.params as MessageParams },
    unknownKeys: checked.unknownKeys,
    warnings: checked.warnings,
  };
}

/** Finds the Messages request inside a line of any of the three formats. */
function locateParams(
  value: Record<string, unknown>,
): { params: unknown; prefix: string } | { error: string } {
  if ('params' in value) return { params: value.params, prefix: 'params' };
  if ('body' in value && ('url' in value || 'method' in value)) {
    if (value.method !== undefined && value.method !== 'POST') {
      return { error: `method: expected "POST", got ${preview(value.method)}` };
    }
    if (value.url !== undefined && value.url !== '/v1/messages') {
      return { error: `url: expected "/v1/messages", got ${preview(value.url)}` };
    }
    return { params: value.body, prefix: 'body' };
  }
  return { params: value, prefix: '' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `${typeof value} ${preview(value)}`;
}

function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
