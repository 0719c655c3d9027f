/**
 * The Anthropic-compatible simulator as a local HTTP server: the `mock` provider's backend and
 * the fake gateway of the tests. It records what it received, can be told to fail (faults), and
 * can play an overloaded server (maxConcurrent).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { MessageParams } from '../types.js';
import type { Fault, FaultKind } from './faults.js';
import { buildMockMessage } from './reply.js';
import { type Responder, sendApiError, sendFault, sendMessage } from './respond.js';
import { parseJsonBody, validateMockParams } from './validate.js';

/** A request as the server received it. */
export interface RecordedRequest {
  /** 1-based arrival number; also in the `request-id` (`req_mock_<n>`) and the message id. */
  n: number;
  method: string;
  /** The request target as sent, query included. */
  path: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** `performance.now()` when the request arrived, in ms. */
  receivedAt: number;
}

export interface MockServerOptions {
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Wait this long before answering each request (faults included, capacity 529s excepted). Default 0. */
  latencyMs?: number;
  /**
   * Answer 529 overloaded_error to a request that arrives while this many are already being
   * answered. Default: no limit. Requests answered by a fault take no slot.
   */
  maxConcurrent?: number;
  /** Consulted for every request before anything else; a fault returned replaces the normal answer. */
  fault?: (request: RecordedRequest) => Fault | undefined;
  /** Keep every request in `requests`. Default true; turn off to keep memory flat in benchmarks. */
  record?: boolean;
}

export interface MockServerStats {
  /** Requests received. */
  received: number;
  /** Responses started, by HTTP status. */
  byStatus: Record<number, number>;
  /** Faults acted out, by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Requests being answered now (arrived, response not yet closed). */
  inFlight: number;
  peakInFlight: number;
  /** 529s sent because maxConcurrent was reached. */
  overCapacity: number;
}

export interface MockServer {
  /** Base URL without a path, e.g. `http://127.0.0.1:50123`; POST `${url}/v1/messages`. */
  url: string;
  /** Requests received, in arrival order (empty when `record` is false). */
  requests: RecordedRequest[];
  stats: MockServerStats;
  /** Stop listening and end every connection now, hanging and stalled responses included. */
  close(): Promise<void>;
}

/**
 * Start the simulator on 127.0.0.1. It answers POST to any path ending in `/messages`
 * (`/v1/messages`, `/messages`, `/anthropic/v1/messages`), needs no API key, and sends
 * `request-id: req_mock_<n>` on every response. Anything else gets 404 not_found_error.
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const latencyMs = options.latencyMs ?? 0;
  const requests: RecordedRequest[] = [];
  const stats: MockServerStats = {
    received: 0,
    byStatus: {},
    faults: {},
    inFlight: 0,
    peakInFlight: 0,
    overCapacity: 0,
  };
  const waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let admitted = 0;
  let closing: Promise<void> | undefined;

  const wait = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const entry = { timer: setTimeout(() => done(), ms), resolve: () => done() };
          const done = (): void => {
            clearTimeout(entry.timer);
            waits.delete(entry);
            resolve();
          };
          waits.add(entry);
        });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = performance.now();
    const n = ++stats.received;
    stats.inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    let holdsSlot = false;
    let closed = false;
    res.on('close', () => {
      closed = true;
      stats.inFlight--;
      if (holdsSlot) admitted--;
    });
    res.setHeader('request-id', `req_mock_${n}`);
    const out: Responder = {
      res,
      requestId: `req_mock_${n}`,
      countStatus: (status) => {
        stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      },
    };

    const raw = await readBody(req);
    const parsed = parseJsonBody(raw);
    const recorded: RecordedRequest = {
      n,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: flattenHeaders(req.headers),
      body: parsed.ok ? parsed.value : raw,
      receivedAt,
    };
    if (options.record !== false) requests.push(recorded);
    const valid = parsed.ok ? validateMockParams(parsed.value) : undefined;
    const params = valid?.ok ? valid.params : undefined;

    const fault = options.fault?.(recorded);
    if (fault !== undefined) {
      stats.faults[fault.kind] = (stats.faults[fault.kind] ?? 0) + 1;
      await wait(latencyMs);
      if (closed || closing !== undefined) return;
      sendFault(out, fault, buildMockMessage(params ?? FALLBACK_PARAMS, n), params?.stream === true);
      return;
    }
    if (req.method !== 'POST' || !isMessagesPath(recorded.path)) {
      sendApiError(out, 404, 'not_found_error', `Not found: ${recorded.method} ${recorded.path}`);
      return;
    }
    if (options.maxConcurrent !== undefined && admitted >= options.maxConcurrent) {
      stats.overCapacity++;
      sendApiError(out, 529, 'overloaded_error', 'Overloaded');
      return;
    }
    admitted++;
    holdsSlot = true;
    await wait(latencyMs);
    if (closed || closing !== undefined) return;
    if (!parsed.ok) sendApiError(out, 400, 'invalid_request_error', parsed.message);
    else if (valid?.ok === false) sendApiError(out, 400, 'invalid_request_error', valid.message);
    else if (params) sendMessage(out, buildMockMessage(params, n), params.stream === true);
  };

  const server = createServer((req, res) => {
    // A client that goes away mid-body is its own business; never let it crash the server.
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const entry of [...waits]) entry.resolve();
      // One more turn so the responses' own 'close' handlers (the in-flight counts) have run.
      server.close(() => setImmediate(resolve));
      server.closeAllConnections();
    });
    return closing;
  };

  return { url: `http://127.0.0.1:${port}`, requests, stats, close };
}

/** What a fault that sends part of a reply uses when the request itself was not valid. */
const FALLBACK_PARAMS: MessageParams = {
  model: 'mock',
  max_tokens: 64,
  messages: [{ role: 'user', content: '(invalid request)' }],
};

function isMessagesPath(path: string): boolean {
  return (path.split('?')[0] ?? '').endsWith('/messages');
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
