/**
 * Reading one complete line of a results file: just the fields the resume index needs,
 * and a refusal that says which file, which line and what is wrong when it is not ours.
 */
import { ResultsFileError } from '../errors.js';
import { shorten, showValue } from '../shorten.js';
import {
  type AnthropicErrorType,
  ERROR_KINDS,
  type ErrorKind,
  type NotRunType,
  type Usage,
} from '../types.js';
import { anthropicErrorType, legacyErrorKind } from './result-line.js';
import { fingerprintMetadata } from './params-hash.js';
import { isRecord } from '../is-record.js';

/** What the resume index keeps of one results line (never the message itself). */
export interface ResultFields {
  custom_id: string;
  /** `canceled` and `expired` (a Message Batch did not run the request) are not done: a later run sends them. */
  type: ResultType;
  /** `params_hash` of the line, or null when the line has none (written before hashing existed). */
  params_hash: string | null;
  /** 1-based line number of the request in the input file. */
  line: number;
  /** For the summary of a resumed run: the usage of a succeeded line (null otherwise or when absent). */
  usage: Usage | null;
  /** The model that answered (`result.message.model`), or null. */
  model: string | null;
  /**
   * Anthropic's type of an errored line (`result.error.error.type`; `api_error` for the types of
   * lp-batch's own an older version wrote there), or null.
   */
  error_type: AnthropicErrorType | null;
  /** `error_kind` of an errored line (derived from its type and status in older files), or null. */
  error_kind: ErrorKind | null;
  /** `fingerprintMetadata` of the line's `metadata`, or null when it has none. */
  metadata_hash: number | null;
  /** Whether a Message Batch ran it (the line has a `batch_id`): its usage is priced at the batch tier. */
  batch: boolean;
}

/** What a results line may say of its request, as Anthropic's Message Batches results format says it. */
export type ResultType = 'succeeded' | 'errored' | NotRunType;

const RESULT_TYPES: ReadonlySet<string> = new Set<ResultType>([
  'succeeded',
  'errored',
  'canceled',
  'expired',
]);

/** Longest excerpt of a bad value or line quoted in an error message. */
const PREVIEW_CHARS = 60;

/**
 * Parse the text of one complete results line (without its line ending).
 * @param text the line, CR and LF already removed
 * @param where `file:line` of the line in the results file, used in error messages
 * @throws ResultsFileError when the line is not JSON or not shaped like lp-batch output
 */
export function parseResultLine(text: string, where: string): ResultFields {
  return readResultLine(text, where).fields;
}

/** lp-batch writes `custom_id` first, as a plain string: read it there without parsing the line. */
const LEADING_CUSTOM_ID = /^\{"custom_id":"([a-zA-Z0-9_-]{1,64})",/;

/**
 * The `custom_id` of a results line: from its first bytes when lp-batch wrote it (no parse: a pass
 * that only needs ids stays several times cheaper than one that reads whole lines), else from
 * `parseResultLine`. Lines it reads from their first bytes are not checked further.
 * @throws ResultsFileError as `parseResultLine`, for a line it has to parse
 */
export function customIdOfResultLine(text: string, where: string): string {
  const id = LEADING_CUSTOM_ID.exec(text)?.[1];
  // A match may be a slice of the whole line, which a map of ids would then keep: copy it.
  return id === undefined ? parseResultLine(text, where).custom_id : (' ' + id).slice(1);
}

/** Everything a report of the line needs: `lp-batch summarize`, the JUnit report. */
export interface ResultRecord extends Pick<
  ResultFields,
  'custom_id' | 'type' | 'line' | 'usage' | 'model' | 'error_type' | 'error_kind' | 'batch'
> {
  /**
   * The model the request asked for (`model` of the line; null: the line named none), or undefined
   * in files written before lp-batch wrote it.
   */
  asked_model: string | null | undefined;
  /** `cost_usd` of a succeeded line (null: no price, or an errored line). */
  cost_usd: number | null;
  /** Times the request was sent (0: never sent). */
  attempts: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  /** HTTP status of the last attempt of an errored line (null: never sent, or no response). */
  status: number | null;
  /** `error.error.message` of an errored line, or null. */
  error_message: string | null;
  /** `error.request_id` of an errored line, or null. */
  request_id: string | null;
}

/**
 * Parse one complete results line with every field a report of it needs. Lenient about the
 * report's fields (a file of an older lp-batch may lack them), as strict as `parseResultLine` about
 * what makes the line lp-batch output.
 * @throws ResultsFileError as `parseResultLine`
 */
export function parseResultRecord(text: string, where: string): ResultRecord {
  const { fields, value, result } = readResultLine(text, where);
  const error = isRecord(result.error) ? result.error : null;
  const inner = error !== null && isRecord(error.error) ? error.error : null;
  const asked = value.model;
  // Property by property: a spread of `fields` here costs several times the parse of the line.
  return {
    custom_id: fields.custom_id,
    type: fields.type,
    line: fields.line,
    usage: fields.usage,
    model: fields.model,
    error_type: fields.error_type,
    error_kind: fields.error_kind,
    batch: fields.batch,
    asked_model: typeof asked === 'string' || asked === null ? asked : undefined,
    cost_usd: numberOrNull(value.cost_usd),
    attempts: numberOrNull(value.attempts) ?? 1,
    latency_ms: numberOrNull(value.latency_ms),
    ttft_ms: numberOrNull(value.ttft_ms),
    status: numberOrNull(value.status),
    error_message: typeof inner?.message === 'string' ? inner.message : null,
    request_id: typeof error?.request_id === 'string' ? error.request_id : null,
  };
}

/** The checks of a results line, and the line itself for whoever wants more of it. */
function readResultLine(
  text: string,
  where: string,
): { fields: ResultFields; value: Record<string, unknown>; result: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw refuse(where, `the line is not JSON (${reason}): ${shorten(text, PREVIEW_CHARS)}`, error);
  }
  if (!isRecord(value)) {
    throw refuse(where, `expected a JSON object, got ${describe(value)}`);
  }
  const { custom_id, result, line, params_hash } = value;
  if (typeof custom_id !== 'string') {
    throw refuse(where, `expected \`custom_id\` to be a string, got ${describe(custom_id)}`);
  }
  if (!isRecord(result)) {
    throw refuse(where, `expected \`result\` to be an object, got ${describe(result)}`);
  }
  const type = result.type;
  if (typeof type !== 'string') {
    throw refuse(where, `expected \`result.type\` to be a string, got ${describe(type)}`);
  }
  // The four types of Anthropic's results format; the batches engine writes `canceled` and `expired`.
  if (!RESULT_TYPES.has(type)) {
    throw refuse(
      where,
      `expected \`result.type\` to be "succeeded", "errored", "canceled" or "expired", got ${describe(type)}`,
    );
  }
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) {
    throw refuse(where, `expected \`line\` to be a positive integer, got ${describe(line)}`);
  }
  if (params_hash !== undefined && params_hash !== null && typeof params_hash !== 'string') {
    throw refuse(where, `expected \`params_hash\` to be a string, got ${describe(params_hash)}`);
  }
  const fields: ResultFields = {
    custom_id,
    type: type as ResultType,
    params_hash: params_hash ?? null,
    line,
    ...summaryFields(value, result),
  };
  return { fields, value, result };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The few numbers a resumed run's summary needs; lenient, since they never decide anything. */
function summaryFields(value: Record<string, unknown>, result: Record<string, unknown>) {
  const usage =
    isRecord(value.usage) && typeof value.usage.input_tokens === 'number' ? (value.usage as Usage) : null;
  const message = isRecord(result.message) ? result.message : null;
  const error = isRecord(result.error) && isRecord(result.error.error) ? result.error.error : null;
  const type = typeof error?.type === 'string' ? error.type : null;
  const status = typeof value.status === 'number' ? value.status : null;
  const kind = (ERROR_KINDS as readonly unknown[]).includes(value.error_kind)
    ? (value.error_kind as ErrorKind)
    : legacyErrorKind(type, status);
  return {
    usage,
    model: typeof message?.model === 'string' ? message.model : null,
    error_type: result.type === 'errored' ? anthropicErrorType(type) : null,
    error_kind: result.type === 'errored' ? kind : null,
    metadata_hash: isRecord(value.metadata) ? fingerprintMetadata(value.metadata) : null,
    batch: typeof value.batch_id === 'string',
  };
}

function refuse(where: string, what: string, cause?: unknown): ResultsFileError {
  const message = `${where}: not an lp-batch results file: ${what}`;
  return new ResultsFileError(message, cause === undefined ? undefined : { cause });
}

/** A short rendering of a value for an error message; never serialises a whole (maybe huge) object. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return showValue(value, PREVIEW_CHARS);
}
