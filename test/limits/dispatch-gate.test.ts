import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, type ResponseHeaders } from '../../src/errors.js';
import { estimateInputTokens } from '../../src/limits/estimate-tokens.js';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';
import { type AttemptTicket, DispatchGate, type GateOptions } from '../../src/limits/dispatch-gate.js';
import type { AnthropicErrorType, MessageParams, Usage } from '../../src/types.js';
import { EPOCH, idle, VirtualClock } from '../helpers/virtual-clock.js';

const HAIKU = 'claude-3-haiku-20240307';

function params(text = 'hello', extra: Partial<MessageParams> = {}): MessageParams {
  return { model: HAIKU, max_tokens: 100, messages: [{ role: 'user', content: text }], ...extra };
}

function gateOf(clock: VirtualClock, opts: Partial<GateOptions> = {}): DispatchGate {
  return new DispatchGate({ maxConcurrency: 10, maxPauseMs: 60_000, clock, prices: DEFAULT_PRICES, ...opts });
}

async function admitted(gate: DispatchGate, p: MessageParams, signal?: AbortSignal): Promise<AttemptTicket> {
  const admission = await gate.admit(p, signal);
  if (!admission.ok) throw new Error(`expected admission, got ${admission.reason}`);
  return admission.ticket;
}

function succeed(
  gate: DispatchGate,
  ticket: AttemptTicket,
  usage: Partial<Usage> = {},
  headers: ResponseHeaders = {},
) {
  const full: Usage = { input_tokens: 10, output_tokens: 10, ...usage };
  gate.settle(ticket, { ok: true, usage: full, costNanos: DEFAULT_PRICES.costNanos(HAIKU, full), headers });
}

function apiError(
  status: number,
  type: AnthropicErrorType,
  headers: ResponseHeaders = {},
  details?: unknown,
): ApiError {
  return new ApiError({
    status,
    type,
    message: 'no',
    requestId: 'req_1',
    headers,
    details,
  });
}

/** A prompt whose input estimate is exactly `tokens`. */
function paramsOfTokens(tokens: number, extra: Partial<MessageParams> = {}): MessageParams {
  const overhead = estimateInputTokens(params(''));
  const p = params('x'.repeat(Math.round((tokens - overhead) * 3.5)), extra);
  expect(estimateInputTokens(p)).toBe(tokens);
  return p;
}

describe('DispatchGate rate limits', () => {
  it('lets at most one request a second through at rpm 60, whatever the number of callers', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { rpm: 60 });
    const perSecond = new Array<number>(30).fill(0);
    const end = new AbortController();
    const worker = async () => {
      for (;;) {
        const admission = await gate.admit(params(), end.signal);
        if (!admission.ok) return expect(admission.reason).toBe('aborted');
        const ticket = admission.ticket;
        const t = clock.now();
        if (t >= 30_000) {
          end.abort();
          return succeed(gate, ticket);
        }
        perSecond[Math.floor(t / 1000)] = (perSecond[Math.floor(t / 1000)] ?? 0) + 1;
        await clock.sleep(250); // the request's latency
        succeed(gate, ticket);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    // rpm/60 = 1 a second plus a one-second burst of 1: exactly one in each simulated second.
    expect(perSecond).toEqual(new Array(30).fill(1));
    // Only the head of the line sleeps on the bucket, never 10 callers at once: per admission one
    // 1,000 ms sleep, cut short by the settlement at 250 ms, then the 750 ms left.
    const bucketSleeps = clock.sleeps.filter((ms) => ms !== 250);
    expect(bucketSleeps).toEqual(new Array(30).fill([1000, 750]).flat());
  });

  it('allows a burst of one second then rpm/60 a second at rpm 120', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { rpm: 120 });
    const times: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      succeed(gate, await admitted(gate, params()));
      times.push(clock.now());
    }
    expect(times).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('charges the input estimate to itpm and corrects it with input plus cache writes, not cache reads', async () => {
    const clock = new VirtualClock();
    // 1,000 input tokens a second: a capacity of 1,000 that refills 1 a ms.
    const gate = gateOf(clock, { itpm: 60_000 });
    const p = paramsOfTokens(900);
    const first = await admitted(gate, p);
    succeed(gate, first, {
      input_tokens: 100,
      cache_creation_input_tokens: 50,
      cache_read_input_tokens: 5000,
    });
    // Level 1,000 - 150 = 850: the next 900 waits 50 ms (without the correction it would wait 800).
    await admitted(gate, p);
    expect(clock.now()).toBe(50);
  });

  it('charges more when the real input passed the estimate', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { itpm: 60_000 });
    const p = paramsOfTokens(100);
    succeed(gate, await admitted(gate, p), { input_tokens: 1000 });
    // Level 1,000 - 1,000 = 0: the next 100 waits 100 ms.
    await admitted(gate, p);
    expect(clock.now()).toBe(100);
  });

  it('reserves max_tokens from otpm and refunds what was not produced, waking the waiting caller', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { otpm: 60_000 });
    const p = params('hi', { max_tokens: 800 });
    const first = await admitted(gate, p);
    let secondAt: number | null = null;
    const second = gate.admit(p).then((a) => {
      secondAt = clock.now();
      return a;
    });
    await clock.sleep(100);
    expect(secondAt).toBeNull();
    // 200 left + 100 refilled + 700 refunded: full again at 100 ms instead of 600 ms.
    succeed(gate, first, { output_tokens: 100 });
    expect((await second).ok).toBe(true);
    expect(secondAt).toBe(100);
  });

  it('refunds all reserved output of a failed attempt', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { otpm: 60_000 });
    const p = params('hi', { max_tokens: 1000 });
    gate.settle(await admitted(gate, p), { ok: false, error: apiError(500, 'api_error') });
    await admitted(gate, p);
    expect(clock.now()).toBe(0);
  });

  it('sends a request larger than the bucket alone once the bucket is full', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { itpm: 60_000 });
    const small = paramsOfTokens(20);
    const big = paramsOfTokens(3000);
    succeed(gate, await admitted(gate, small), { input_tokens: 20 });
    // Waits only until the bucket is full again (20 ms), not for 3,000 tokens it can never hold.
    succeed(gate, await admitted(gate, big), { input_tokens: 3000 });
    expect(clock.now()).toBe(20);
    // The big one left a debt of 2,000: nothing else goes until it is repaid and 20 more refilled.
    await admitted(gate, small);
    expect(clock.now()).toBe(20 + 2000 + 20);
  });

  it('serves callers in arrival order, so small requests cannot starve a large one', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { itpm: 60_000 });
    const order: string[] = [];
    const go = async (name: string, p: MessageParams) => {
      const ticket = await admitted(gate, p);
      order.push(`${name}@${clock.now()}`);
      succeed(gate, ticket, { input_tokens: estimateInputTokens(p) });
    };
    await Promise.all([
      go('a', paramsOfTokens(600)),
      go('big', paramsOfTokens(5000)),
      go('b', paramsOfTokens(600)),
    ]);
    // big leaves a debt of 4,000 at 600 ms; b needs 600 more: 600 + 4,000 + 600.
    expect(order).toEqual(['a@0', 'big@600', 'b@5200']);
  });
});

describe('DispatchGate pauses', () => {
  it('pauses every caller until the retry-after of a 429 that most requests in flight got', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxConcurrency: 4 });
    const tickets = await Promise.all([1, 2, 3, 4].map(() => admitted(gate, params())));
    const limited = () => apiError(429, 'rate_limit_error', { 'retry-after': '5' });
    gate.settle(tickets[0]!, { ok: false, error: limited() });
    gate.settle(tickets[1]!, { ok: false, error: limited() });
    gate.settle(tickets[2]!, { ok: false, error: limited() });
    gate.settle(tickets[3]!, {
      ok: true,
      usage: { input_tokens: 1, output_tokens: 1 },
      costNanos: 0,
      headers: {},
    });
    const times = await Promise.all(
      [1, 2, 3].map(async () => {
        succeed(gate, await admitted(gate, params()));
        return clock.now();
      }),
    );
    expect(times).toEqual([5000, 5000, 5000]);
    // Only the head of the line slept.
    expect(clock.sleeps).toEqual([5000]);
  });

  it('lets a stray 429 among successes delay only its own request, not everyone', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxConcurrency: 8 });
    for (let i = 0; i < 6; i += 1) succeed(gate, await admitted(gate, params()));
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(429, 'rate_limit_error', { 'retry-after': '5' }),
    });
    await admitted(gate, params());
    expect(clock.now()).toBe(0);
  });

  it('reads retry-after-ms first and caps a pause at maxPauseMs', async () => {
    const clock = new VirtualClock();
    // One request in flight: its 429 is a 429 from every request in flight.
    const gate = gateOf(clock, { maxPauseMs: 10_000, maxConcurrency: 1 });
    const headers = { 'retry-after-ms': '1500', 'retry-after': '9' };
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(429, 'rate_limit_error', headers),
    });
    await admitted(gate, params());
    expect(clock.now()).toBe(1500);
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(429, 'rate_limit_error', { 'retry-after': '3600' }),
    });
    await admitted(gate, params());
    expect(clock.now()).toBe(1500 + 10_000);
  });

  it('does not pause for a 529, and admits nothing more after the spend cap', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxConcurrency: 1 });
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(529, 'overloaded_error', { 'retry-after': '5' }),
    });
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(429, 'rate_limit_error', {}, { error_code: 'enforced_spend_limit_reached' }),
    });
    expect(clock.now()).toBe(0);
    expect(await gate.admit(params())).toEqual({ ok: false, reason: 'aborted' });
  });

  it('pauses until the reset of a rate-limit header whose remaining is near zero', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock);
    const reset = new Date(EPOCH + 7000).toISOString();
    succeed(
      gate,
      await admitted(gate, params()),
      {},
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '10',
        'anthropic-ratelimit-requests-reset': reset,
      },
    );
    await admitted(gate, params());
    expect(clock.now()).toBe(0);
    succeed(
      gate,
      await admitted(gate, params()),
      {},
      {
        'anthropic-ratelimit-input-tokens-limit': '40000',
        'anthropic-ratelimit-input-tokens-remaining': '0',
        'anthropic-ratelimit-input-tokens-reset': reset,
      },
    );
    await admitted(gate, params());
    expect(clock.now()).toBe(7000);
  });

  it('heeds rate-limit headers carried by a failed attempt, taking the later of them and retry-after', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxConcurrency: 1 });
    const headers = {
      'retry-after': '2',
      'anthropic-ratelimit-output-tokens-remaining': '0',
      'anthropic-ratelimit-output-tokens-reset': new Date(EPOCH + 3000).toISOString(),
    };
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(429, 'rate_limit_error', headers),
    });
    await admitted(gate, params());
    expect(clock.now()).toBe(3000);
  });

  it('answers aborted to callers waiting in a pause or in line when their signal aborts', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxConcurrency: 1 });
    gate.settle(await admitted(gate, params()), {
      ok: false,
      error: apiError(429, 'rate_limit_error', { 'retry-after': '30' }),
    });
    const head = new AbortController();
    const queued = new AbortController();
    const waiting = [gate.admit(params(), head.signal), gate.admit(params(), queued.signal)];
    const third = gate.admit(params());
    await idle();
    queued.abort();
    head.abort();
    expect(await Promise.all(waiting)).toEqual([
      { ok: false, reason: 'aborted' },
      { ok: false, reason: 'aborted' },
    ]);
    // The one behind them still gets in, when the pause ends.
    expect((await third).ok).toBe(true);
    expect(clock.now()).toBe(30_000);
    expect(await gate.admit(params(), AbortSignal.abort())).toEqual({ ok: false, reason: 'aborted' });
  });
});

describe('DispatchGate adaptive concurrency', () => {
  it('moves concurrency on whole windows of attempts, not on one 529', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const gate = gateOf(clock, { maxConcurrency: 16, onConcurrencyChange: (n) => seen.push(n) });
    gate.settle(await admitted(gate, params()), { ok: false, error: apiError(529, 'overloaded_error') });
    expect(gate.concurrency).toBe(16);
    // Most of 32 attempts overloaded (20): halve, without waiting for the window's end.
    for (let i = 0; i < 19; i += 1)
      gate.settle(await admitted(gate, params()), { ok: false, error: apiError(529, 'overloaded_error') });
    for (let i = 0; i < 12; i += 1) succeed(gate, await admitted(gate, params()));
    expect([gate.concurrency, gate.shrinks, seen]).toEqual([8, 1, [8]]);
  });

  it('counts overloaded_error inside a 200 stream as congestion, and a 500 or a reset socket as neither', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxConcurrency: 16 });
    const connection = new ConnectionError({ reason: 'socket closed' });
    for (let i = 0; i < 40; i += 1) {
      gate.settle(await admitted(gate, params()), { ok: false, error: apiError(500, 'api_error') });
      gate.settle(await admitted(gate, params()), { ok: false, error: connection });
    }
    expect(gate.concurrency).toBe(16);
    for (let i = 0; i < 32; i += 1)
      gate.settle(await admitted(gate, params()), { ok: false, error: apiError(200, 'overloaded_error') });
    expect(gate.concurrency).toBe(8);
  });

  it('lets congestion retries back off longer only while most attempts are congested', async () => {
    const gate = gateOf(new VirtualClock(), { maxConcurrency: 16 });
    const overloaded = () => apiError(529, 'overloaded_error');
    expect(gate.backoffEscalates).toBe(false);
    // A quarter of the attempts overloaded: a 529 now and then, the next try soon.
    for (let i = 0; i < 32; i += 1) {
      const ticket = await admitted(gate, params());
      if (i % 4 === 0) gate.settle(ticket, { ok: false, error: overloaded() });
      else succeed(gate, ticket);
    }
    expect(gate.backoffEscalates).toBe(false);
    // Then most of them: the server is swamped or down, and needs time.
    for (let i = 0; i < 12; i += 1)
      gate.settle(await admitted(gate, params()), { ok: false, error: overloaded() });
    expect(gate.backoffEscalates).toBe(true);
  });

  it('admits nothing more once an attempt got a 401, even before the run has recorded it', async () => {
    const gate = gateOf(new VirtualClock());
    gate.settle(await admitted(gate, params()), { ok: false, error: apiError(401, 'authentication_error') });
    expect(await gate.admit(params())).toEqual({ ok: false, reason: 'aborted' });
  });

  it('refuses to settle a ticket twice', async () => {
    const gate = gateOf(new VirtualClock());
    const ticket = await admitted(gate, params());
    succeed(gate, ticket);
    expect(() => succeed(gate, ticket)).toThrow(/already settled/);
  });
});

describe('DispatchGate budget', () => {
  // haiku: $0.25 / $1.25 per million. max_tokens 1,000 → $0.00125 of output in the worst case.
  const p = params('hello', { max_tokens: 1000 });
  const worstNanos =
    DEFAULT_PRICES.costNanos(HAIKU, { input_tokens: estimateInputTokens(p), output_tokens: 1000 }) ?? 0;
  const worstUsd = worstNanos / 1e9;

  it('reserves the worst case, waits for requests in flight, and reconciles with the real cost', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxCostUsd: worstUsd * 2.5 });
    const a = await admitted(gate, p);
    const b = await admitted(gate, p);
    expect(gate.budget?.spentNanos).toBe(0);
    let third: AttemptTicket | null = null;
    const pending = admitted(gate, p).then((t) => {
      third = t;
    });
    await idle();
    expect(third).toBeNull(); // a third worst case does not fit beside two
    const usage = { input_tokens: 10, output_tokens: 20 };
    succeed(gate, a, usage); // real cost 10 * 0.25 + 20 * 1.25 = 27.5 micro-dollars
    await pending;
    expect(third).not.toBeNull();
    expect(gate.budget?.spentNanos).toBe(27_500);
    gate.settle(b, { ok: false, error: apiError(500, 'api_error') }); // nothing billed
    expect(gate.budget?.spentNanos).toBe(27_500);
  });

  it('refuses a request whose worst case could pass the budget once nothing is in flight', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxCostUsd: worstUsd * 1.5 });
    const a = await admitted(gate, p);
    const refused = gate.admit(p);
    await idle();
    // Real cost 0.6 of the worst case: 0.9 left of the budget, less than one more worst case.
    const usage = { input_tokens: 0, output_tokens: 600 };
    gate.settle(a, { ok: true, usage, costNanos: DEFAULT_PRICES.costNanos(HAIKU, usage), headers: {} });
    expect(await refused).toEqual({ ok: false, reason: 'over_budget' });
    expect(gate.budget).toEqual({ limitNanos: Math.floor(worstNanos * 1.5), spentNanos: 750_000 });
  });

  it('skips at once a request whose worst case alone does not fit what is left, without waiting for those in flight', async () => {
    const clock = new VirtualClock();
    const gate = gateOf(clock, { maxCostUsd: worstUsd * 1.5 });
    await admitted(gate, params('hello', { max_tokens: 100 }));
    const huge = params('hello', { max_tokens: 2000 }); // twice the budget's worth of output
    expect(await gate.admit(huge)).toEqual({ ok: false, reason: 'over_budget' });
    expect(clock.now()).toBe(0);
    expect((await gate.admit(params('hello', { max_tokens: 100 }))).ok).toBe(true);
  });

  it('records the worst case when the real cost cannot be computed', async () => {
    const gate = gateOf(new VirtualClock(), { maxCostUsd: 1 });
    const a = await admitted(gate, p);
    gate.settle(a, { ok: true, usage: { input_tokens: 1, output_tokens: 1 }, costNanos: null, headers: {} });
    expect(gate.budget?.spentNanos).toBe(worstNanos);
  });

  it('prices a request that writes the cache at the 1 h cache-write price', async () => {
    const cached = params('hello', {
      max_tokens: 1000,
      system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
    });
    // 2x the input price on the input estimate, plus max_tokens of output.
    const worst = estimateInputTokens(cached) * 0.25 * 2 * 1000 + 1000 * 1.25 * 1000;
    const gate = gateOf(new VirtualClock(), { maxCostUsd: 1 });
    const ticket = await admitted(gate, cached);
    gate.settle(ticket, {
      ok: true,
      usage: { input_tokens: 1, output_tokens: 1 },
      costNanos: null,
      headers: {},
    });
    expect(gate.budget?.spentNanos).toBe(worst);
  });

  it('refuses a model without a price under --max-cost, and admits it without a budget', async () => {
    const mystery = params('hello', { model: 'mystery-model-1' });
    const budgeted = gateOf(new VirtualClock(), { maxCostUsd: 100 });
    expect(await budgeted.admit(mystery)).toEqual({ ok: false, reason: 'unknown_price' });
    expect(budgeted.budget?.spentNanos).toBe(0);
    expect((await gateOf(new VirtualClock()).admit(mystery)).ok).toBe(true);
    expect(gateOf(new VirtualClock()).budget).toBeNull();
  });
});
