import { describe, expect, it } from 'vitest';
import { RateLimiter, type RateLimitTicket } from '../../src/limits/rate-limiter.js';
import type { Usage } from '../../src/types.js';

function ticketOf(decision: ReturnType<RateLimiter['reserve']>): RateLimitTicket {
  if (!decision.ok) throw new Error(`expected a ticket, got a wait of ${decision.waitMs} ms`);
  return decision.ticket;
}

describe('RateLimiter', () => {
  it('lets everything through at once when no rate is set', () => {
    const limiter = new RateLimiter({ now: 0 });
    for (let i = 0; i < 1000; i += 1) {
      expect(limiter.reserve({ inputTokens: 1e6, maxTokens: 1e5 }, 0).ok).toBe(true);
    }
  });

  it('answers with the wait of the slowest bucket and charges nothing while waiting', () => {
    // rpm 600: 10 requests a second; itpm 60,000: 1,000 tokens a second, refills 1 per ms.
    const limiter = new RateLimiter({ rpm: 600, itpm: 60_000, now: 0 });
    ticketOf(limiter.reserve({ inputTokens: 800, maxTokens: 100 }, 0));
    expect(limiter.reserve({ inputTokens: 500, maxTokens: 100 }, 0)).toEqual({ ok: false, waitMs: 300 });
    // Nothing was charged by the refused attempt: the RPM bucket still has 9 requests.
    for (let i = 0; i < 9; i += 1) ticketOf(limiter.reserve({ inputTokens: 0, maxTokens: 1 }, 0));
    expect(limiter.reserve({ inputTokens: 0, maxTokens: 1 }, 0)).toEqual({ ok: false, waitMs: 100 });
  });

  it('corrects the input estimate with real usage, counting cache writes but not cache reads', () => {
    const limiter = new RateLimiter({ itpm: 60_000, now: 0 });
    const ticket = ticketOf(limiter.reserve({ inputTokens: 1000, maxTokens: 10 }, 0));
    limiter.settle(
      ticket,
      {
        input_tokens: 1200,
        output_tokens: 5,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 5000,
      },
      0,
    );
    // Charged 1,500 in all against a capacity of 1,000: a debt of 500 to repay before 100 more fit.
    expect(limiter.reserve({ inputTokens: 100, maxTokens: 1 }, 0)).toEqual({ ok: false, waitMs: 600 });
    expect(limiter.reserve({ inputTokens: 100, maxTokens: 1 }, 600).ok).toBe(true);
  });

  it('reserves max_tokens of output and refunds what was not produced', () => {
    // otpm 6,000: capacity 100, refills 0.1 per ms.
    const limiter = new RateLimiter({ otpm: 6000, now: 0 });
    const ticket = ticketOf(limiter.reserve({ inputTokens: 10, maxTokens: 100 }, 0));
    expect(limiter.reserve({ inputTokens: 10, maxTokens: 80 }, 0)).toEqual({ ok: false, waitMs: 800 });
    limiter.settle(ticket, { input_tokens: 10, output_tokens: 20 }, 0);
    expect(limiter.reserve({ inputTokens: 10, maxTokens: 80 }, 0).ok).toBe(true);
    expect(limiter.reserve({ inputTokens: 10, maxTokens: 1 }, 0)).toEqual({ ok: false, waitMs: 10 });
  });

  it('keeps the input charge and refunds all output when the attempt failed without usage', () => {
    const limiter = new RateLimiter({ itpm: 60_000, otpm: 6000, now: 0 });
    const ticket = ticketOf(limiter.reserve({ inputTokens: 1000, maxTokens: 100 }, 0));
    limiter.settle(ticket, null, 0);
    expect(limiter.reserve({ inputTokens: 0, maxTokens: 100 }, 0).ok).toBe(true);
    expect(limiter.reserve({ inputTokens: 1, maxTokens: 0 }, 0)).toEqual({ ok: false, waitMs: 1 });
  });

  it('leaves a charge as it was when the gateway omits that count', () => {
    const limiter = new RateLimiter({ otpm: 6000, now: 0 });
    const ticket = ticketOf(limiter.reserve({ inputTokens: 0, maxTokens: 100 }, 0));
    // A gateway's usage without output_tokens, which the Usage type does not allow.
    const partial = { input_tokens: 3 } as unknown as Usage;
    limiter.settle(ticket, partial, 0);
    expect(limiter.reserve({ inputTokens: 0, maxTokens: 1 }, 0)).toEqual({ ok: false, waitMs: 10 });
  });

  it('refuses to settle a ticket twice or one it did not hand out', () => {
    const limiter = new RateLimiter({ rpm: 60, now: 0 });
    const ticket = ticketOf(limiter.reserve({ inputTokens: 1, maxTokens: 1 }, 0));
    limiter.settle(ticket, null, 0);
    expect(() => limiter.settle(ticket, null, 0)).toThrow('already settled');
    expect(() => limiter.settle({ inputTokens: 1, maxTokens: 1 }, null, 0)).toThrow('not reserved here');
  });
});
