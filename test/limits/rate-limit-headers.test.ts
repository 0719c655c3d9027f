import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, pauseFromRateLimitHeaders } from '../../src/limits/rate-limit-headers.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('parseRateLimitHeaders', () => {
  it('reads limit, remaining and reset of all four limits', () => {
    const parsed = parseRateLimitHeaders({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:01Z',
      'anthropic-ratelimit-tokens-limit': '100000',
      'anthropic-ratelimit-tokens-remaining': '90000',
      'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:06.500Z',
      'anthropic-ratelimit-input-tokens-limit': '80000',
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-input-tokens-reset': '2025-06-01T14:00:30+02:00',
      'anthropic-ratelimit-output-tokens-limit': '20000',
      'anthropic-ratelimit-output-tokens-remaining': '19000',
      'anthropic-ratelimit-output-tokens-reset': '2025-06-01T12:00:02Z',
      'request-id': 'req_1',
    });
    expect(parsed).toEqual({
      requests: { limit: 50, remaining: 49, resetAt: NOW + 1000 },
      tokens: { limit: 100_000, remaining: 90_000, resetAt: NOW + 6500 },
      inputTokens: { limit: 80_000, remaining: 0, resetAt: NOW + 30_000 },
      outputTokens: { limit: 20_000, remaining: 19_000, resetAt: NOW + 2000 },
    });
  });

  it('gives null for a limit with no headers and for each missing field', () => {
    const parsed = parseRateLimitHeaders({
      'anthropic-ratelimit-requests-remaining': '3',
      'anthropic-ratelimit-tokens-limit': undefined,
    });
    expect(parsed).toEqual({
      requests: { limit: null, remaining: 3, resetAt: null },
      tokens: null,
      inputTokens: null,
      outputTokens: null,
    });
    expect(parseRateLimitHeaders({})).toEqual({
      requests: null,
      tokens: null,
      inputTokens: null,
      outputTokens: null,
    });
  });

  it('turns garbage values into null instead of throwing', () => {
    const parsed = parseRateLimitHeaders({
      'anthropic-ratelimit-requests-limit': '12abc',
      'anthropic-ratelimit-requests-remaining': '',
      'anthropic-ratelimit-requests-reset': 'soon',
      'anthropic-ratelimit-tokens-limit': '-5',
      'anthropic-ratelimit-tokens-remaining': '1.5',
      'anthropic-ratelimit-tokens-reset': 'Sun, 01 Jun 2025 12:00:00 GMT',
      'anthropic-ratelimit-output-tokens-reset': '2025-13-45T99:00:00Z',
    });
    expect(parsed.requests).toEqual({ limit: null, remaining: null, resetAt: null });
    expect(parsed.tokens).toEqual({ limit: null, remaining: null, resetAt: null });
    expect(parsed.outputTokens).toEqual({ limit: null, remaining: null, resetAt: null });
  });

  it('matches header names in any case and trims values', () => {
    const parsed = parseRateLimitHeaders({
      'Anthropic-RateLimit-Requests-Limit': ' 60 ',
      'ANTHROPIC-RATELIMIT-REQUESTS-RESET': '2025-06-01T12:00:00.250Z ',
    });
    expect(parsed.requests).toEqual({ limit: 60, remaining: null, resetAt: NOW + 250 });
  });
});

describe('pauseFromRateLimitHeaders', () => {
  const window = (limit: number | null, remaining: number | null, resetInMs: number | null) => ({
    limit,
    remaining,
    resetAt: resetInMs === null ? null : NOW + resetInMs,
  });
  const none = { requests: null, tokens: null, inputTokens: null, outputTokens: null };

  it('does not pause while every limit has room', () => {
    expect(pauseFromRateLimitHeaders({ ...none, requests: window(50, 10, 5000) }, NOW)).toBe(0);
    expect(pauseFromRateLimitHeaders({ ...none, tokens: window(100_000, 2000, 5000) }, NOW)).toBe(0);
    expect(pauseFromRateLimitHeaders(none, NOW)).toBe(0);
  });

  it('pauses until reset when remaining is at most 1 or under 2 % of the limit', () => {
    expect(pauseFromRateLimitHeaders({ ...none, requests: window(50, 1, 1200) }, NOW)).toBe(1200);
    expect(pauseFromRateLimitHeaders({ ...none, requests: window(null, 0, 700) }, NOW)).toBe(700);
    expect(pauseFromRateLimitHeaders({ ...none, inputTokens: window(100_000, 1999, 3000) }, NOW)).toBe(3000);
  });

  it('takes the latest reset among the limits that are near zero', () => {
    const parsed = {
      requests: window(50, 0, 1000),
      tokens: window(100_000, 50_000, 30_000),
      inputTokens: window(80_000, 100, 4000),
      outputTokens: window(8000, 0, 2500),
    };
    expect(pauseFromRateLimitHeaders(parsed, NOW)).toBe(4000);
  });

  it('does not pause for a reset already past or unknown, and caps a far reset', () => {
    expect(pauseFromRateLimitHeaders({ ...none, requests: window(50, 0, -500) }, NOW)).toBe(0);
    expect(pauseFromRateLimitHeaders({ ...none, requests: window(50, 0, null) }, NOW)).toBe(0);
    expect(pauseFromRateLimitHeaders({ ...none, requests: window(50, 0, 3_600_000) }, NOW)).toBe(60_000);
    expect(
      pauseFromRateLimitHeaders({ ...none, requests: window(50, 0, 3_600_000) }, NOW, { maxPauseMs: 5000 }),
    ).toBe(5000);
  });

  it('follows the near-zero thresholds it is given', () => {
    const parsed = { ...none, requests: window(100, 5, 900) };
    expect(pauseFromRateLimitHeaders(parsed, NOW)).toBe(0);
    expect(pauseFromRateLimitHeaders(parsed, NOW, { nearRemaining: 5 })).toBe(900);
    expect(pauseFromRateLimitHeaders(parsed, NOW, { nearFraction: 0.1 })).toBe(900);
  });

  it('pauses on headers read from a response end to end', () => {
    const parsed = parseRateLimitHeaders({
      'anthropic-ratelimit-output-tokens-limit': '16000',
      'anthropic-ratelimit-output-tokens-remaining': '0',
      'anthropic-ratelimit-output-tokens-reset': '2025-06-01T12:00:03Z',
    });
    expect(pauseFromRateLimitHeaders(parsed, NOW)).toBe(3000);
  });
});
