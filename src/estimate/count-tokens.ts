/**
 * `--count-tokens api`: input tokens counted by the gateway's `POST /v1/messages/count_tokens`,
 * through the run's transport, retry loop and policy (`withRetries`, `classify`). The first request
 * is counted alone: a gateway that does not offer the endpoint says so once (404), and the estimate
 * goes on offline. A request the gateway cannot count is estimated offline, and counted in a warning.
 */
import type { Clock } from '../clock.js';
import type { Transport } from '../client/transport.js';
import { ApiError, UsageError } from '../errors.js';
import { classify } from '../retry/policy.js';
import { withRetries } from '../retry/with-retries.js';
import type { MessageParams } from '../types.js';
import type { EstimateMethod } from './tally.js';

/** What `count_tokens` accepts of a Messages request; generation parameters (`max_tokens`, ...) it refuses. */
const COUNTED_PARAMS = [
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'mcp_servers',
  'context_management',
  'output_config',
  'output_format',
] as const;

/** Statuses that, on the first request and not naming its model, mean "no such endpoint here". */
const ABSENT_STATUSES = new Set([404, 405, 501]);

export interface TokenCounterOptions {
  transport: Transport;
  retry: { maxRetries: number; maxRetryWaitMs: number };
  clock: Clock;
  /** Where the key came from, for the message when the gateway refuses it (never the key). */
  keySource: string;
  warn: (message: string) => void;
}

export class TokenCounter {
  readonly #opts: TokenCounterOptions;
  /** The first request's count: every other waits for it, so an absent endpoint is asked once. */
  #probe: Promise<number | null> | null = null;
  /** Why the gateway cannot count at all (its endpoint is absent), or null. */
  #absent: string | null = null;
  #fellBack = 0;
  #firstFailure: string | null = null;

  constructor(opts: TokenCounterOptions) {
    this.#opts = opts;
  }

  /**
   * The gateway's count of `params`' input tokens, or null when it cannot give one (the caller
   * estimates offline). Throws a UsageError when the gateway refuses the key (401/403) or the
   * account's spend cap is reached: every other request would fail the same way.
   */
  async count(params: MessageParams): Promise<number | null> {
    if (this.#probe === null) {
      this.#probe = this.#countOne(params, true);
      return this.#probe;
    }
    // A refused key on the first request stops the others before they are sent (it rejects here too).
    await this.#probe;
    return this.#absent === null ? this.#countOne(params, false) : null;
  }

  /** How the tokens were counted, once every count is in. Warns of requests counted offline. */
  finish(): EstimateMethod {
    if (this.#absent !== null) return 'heuristic_fallback';
    if (this.#fellBack === 0) return 'count_tokens_api';
    const requests = this.#fellBack === 1 ? '1 request' : `${this.#fellBack} requests`;
    this.#opts.warn(
      `${requests} could not be counted by the gateway and were estimated offline (the first: ${this.#firstFailure ?? ''})`,
    );
    return 'count_tokens_api+heuristic';
  }

  async #countOne(params: MessageParams, probe: boolean): Promise<number | null> {
    const { transport, clock, retry } = this.#opts;
    const body = JSON.stringify(countedParams(params));
    const outcome = await withRetries(() => transport.countTokens(body), { ...retry, clock });
    if (outcome.ok) return outcome.value;
    const { error } = outcome;
    const message = error instanceof Error ? error.message : String(error);
    const { stop } = classify(error, clock.nowEpochMs());
    if (stop === 'auth') {
      throw new UsageError(`the gateway refused the key from ${this.#opts.keySource}: ${message}`, {
        cause: error,
      });
    }
    if (stop === 'spend_cap') {
      throw new UsageError(`the account's spend limit is reached: ${message}`, { cause: error });
    }
    if (probe && isAbsentEndpoint(error, params.model)) {
      this.#absent = message;
      this.#opts.warn(
        `the gateway does not offer count_tokens (POST ${transport.countTokensUrl}: ${message}): input tokens are estimated offline instead (method "heuristic_fallback")`,
      );
      return null;
    }
    this.#fellBack += 1;
    this.#firstFailure ??= message;
    return null;
  }
}

/** The body of a `count_tokens` request: the Messages request without what only generation takes. */
export function countedParams(params: MessageParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of COUNTED_PARAMS) if (params[key] !== undefined) body[key] = params[key];
  return body;
}

/**
 * A 404 (405, 501) to the first request that does not name its model: the endpoint is not there. A
 * 404 naming the model (`model: claude-x`) is the API's "no such model", about that request only.
 */
function isAbsentEndpoint(error: unknown, model: string): boolean {
  return error instanceof ApiError && ABSENT_STATUSES.has(error.status) && !error.apiMessage.includes(model);
}
