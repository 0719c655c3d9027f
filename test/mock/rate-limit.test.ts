import { describe, expect } from 'vitest';
import { RequestLimit } from '../../src/mock/rate-limit.js';
import { it } from '../helpers/fixtures.js';
import { manualClock, params, post } from './support.js';

const T0 = Date.UTC(2025, 0, 1);

describe('RequestLimit', () => {
  it('admits a minute of requests at once, then refuses with the wait in whole seconds', () => {
    const limit = new RequestLimit(3, T0);
    const decisions = [0, 0, 0, 0].map(() => limit.admit(T0));
    expect(decisions.map((d) => d.admitted)).toEqual([true, true, true, false]);
    expect(decisions[2]?.headers).toEqual({
      'anthropic-ratelimit-requests-limit': '3',
      'anthropic-ratelimit-requests-remaining': '0',
      // Three requests refill at one per 20 s: full again after a minute.
      'anthropic-ratelimit-requests-reset': new Date(T0 + 60_000).toISOString(),
    });
    expect(decisions[3]).toMatchObject({
      admitted: false,
      retryAfterS: 20,
      headers: { 'retry-after': '20' },
    });
  });

  it('admits again once one request has refilled', () => {
    const limit = new RequestLimit(60, T0);
    for (let i = 0; i < 60; i++) expect(limit.admit(T0).admitted).toBe(true);
    expect(limit.admit(T0 + 999).admitted).toBe(false);
    expect(limit.admit(T0 + 1000).admitted).toBe(true);
  });
});

describe('rpm on the real server', () => {
  it('answers 429 rate_limit_error with retry-after past the limit, and admits again as the clock moves', async ({
    serve,
  }) => {
    const clock = manualClock(T0);
    const server = await serve({ rpm: 2, clock });
    const send = async () => {
      const res = await post(server.url, params());
      return {
        status: res.statusCode,
        headers: res.headers,
        body: (await res.body.json()) as Record<string, unknown>,
      };
    };
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.headers['anthropic-ratelimit-requests-limit']).toBe('2');
    expect(first.headers['anthropic-ratelimit-requests-remaining']).toBe('1');
    expect((await send()).status).toBe(200);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(refused.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    clock.advance(30_000);
    expect((await send()).status).toBe(200);
    expect(server.stats.rateLimited).toBe(1);
    expect(server.stats.byStatus).toEqual({ 200: 3, 429: 1 });
  });

  it('does not limit count_tokens or other endpoints', async ({ serve }) => {
    const clock = manualClock(T0);
    const server = await serve({ rpm: 1, clock });
    for (let i = 0; i < 3; i++) {
      const res = await post(server.url, params(), { path: '/v1/messages/count_tokens' });
      expect(res.statusCode).toBe(200);
      await res.body.text();
    }
  });
});
