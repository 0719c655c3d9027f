/**
 * The Message Batches API as lp-batch speaks it, in either dialect (see BatchDialect): create,
 * retrieve, cancel, list (Anthropic's dialect only) and the results, a line at a time. Every call
 * goes through the one transport and the one retry loop (429, 529, 5xx and connection errors are
 * retried as for a message); a call that fails for good throws a BatchJobError naming it.
 */
import type { Clock } from '../clock.js';
import { BatchJobError, ConnectionError, InvalidResponseError, ResponseTooLargeError } from '../errors.js';
import { splitJsonlLines } from '../input/jsonl-reader.js';
import { withRetries } from '../retry/with-retries.js';
import { type BatchInfo, type BatchResultLine, batchInfoOf, batchResultOf } from './batch-info.js';
import type { BatchDialect } from './providers.js';
import { readText } from './response-body.js';
import type { Redact } from './responses.js';
import type { ExchangeRequest, Transport } from './transport.js';
import { isRecord } from '../is-record.js';

export interface BatchApiOptions {
  transport: Transport;
  /** The batches collection (`https://api.anthropic.com/v1/messages/batches`); the transport's origin. */
  url: URL;
  dialect: BatchDialect;
  retry: { maxRetries: number; maxRetryWaitMs: number };
  clock: Clock;
  /** Cuts off the waits between attempts (the run's hard stop). */
  signal?: AbortSignal | undefined;
  /** The largest JSON answer, and the largest line of a batch's results, bytes (`--max-response-bytes`). */
  maxBytes: number;
  redact: Redact;
  /** Told of every retry before its wait. */
  onRetry?: ((error: unknown) => void) | undefined;
}

/** What `results` hands over for each line: a result, or a line that is not one (reported, never guessed at). */
export type ResultItem = { ok: true; line: BatchResultLine } | { ok: false; reason: string };

/** Batches per page of Anthropic's list. */
const LIST_PAGE = 100;
const LF = 0x0a;

export class BatchApi {
  readonly #o: BatchApiOptions;
  readonly #path: string;

  constructor(options: BatchApiOptions) {
    this.#o = options;
    this.#path = options.url.pathname.replace(/\/+$/, '');
  }

  /** Whether the gateway can list batches (to find one created by a run that was killed). */
  get canList(): boolean {
    return this.#o.dialect === 'anthropic';
  }

  /**
   * Creates a batch from a `{"requests":[...]}` body. A create whose answer was lost (a connection
   * error after the body went out) may have created the batch: before it is sent again, `findOrphan`
   * looks for it, and what it finds is the answer.
   */
  create(body: Uint8Array, findOrphan?: () => Promise<BatchInfo | null>): Promise<BatchInfo> {
    let answerLost = false;
    return this.#call({ method: 'POST', path: this.#path, body }, async () => {
      if (answerLost && findOrphan) {
        const found = await findOrphan();
        if (found !== null) return found;
      }
      try {
        return await this.#batch({ method: 'POST', path: this.#path, body });
      } catch (error) {
        answerLost = error instanceof ConnectionError;
        throw error;
      }
    });
  }

  /** The batch as it stands now. */
  retrieve(id: string): Promise<BatchInfo> {
    if (this.#o.dialect === 'anthropic') {
      const request = { method: 'GET', path: `${this.#path}/${encodeURIComponent(id)}` } as const;
      return this.#call(request, () => this.#batch(request));
    }
    const request = { method: 'GET', path: this.#aimlGetPath(id), long: true } as const;
    return this.#call(request, () => this.#aimlRetrieve(request, id));
  }

  /** Asks the gateway to cancel the batch; resolves with the batch as it stands then. */
  cancel(id: string): Promise<BatchInfo> {
    const encoded = encodeURIComponent(id);
    const path =
      this.#o.dialect === 'anthropic' ? `${this.#path}/${encoded}/cancel` : `${this.#path}/cancel/${encoded}`;
    const request = { method: 'POST', path } as const;
    return this.#call(request, async () => {
      const answer = await this.#json(request);
      const read = batchInfoOf(answer, this.#o.redact);
      // AI/ML API may answer a cancel with something other than the batch: ask for it then.
      return read.ok ? read.batch : this.retrieve(id);
    });
  }

  /** Every batch created at `sinceEpochMs` or later, newest first (Anthropic's dialect). */
  async listSince(sinceEpochMs: number): Promise<BatchInfo[]> {
    const found: BatchInfo[] = [];
    let after: string | null = null;
    for (;;) {
      const query: string = after === null ? '' : `&after_id=${encodeURIComponent(after)}`;
      const request = { method: 'GET', path: `${this.#path}?limit=${LIST_PAGE}${query}` } as const;
      const page = await this.#call(request, () => this.#json(request));
      const data = isRecord(page) && Array.isArray(page.data) ? page.data : [];
      let older = false;
      for (const item of data) {
        const read = batchInfoOf(item, this.#o.redact);
        if (!read.ok) continue;
        const created = Date.parse(read.batch.created_at ?? '');
        if (Number.isFinite(created) && created < sinceEpochMs) older = true;
        else found.push(read.batch);
      }
      const last = isRecord(page) && typeof page.last_id === 'string' ? page.last_id : null;
      if (older || !isRecord(page) || page.has_more !== true || last === null) return found;
      after = last;
    }
  }

  /**
   * Streams the results of an ended batch, line by line in the order served, to `each`; reading stops
   * when `stop` aborts. CRLF and blank lines are fine; a line over `maxBytes` stops the download.
   */
  async results(batch: BatchInfo, each: (item: ResultItem) => void, stop?: AbortSignal): Promise<void> {
    const request = { method: 'GET', path: this.#resultsPath(batch), long: true } as const;
    await this.#call(request, () =>
      this.#o.transport.exchange(request, async ({ status, chunks }) => {
        let first = true;
        for await (const { text } of splitJsonlLines(capLines(chunks, this.#o.maxBytes, status))) {
          if (stop?.aborted) return;
          const item = batchResultOf(parseJson(text), this.#o.redact);
          // AI/ML API answers a batch that has not ended with the batch itself, not with results.
          if (first && !item.ok && this.#o.dialect === 'aiml') {
            throw new BatchJobError(`batch ${batch.id} has not ended: its results are not ready`);
          }
          first = false;
          each(item);
        }
      }),
    );
  }

  #resultsPath(batch: BatchInfo): string {
    if (this.#o.dialect === 'aiml') return this.#aimlGetPath(batch.id);
    if (batch.results_url === null) return `${this.#path}/${encodeURIComponent(batch.id)}/results`;
    const url = new URL(batch.results_url, this.#o.url);
    if (url.origin !== this.#o.url.origin) {
      // The key goes with every request: never to a host the user did not name.
      throw new BatchJobError(
        `batch ${batch.id}: results_url is on another host (${url.origin}); lp-batch sends the key only to ${this.#o.url.origin}`,
      );
    }
    return url.pathname + url.search;
  }

  #aimlGetPath(id: string): string {
    return `${this.#path}?batch_id=${encodeURIComponent(id)}`;
  }

  /**
   * AI/ML API's `GET ?batch_id=ID`: the batch object while it runs, its results JSONL once it has
   * ended. The first line tells which; of results, nothing more is read.
   */
  #aimlRetrieve(request: ExchangeRequest, id: string): Promise<BatchInfo> {
    return this.#o.transport.exchange(request, async ({ status, chunks }) => {
      const parts: Buffer[] = [];
      let bytes = 0;
      let firstLineChecked = false;
      for await (const chunk of chunks) {
        const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        parts.push(buffer);
        bytes += buffer.length;
        if (bytes > this.#o.maxBytes) throw tooLarge(status, this.#o.maxBytes);
        const lf = buffer.indexOf(LF);
        if (!firstLineChecked && lf !== -1) {
          firstLineChecked = true;
          const firstLine = Buffer.concat(parts).toString('utf8').split('\n', 1)[0] ?? '';
          if (batchResultOf(parseJson(firstLine.trim()), this.#o.redact).ok) return endedAiml(id);
        }
      }
      const text = Buffer.concat(parts).toString('utf8');
      const value = parseJson(text);
      if (batchResultOf(value, this.#o.redact).ok) return endedAiml(id);
      return this.#batchOf(value, status);
    });
  }

  async #batch(request: ExchangeRequest): Promise<BatchInfo> {
    return this.#batchOf(await this.#json(request), 200);
  }

  #batchOf(value: unknown, status: number): BatchInfo {
    const read = batchInfoOf(value, this.#o.redact);
    if (read.ok) return read.batch;
    throw new InvalidResponseError({ status, kind: 'not_a_message', reason: read.reason, requestId: null });
  }

  /** A JSON answer; a body that is not JSON is an InvalidResponseError (`not_json`: retried). */
  #json(request: ExchangeRequest): Promise<unknown> {
    return this.#o.transport.exchange(request, async ({ status, chunks }) => {
      const text = await readText(chunks);
      const value = parseJson(text);
      if (value === undefined) {
        const reason = `body is not valid JSON (${text.length} bytes)`;
        throw new InvalidResponseError({ status, kind: 'not_json', reason, requestId: null });
      }
      return value;
    });
  }

  /** `attempt` under the retry policy; a failure for good becomes a BatchJobError naming the call. */
  async #call<T>(request: ExchangeRequest, attempt: () => Promise<T>): Promise<T> {
    const { clock, signal, retry, onRetry } = this.#o;
    const outcome = await withRetries(attempt, { ...retry, clock, signal, onRetry });
    if (outcome.ok) return outcome.value;
    const { error } = outcome;
    if (outcome.aborted || error instanceof BatchJobError) throw error;
    const where = `${request.method} ${this.#o.url.origin}${request.path}`;
    const why = error instanceof Error ? error.message : String(error);
    const tries = outcome.attempts > 1 ? ` (after ${outcome.attempts} attempts)` : '';
    throw new BatchJobError(`${where}: ${this.#o.redact(why)}${tries}`, { cause: error });
  }
}

/** AI/ML API says no more of an ended batch than that it has ended. */
function endedAiml(id: string): BatchInfo {
  return {
    id,
    processing_status: 'ended',
    request_counts: null,
    created_at: null,
    ended_at: null,
    expires_at: null,
    cancel_initiated_at: null,
    results_url: null,
  };
}

/** The chunks of a JSONL body, refusing a line (line end excluded) over `maxBytes`. */
async function* capLines(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  status: number,
): AsyncGenerator<Buffer, void, undefined> {
  // Bytes of the line being read, so far.
  let open = 0;
  for await (const chunk of chunks) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let lf = buffer.indexOf(LF); lf !== -1; lf = buffer.indexOf(LF, start)) {
      if (open + lf - start > maxBytes) throw tooLarge(status, maxBytes);
      open = 0;
      start = lf + 1;
    }
    open += buffer.length - start;
    if (open > maxBytes) throw tooLarge(status, maxBytes);
    yield buffer;
  }
}

function tooLarge(status: number, limit: number): ResponseTooLargeError {
  return new ResponseTooLargeError({ status, limit, declared: null, requestId: null });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
