/**
 * Cutting requests into batches the API takes: at most `maxRequests` requests and `maxBytes` bytes as
 * sent (the JSON body `{"requests":[...]}`, counted in UTF-8 bytes). Pure; a batch's body is built
 * once, as the bytes that are sent on every attempt.
 */
import type { SubmittedRequest } from './job-file.js';

export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

/** One batch, ready to create. */
export interface PackedBatch {
  /** `{"requests":[...]}` as sent. */
  body: Buffer;
  requests: Map<string, SubmittedRequest>;
}

const OPEN = Buffer.from('{"requests":[');
const CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

/** One request of a batch as sent: `{"custom_id":"...","params":{...}}`, its params exactly as a run sends them. */
export function batchItem(custom_id: string, paramsJson: string): Buffer {
  return Buffer.from(`{"custom_id":${JSON.stringify(custom_id)},"params":${paramsJson}}`);
}

/** Whether `item` fits a batch on its own: a larger request can never be submitted. */
export function fitsOneBatch(item: Buffer, limits: BatchLimits): boolean {
  return OPEN.length + item.length + CLOSE.length <= limits.maxBytes;
}

export class BatchPacker {
  readonly #limits: BatchLimits;
  #items: Buffer[] = [];
  #requests = new Map<string, SubmittedRequest>();
  #bytes = OPEN.length + CLOSE.length;

  constructor(limits: BatchLimits) {
    this.#limits = limits;
  }

  /**
   * Adds a request (one that fits a batch alone: see `fitsOneBatch`). When it does not fit the batch being filled, that batch
   * is returned, full, and the request starts the next one; else null.
   */
  add(custom_id: string, submitted: SubmittedRequest, item: Buffer): PackedBatch | null {
    const grown = this.#bytes + (this.#items.length > 0 ? COMMA.length : 0) + item.length;
    const full =
      this.#requests.size > 0 &&
      (this.#requests.size >= this.#limits.maxRequests || grown > this.#limits.maxBytes);
    const done = full ? this.finish() : null;
    if (this.#items.length > 0) {
      this.#items.push(COMMA);
      this.#bytes += COMMA.length;
    }
    this.#items.push(item);
    this.#bytes += item.length;
    this.#requests.set(custom_id, submitted);
    return done;
  }

  /** The batch being filled, or null when it is empty; the packer starts afresh. */
  finish(): PackedBatch | null {
    if (this.#requests.size === 0) return null;
    const body = Buffer.concat([OPEN, ...this.#items, CLOSE]);
    const packed = { body, requests: this.#requests };
    this.#items = [];
    this.#requests = new Map();
    this.#bytes = OPEN.length + CLOSE.length;
    return packed;
  }
}
