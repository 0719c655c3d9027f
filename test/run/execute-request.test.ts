/** One request from dispatch to its outcome, through a real transport, a gate and virtual time. */
import { describe, expect } from 'vitest';
import { buildEndpoint, PROVIDERS } from '../../src/client/providers.js';
import { Transport } from '../../src/client/transport.js';
import { DispatchGate, type GateOptions } from '../../src/limits/dispatch-gate.js';
import { Slots } from '../../src/limits/slots.js';
import { faults } from '../../src/mock/faults.js';
import type { MockServer } from '../../src/mock/server.js';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';
import { type ExecuteContext, type Execution, executeRequest } from '../../src/run/execute-request.js';
import { Shutdown } from '../../src/run/shutdown.js';
import type { BatchRequest } from '../../src/types.js';
import { failFirst } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { httpInFlight, VirtualClock } from '../helpers/virtual-clock.js';

const HAIKU = 'claude-3-haiku-20240307';
const request = (model = HAIKU, extra: Record<string, unknown> = {}): BatchRequest => ({
  custom_id: 'q1',
  line: 1,
  params: { model, max_tokens: 20, messages: [{ role: 'user', content: 'hello' }], ...extra },
});

async function execute(
  server: MockServer,
  req: BatchRequest,
  opts: {
    gate?: Partial<GateOptions>;
    shutdown?: Shutdown;
    forceStream?: boolean;
    onRetry?: () => void;
  } = {},
): Promise<{ execution: Execution; retries: unknown[]; clock: VirtualClock }> {
  const clock = new VirtualClock({ busy: httpInFlight });
  const shutdown = opts.shutdown ?? new Shutdown();
  const endpoint = buildEndpoint(PROVIDERS.anthropic, {
    baseUrl: server.url,
    apiKey: 'k',
    allowInsecureHttp: false,
    userAgent: 'test',
  });
  const transport = new Transport({
    endpoint,
    connections: 1,
    timeoutMs: 5000,
    idleTimeoutMs: 5000,
    maxResponseBytes: 1 << 20,
  });
  const retries: unknown[] = [];
  const ctx: ExecuteContext = {
    slots: new Slots(1),
    onAttemptEnd: () => {},
    transport,
    gate: new DispatchGate({
      maxConcurrency: 1,
      maxPauseMs: 60_000,
      clock,
      prices: DEFAULT_PRICES,
      ...opts.gate,
    }),
    prices: DEFAULT_PRICES,
    clock,
    retry: { maxRetries: 3, maxRetryWaitMs: 60_000 },
    shutdown,
    forceStream: opts.forceStream ?? false,
    onRetry: (error) => {
      retries.push(error);
      opts.onRetry?.();
    },
  };
  try {
    return { execution: await executeRequest(req, JSON.stringify(req.params), ctx), retries, clock };
  } finally {
    await transport.close();
  }
}

describe('executeRequest', () => {
  it('succeeds after retries, with the message priced once and the attempts and time it took', async ({
    serve,
  }) => {
    const server = await serve({ fault: failFirst(2, faults.overloaded()) });
    const { execution, retries, clock } = await execute(server, request());
    expect(execution.kind).toBe('succeeded');
    if (execution.kind !== 'succeeded') return;
    expect(execution.attempts).toBe(3);
    expect(retries).toHaveLength(2);
    expect(execution.priced).toEqual({
      nanos: DEFAULT_PRICES.costNanos(HAIKU, execution.message.usage),
      pricedAs: HAIKU,
    });
    // Two backoffs on virtual time, 438 and 875 ms; the HTTP took none.
    expect(execution.latencyMs).toBe(438 + 875);
    expect(clock.now()).toBe(438 + 875);
    expect(execution.ttftMs).toBeUndefined();
  });

  it('prices by the model the gateway answered with when the asked name has no price', async ({ serve }) => {
    const server = await serve();
    const { execution } = await execute(server, request('claude-3-haiku-20240307-gateway-alias'));
    if (execution.kind !== 'succeeded') throw new Error(execution.kind);
    expect(execution.priced.pricedAs).toBe(execution.message.model);
  });

  it('streams when forced, with the body saying so and a time to first token', async ({ serve }) => {
    const server = await serve();
    const { execution } = await execute(server, request(), { forceStream: true });
    expect(server.requests[0]?.body).toMatchObject({ stream: true });
    expect(execution).toMatchObject({ kind: 'succeeded', ttftMs: 0 });
  });

  it('ends errored with the failure and the stop it calls for on a 401', async ({ serve }) => {
    const server = await serve({ fault: () => faults.authenticationFailed() });
    const { execution } = await execute(server, request());
    expect(execution).toMatchObject({
      kind: 'errored',
      attempts: 1,
      stop: 'auth',
      failure: { type: 'authentication_error', status: 401, requestId: 'req_mock_1' },
    });
  });

  it('writes a model without a price under a budget as errored, never sent', async ({ serve }) => {
    const server = await serve();
    const { execution } = await execute(server, request('mystery-model'), { gate: { maxCostUsd: 1 } });
    expect(execution).toMatchObject({
      kind: 'errored',
      stop: null,
      failure: { type: 'invalid_request_error', status: null, requestId: null },
    });
    expect(execution.kind === 'errored' && execution.failure.message).toBe(
      'not sent: model "mystery-model" has no price, so its cost cannot be held under --max-cost',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('returns not_sent, sending nothing, when the budget cannot hold it or the run is draining', async ({
    serve,
  }) => {
    const server = await serve();
    const poor = await execute(server, request(), { gate: { maxCostUsd: 0.000_001 } });
    expect(poor.execution).toEqual({ kind: 'not_sent', reason: 'over_budget' });
    const shutdown = new Shutdown();
    shutdown.drain();
    const draining = await execute(server, request(), { shutdown });
    expect(draining.execution).toEqual({ kind: 'not_sent', reason: 'aborted' });
    expect(server.requests).toHaveLength(0);
  });

  it('is cut off, not errored, when the run aborts while it waits to retry', async ({ serve }) => {
    const server = await serve({ fault: () => faults.overloaded() });
    const shutdown = new Shutdown();
    const { execution, clock } = await execute(server, request(), {
      shutdown,
      onRetry: () => shutdown.abort(),
    });
    expect(execution).toEqual({ kind: 'not_sent', reason: 'aborted' });
    expect(server.requests).toHaveLength(1);
    expect(clock.now()).toBe(0);
  });
});
