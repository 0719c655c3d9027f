/**
 * The shapes lp-batch reads and writes, in the Messages API's own words.
 * Only what lp-batch relies on is typed; everything else passes through untouched.
 */

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
  result: { type: 'succeeded'; message: Message };
  usage: Usage;
  cost_usd: number | null;
  attempts: number;
  latency_ms: number;
  ttft_ms?: number;
  params_hash?: string;
}

/** A line of the results file for a request that failed for good. */
export interface ErroredLine {
  custom_id: string;
  line: number;
  result: { type: 'errored'; error: ErrorBody };
  /** HTTP status of the last attempt; null when nothing was sent (local validation) or no response came. */
  status: number | null;
  attempts: number;
  latency_ms: number;
  params_hash?: string;
}

export type ResultLine = SucceededLine | ErroredLine;
