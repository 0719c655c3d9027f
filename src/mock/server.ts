/**
 * The Anthropic-compatible simulator as a local HTTP server: the `mock` provider's backend, the
 * fake gateway of the tests, and (soon) `lp-batch mock-server`. It records what it received,
 * fails on command (the `fault` option) or by chance (the rates, from one seeded generator),
 * limits requests like a loaded server (`rpm`, `maxConcurrent`), caches prompts and runs Message
 * Batches on an injectable clock.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BatchStore, batchObject } from './batch-store.js';
import { drawChance } from './chance.js';
import { type Exchange, injectFault, type MockContext, type MockServerStats } from './exchange.js';
import { type MockServerOptions, resolveMockOptions } from './options.js';
import { PromptCache } from './prompt-cache.js';
import { createSeededRandom } from './random.js';
import { RequestLimit } from './rate-limit.js';
import type { RecordedRequest } from './recorded.js';
import { type Responder, sendApiError } from './respond.js';
import { routeOf } from './router.js';
import { handleBatches } from './routes/batches.js';
import { handleCountTokens } from './routes/count-tokens.js';
import { handleMessages } from './routes/messages.js';
import { checkParams, parseJsonBody } from './validate.js';

export type { MockServerStats } from './exchange.js';
export type { BatchOutcome, BatchRequestInfo, MockClock, MockServerOptions } from './options.js';
export type { RecordedRequest } from './recorded.js';

export interface MockServer {
  /** Base URL without a path, e.g. `http://127.0.0.1:50123`; POST `${url}/v1/messages`. */
  url: string;
  /** Requests received, in arrival order (empty when `record` is false). */
  requests: RecordedRequest[];
  stats: MockServerStats;
  /** The Message Batches, for tests: look at them, or end them now instead of waiting. */
  batches: {
    /** Every batch as `GET /v1/messages/batches/{id}` shows it, oldest first. */
    list(): Record<string, unknown>[];
    /** End one batch (or every running one) now: requests not yet done finish now. */
    endNow(id?: string): void;
  };
  /** Stop listening and end every connection now, hanging and stalled responses included. */
  close(): Promise<void>;
}

/**
 * Start the simulator on 127.0.0.1. It serves `POST /v1/messages` (JSON and SSE),
 * `POST /v1/messages/count_tokens`, the Message Batches API (Anthropic's and AI/ML API's paths),
 * matching paths by their end so any prefix works; it needs no API key and sends
 * `request-id: req_mock_<n>` on every response. Anything else gets 404 not_found_error.
 * Bad options throw a UsageError naming the option.
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const resolved = resolveMockOptions(options);
  const { clock } = resolved;
  const random = createSeededRandom(resolved.seed);
  const cache = new PromptCache(resolved.cacheMinTokens);
  const ctx: MockContext = {
    options: resolved,
    random,
    cache,
    batches: new BatchStore(resolved, random, cache),
    rpm: resolved.rpm === undefined ? undefined : new RequestLimit(resolved.rpm, clock.now()),
    stats: {
      received: 0,
      byStatus: {},
      faults: {},
      inFlight: 0,
      peakInFlight: 0,
      overCapacity: 0,
      rateLimited: 0,
    },
    url: '',
    slots: 0,
  };
  const { stats } = ctx;
  const requests: RecordedRequest[] = [];
  const waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
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
      if (holdsSlot) ctx.slots--;
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
    const parsed = parseJsonBody(raw.toString('utf8'));
    const recorded: RecordedRequest = {
      n,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: flattenHeaders(req.headers),
      body: parsed.ok ? parsed.value : raw.toString('utf8'),
      receivedAt,
    };
    if (resolved.record) requests.push(recorded);
    const chance = drawChance(resolved, random);
    const ex: Exchange = {
      n,
      out,
      recorded,
      bodyBytes: raw.length,
      parsed,
      chance,
      holdSlot: () => {
        holdsSlot = true;
        ctx.slots++;
      },
      delay: async () => {
        await wait(resolved.latencyMs + chance.jitterMs);
        return !closed && closing === undefined;
      },
    };
    // Batches whose time has come end before anything else is answered (their cache writes included).
    ctx.batches.settle(clock.now());

    const fault = options.fault?.(recorded);
    if (fault !== undefined) {
      const checked = parsed.ok ? checkParams(parsed.value) : undefined;
      return injectFault(ctx, ex, fault, checked?.ok ? checked.params : undefined);
    }
    const route = routeOf(recorded.method, recorded.path);
    switch (route.name) {
      case 'messages':
        return handleMessages(ctx, ex);
      case 'count_tokens':
        return handleCountTokens(ctx, ex);
      case 'not_found':
        sendApiError(out, 404, 'not_found_error', `Not found: ${recorded.method} ${recorded.path}`);
        return;
      default:
        return handleBatches(ctx, ex, route);
    }
  };

  const server = createServer((req, res) => {
    // A client that goes away mid-body is its own business; never let it crash the server.
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  ctx.url = `http://127.0.0.1:${port}`;

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const entry of [...waits]) entry.resolve();
      // One more turn so the responses' own 'close' handlers (the in-flight counts) have run.
      server.close(() => setImmediate(resolve));
      server.closeAllConnections();
    });
    return closing;
  };

  const batches = {
    list: () => ctx.batches.list(clock.now()).map(batchObject),
    endNow: (id?: string) => ctx.batches.endNow(id, clock.now()),
  };
  return { url: ctx.url, requests, stats, batches, close };
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
