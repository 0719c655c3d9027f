/**
 * One input line → one request to send, or the reason it cannot be sent. Three line formats:
 *  (a) `{"custom_id", "params": {...}, "metadata"?}`  — Anthropic's Message Batches item;
 *  (b) a bare Messages request;
 *  (c) `{"custom_id", "method": "POST", "url": "/v1/messages", "body": {...}, "metadata"?}`.
 * In every format the request's fields are named `params.<field>` in messages. The `metadata` of
 * (a) and (c) is the line's own, never sent; in (b) `metadata` is the API's parameter.
 * Returns data, never throws: a bad line becomes an errored result, and the run goes on.
 */
import type { BatchRequest } from '../types.js';
import { checkJsonLimits } from './json-limits.js';
import { type Issue, showValue } from './schema-kit.js';
import { validateParams } from './schema.js';
import type { InvalidUtf8 } from './utf8.js';
import { isRecord } from '../is-record.js';

/** Fill-ins for lines that lack them (`--model`, `--max-tokens`), and how every line is sent. */
export interface LineDefaults {
  model?: string | undefined;
  maxTokens?: number | undefined;
  /** `--header` names an interleaved-thinking beta: see RuleOptions. */
  interleavedThinking?: boolean | undefined;
}

/**
 * Keys by which a line might try to set request headers (the SDK's option is `extra_headers`):
 * refused, since headers are the run's (`--header`), the same for every request.
 */
const HEADER_KEYS = ['headers', 'extra_headers'] as const;

type Metadata = Record<string, unknown>;

export type ParsedLine =
  | { ok: true; request: BatchRequest; unknownKeys: string[]; warnings: Issue[] }
  | {
      ok: false;
      custom_id: string;
      line: number;
      message: string;
      /** The line's own metadata, when it could be read, for its errored result. */
      metadata?: Metadata;
    };

/** The custom_id rule of the Message Batches API. */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The name of a line that has no usable custom_id of its own: `line-<N>`, N its line number. The
 * name belongs to line N for good: no other line may take it (see ../run/intake.ts).
 */
export function autoCustomId(line: number): string {
  return `line-${line}`;
}

/** The line whose automatic name `custom_id` is (`line-3` → 3), or null when it is no line's. */
export function lineOfAutoCustomId(custom_id: string): number | null {
  const match = /^line-([1-9][0-9]*)$/.exec(custom_id);
  return match ? Number(match[1]) : null;
}

/**
 * The name line `line` asks for, by the rule `parseRequestLine` applies, without checking the rest
 * of the line: its own `custom_id` when the line is a JSON object whose `custom_id` is absent or
 * matches the pattern (absent: `line-<N>`), else `line-<N>`. Whether it gets it is the naming
 * rule's call (see ./line-names.ts).
 */
export function wantedCustomId(text: string, line: number): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return autoCustomId(line);
  }
  const rawId = isRecord(value) ? value.custom_id : undefined;
  return typeof rawId === 'string' && isUsableCustomId(rawId) ? rawId : autoCustomId(line);
}

/** Absent, or a string of the Message Batches pattern. */
function isUsableCustomId(rawId: unknown): rawId is string | undefined {
  return rawId === undefined || (typeof rawId === 'string' && CUSTOM_ID_PATTERN.test(rawId));
}

/** How every path to a request field starts, whatever the line's format. */
const PARAMS = 'params';

/**
 * Parses and validates line `line` of `file`. Messages read `file:line: field.path: what is wrong`.
 * `invalidUtf8` is what the reader found when the line's bytes are not UTF-8: the line is then
 * refused, under its own custom_id when its JSON can still be read.
 */
export function parseRequestLine(
  text: string,
  line: number,
  file: string,
  defaults: LineDefaults,
  invalidUtf8?: InvalidUtf8,
): ParsedLine {
  const fallbackId = autoCustomId(line);
  const fail = (custom_id: string, detail: string, metadata?: Metadata): ParsedLine => ({
    ok: false,
    custom_id,
    line,
    message: `${file}:${line}: ${detail}`,
    ...(metadata === undefined ? {} : { metadata }),
  });
  const encoding =
    invalidUtf8 &&
    `not valid UTF-8: byte 0x${invalidUtf8.byte.toString(16).padStart(2, '0')} at offset ${invalidUtf8.offset} of the line`;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(fallbackId, encoding ?? `not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) return fail(fallbackId, encoding ?? `expected a JSON object, got ${describe(value)}`);

  const rawId = value.custom_id;
  const idIsValid = isUsableCustomId(rawId);
  const custom_id = idIsValid ? (rawId ?? fallbackId) : fallbackId;
  const { params, container, error } = locateParams(value);
  const metadata = readMetadata(value, container);
  const kept = 'value' in metadata ? metadata.value : undefined;
  // Bad bytes are the cause of whatever else is wrong: say that, under the line's own name if it has one.
  if (encoding) return fail(custom_id, encoding, kept);
  if (!idIsValid) {
    return fail(fallbackId, `custom_id: expected 1 to 64 of a-z A-Z 0-9 _ -, got ${showValue(rawId)}`, kept);
  }
  if ('error' in metadata) return fail(custom_id, metadata.error);
  if (error !== undefined) return fail(custom_id, error, kept);
  if (!isRecord(params)) {
    return fail(custom_id, `${container ?? PARAMS}: expected an object, got ${describe(params)}`, kept);
  }

  const headerKey = HEADER_KEYS.find((key) => key in value || key in params);
  if (headerKey !== undefined) {
    const path = headerKey in value && container !== null ? headerKey : `${PARAMS}.${headerKey}`;
    return fail(
      custom_id,
      `${path}: a line may not set request headers; give them to every request with --header 'Name: value'`,
      kept,
    );
  }

  if (params.model === undefined && defaults.model !== undefined) params.model = defaults.model;
  if (params.max_tokens === undefined && defaults.maxTokens !== undefined)
    params.max_tokens = defaults.maxTokens;

  const checked = validateParams(params, PARAMS, { interleavedThinking: defaults.interleavedThinking });
  if (!checked.ok) {
    const detail = checked.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return fail(custom_id, detail, kept);
  }
  const request: BatchRequest = { custom_id, line, params: checked.params };
  if (kept !== undefined) request.metadata = kept;
  return { ok: true, request, unknownKeys: checked.unknownKeys, warnings: checked.warnings };
}

type Container = 'params' | 'body' | null;

/**
 * Finds the Messages request inside a line of any of the three formats, and the key it is under
 * (null: the line is the request, less its `custom_id`); `error` when an OpenAI-style line asks for
 * another endpoint.
 */
function locateParams(value: Record<string, unknown>): {
  params: unknown;
  container: Container;
  error?: string;
} {
  if ('params' in value) return { params: value.params, container: 'params' };
  if (!('body' in value && ('url' in value || 'method' in value))) {
    // Only a bare request is copied: the other formats leave their custom_id outside the request.
    if (!('custom_id' in value)) return { params: value, container: null };
    const { custom_id: _id, ...request } = value;
    return { params: request, container: null };
  }
  const found = { params: value.body, container: 'body' } as const;
  if (value.method !== undefined && value.method !== 'POST') {
    return { ...found, error: `method: expected "POST", got ${showValue(value.method)}` };
  }
  if (value.url !== undefined && value.url !== '/v1/messages') {
    return { ...found, error: `url: expected "/v1/messages", got ${showValue(value.url)}` };
  }
  return found;
}

/**
 * The line's own `metadata` (formats (a) and (c)): an object, kept out of the request. In a bare
 * request (`container` null) `metadata` belongs to the request and is not read here.
 */
function readMetadata(
  value: Record<string, unknown>,
  container: Container,
): { value: Metadata | undefined } | { error: string } {
  const metadata = container === null ? undefined : value.metadata;
  if (metadata === undefined) return { value: undefined };
  if (!isRecord(metadata)) return { error: `metadata: expected an object, got ${describe(metadata)}` };
  const { tooDeep, unsendable } = checkJsonLimits(metadata, 'metadata');
  const issue = tooDeep ?? unsendable[0];
  if (issue) return { error: `${issue.path}: ${issue.message}` };
  return { value: metadata };
}

/** What a value is, for a line or a container that is not an object: `an array`, `number 5`. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `${typeof value} ${showValue(value)}`;
}
