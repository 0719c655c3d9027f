/**
 * The checks the Message Batches API makes when a batch is created (PROTOCOL.md "Message Batches
 * API"): the envelope only. The params of each request are checked later, when the batch is
 * processed, and a bad one becomes an errored result, as upstream.
 */
import { describeFailure } from '../input/schema-kit.js';
import { isRecord } from '../is-record.js';

/** `custom_id` as the API accepts it. */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** One request of a batch as submitted. */
export interface SubmittedRequest {
  custom_id: string;
  params: Record<string, unknown>;
}

export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

/**
 * Check a batch creation body: `requests` an array of 1 to `maxRequests` items, the body at most
 * `maxBytes`, each item an object with a `custom_id` matching `^[a-zA-Z0-9_-]{1,64}$` that no
 * other item has, and `params` an object without `stream: true`. The first problem found is the
 * message, with its path (`requests[3].custom_id: ...`).
 */
export function validateBatchCreate(
  body: unknown,
  bodyBytes: number,
  limits: BatchLimits,
): { ok: true; requests: SubmittedRequest[] } | { ok: false; message: string } {
  const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
  if (bodyBytes > limits.maxBytes) {
    return fail(`The batch is ${bodyBytes} bytes; a batch may hold at most ${limits.maxBytes} bytes`);
  }
  if (!isRecord(body) || !Array.isArray(body.requests)) {
    return fail(
      `requests: ${describeFailure('an array of requests', isRecord(body) ? body.requests : body)}`,
    );
  }
  const { requests } = body;
  if (requests.length < 1 || requests.length > limits.maxRequests) {
    return fail(`requests: expected 1 to ${limits.maxRequests} requests, got ${requests.length}`);
  }
  const seen = new Map<string, number>();
  for (const [index, item] of requests.entries()) {
    const at = `requests[${index}]`;
    if (!isRecord(item)) return fail(`${at}: ${describeFailure('an object', item)}`);
    const id = item.custom_id;
    if (typeof id !== 'string' || !CUSTOM_ID_PATTERN.test(id)) {
      return fail(`${at}.custom_id: ${describeFailure('a string matching ^[a-zA-Z0-9_-]{1,64}$', id)}`);
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      return fail(`${at}.custom_id: duplicate custom_id ${JSON.stringify(id)} (also requests[${earlier}])`);
    }
    seen.set(id, index);
    if (!isRecord(item.params)) return fail(`${at}.params: ${describeFailure('an object', item.params)}`);
    if (item.params.stream === true) {
      return fail(`${at}.params.stream: streaming is not supported in a Message Batch`);
    }
  }
  return { ok: true, requests: requests as SubmittedRequest[] };
}
