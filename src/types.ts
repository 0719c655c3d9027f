/**
 * The shapes lp-batch reads and writes, in the Messages API's own words.
 * Only what lp-batch relies on is typed; everything else passes through untouched.
 */

/** A path as lp-batch opens it (absolute), and as messages name it (as given on the command line). */
export interface ShownPath {
  path: string;
  shown: string;
}

/** A Messages API request body (`params` of a Message Batches item). */
export interface MessageParams {
  model: string;
  max_tokens: number;
  messages: unknown[];
  stream?: boolean;
  [key: string]: unknown;
}

/** One request read from the input file, ready to send. */
export interface BatchRequest {
  custom_id: string;
  /** 1-based line number in the input file. */
  line: number;
  params: MessageParams;
  /**
   * The line's own `metadata` (batch-item and OpenAI-style lines): never sent, carried to the
   * line's result. A bare request's `metadata` is the API's parameter and stays in `params`.
   */
  metadata?: Record<string, unknown>;
}

export interface CacheCreation {
  ephemeral_5m_input_tokens?: number;
  ephemeral_1h_input_tokens?: number;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: CacheCreation | null;
  [key: string]: unknown;
}

export interface ContentBlock {
  type: string;
  [key: string]: unknown;
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: Usage;
  [key: string]: unknown;
}

/**
 * The error types of Anthropic's Messages API: the only ones lp-batch writes in a result's
 * `error.error.type`, so that tools switching on that union keep working.
 */
export const ANTHROPIC_ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
] as const;

export type AnthropicErrorType = (typeof ANTHROPIC_ERROR_TYPES)[number];

/**
 * lp-batch's own, finer word for why a request failed, written beside the result as `error_kind`:
 * - `http_error`: the gateway answered an error status;
 * - `stream_error`: an `event: error` inside a 200 stream;
 * - `connection`: no usable response (refused, reset, closed, a body or stream cut short);
 * - `timeout`: `--timeout` or `--idle-timeout` passed;
 * - `invalid_response`: a 2xx whose body is not a Messages API message;
 * - `response_too_large`: a body over `--max-response-bytes`;
 * - `invalid_input`: the line was refused before sending (bad JSON, a failed check, a repeated custom_id);
 * - `no_price`: not sent under `--max-cost`, because its model has no price;
 * - `batch_error`: a Message Batch ran the request and reported it errored (its error type says why);
 * - `internal`: a bug in lp-batch.
 */
export const ERROR_KINDS = [
  'http_error',
  'stream_error',
  'connection',
  'timeout',
  'invalid_response',
  'response_too_large',
  'invalid_input',
  'no_price',
  'batch_error',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export interface ErrorBody {
  type: 'error';
  error: { type: string; message: string; details?: unknown };
  request_id: string | null;
}

/** A line of the results file for a request that succeeded. */
export interface SucceededLine {
  custom_id: string;
  line: number;
  /**
   * The model the request asked for (`--model` filled in), or null when its line named none (a line
   * that is not JSON, say). Absent in files written before it existed.
   */
  model?: string | null;
  /** The input line's own `metadata` (batch-item and OpenAI-style lines), unchanged. */
  metadata?: Record<string, unknown>;
  result: { type: 'succeeded'; message: Message };
  usage: Usage;
  cost_usd: number | null;
  attempts: number;
  latency_ms: number;
  ttft_ms?: number;
  params_hash?: string;
  /** The Message Batch that ran it (the batches engine only). */
  batch_id?: string;
}

/** A line of the results file for a request that failed for good. */
export interface ErroredLine {
  custom_id: string;
  line: number;
  /**
   * The model the request asked for (`--model` filled in), or null when its line named none (a line
   * that is not JSON, say). Absent in files written before it existed.
   */
  model?: string | null;
  /** The input line's own `metadata` (batch-item and OpenAI-style lines), unchanged. */
  metadata?: Record<string, unknown>;
  /** `error.error.type` is one of ANTHROPIC_ERROR_TYPES in what lp-batch writes (older files may hold others). */
  result: { type: 'errored'; error: ErrorBody };
  /** lp-batch's finer kind of the failure (absent in files written before it existed). */
  error_kind: ErrorKind;
  /** HTTP status of the last attempt; null when nothing was sent (local validation) or no response came. */
  status: number | null;
  attempts: number;
  latency_ms: number;
  params_hash?: string;
  /** The Message Batch that ran it (the batches engine only). */
  batch_id?: string;
}

/**
 * A line for a request that a Message Batch did not run: `canceled` (its batch was canceled first)
 * or `expired` (not run within the batch's 24 hours), as Anthropic's results format says it. Not
 * done: a later run sends it again.
 */
export interface NotRunLine {
  custom_id: string;
  line: number;
  /** The model the request asked for, or null when its line named none (see `SucceededLine`). */
  model?: string | null;
  /** The input line's own `metadata` (batch-item and OpenAI-style lines), unchanged. */
  metadata?: Record<string, unknown>;
  result: { type: NotRunType };
  attempts: number;
  latency_ms: number;
  params_hash?: string;
  batch_id?: string;
}

/** What a Message Batch may leave a request as, besides succeeded and errored. */
export type NotRunType = 'canceled' | 'expired';

/** How many of a Message Batch's requests are in each state (`request_counts` of the API's batch object). */
export interface RequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

export type ResultLine = SucceededLine | ErroredLine | NotRunLine;
