import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { type Fault, faults } from '../../src/mock/faults.js';
import { type FaultRule, failFirst, whenPrompt } from '../helpers/fake-anthropic.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';

/** One request against a simulator answering by `rule`. */
async function runOne({ dir, serve }: RunFixtures, rule: FaultRule, opts = {}) {
  const server = await serve({ fault: rule });
  const run = await runLines(server, dir, [requestLine('only', 'hello there')], {
    maxRetries: 3,
    ...opts,
  });
  expect(run.results).toHaveLength(1);
  return { ...run, result: run.results[0] as unknown as AnyResult, server };
}

const retried: Array<[string, Fault]> = [
  ['529 overloaded_error', faults.overloaded()],
  ['429 rate_limit_error with retry-after-ms 0', faults.rateLimited({ retryAfterMs: 0 })],
  ['500 api_error', faults.internalError()],
  ['502 with an HTML body', faults.badGatewayHtml()],
  ['503', faults.apiError(503, 'api_error', 'unavailable')],
  ['504 timeout_error', faults.apiError(504, 'timeout_error', 'timeout')],
  ['408', faults.apiError(408, 'timeout_error', 'request timeout')],
  ['409 conflict_error', faults.apiError(409, 'conflict_error', 'conflict')],
  ['599, another 5xx', faults.apiError(599, 'api_error', 'odd')],
  ['a dropped socket', faults.drop()],
  ['a truncated body', faults.truncate()],
  ['a 200 whose body is not JSON', faults.invalidJson()],
];

describe('retries', () => {
  it.for(retried)('retries %s and succeeds on the third attempt', async ([, fault], { dir, serve }) => {
    const { result, server: s } = await runOne({ dir, serve }, failFirst(2, fault));
    expect(result.result.type).toBe('succeeded');
    expect(result.attempts).toBe(3);
    expect(s.requests).toHaveLength(3);
    expect(result.usage.output_tokens).toBeGreaterThan(0);
  });

  const notRetried: Array<[string, Fault, number, string]> = [
    ['400 invalid_request_error', faults.invalidRequest('messages: bad'), 400, 'invalid_request_error'],
    ['404 not_found_error', faults.apiError(404, 'not_found_error', 'model: nope'), 404, 'not_found_error'],
    ['402 billing_error', faults.apiError(402, 'billing_error', 'pay up'), 402, 'billing_error'],
    ['413 with a non-JSON body', faults.requestTooLarge(), 413, 'request_too_large'],
  ];
  it.for(notRetried)(
    'does not retry %s and writes it as errored',
    async ([, fault, status, type], { dir, serve }) => {
      const { result, server: s } = await runOne({ dir, serve }, () => fault);
      expect(s.requests).toHaveLength(1);
      expect(result.result.type).toBe('errored');
      expect(result.status).toBe(status);
      expect(result.attempts).toBe(1);
      expect(result.result.error.type).toBe('error');
      expect(result.result.error.error.type).toBe(type);
      expect(result.result.error.request_id).toBe('req_mock_1');
    },
  );

  it('gives up after --max-retries and writes the last error', async ({ dir, serve }) => {
    const {
      result,
      server: s,
      report,
    } = await runOne({ dir, serve }, () => faults.overloaded(), { maxRetries: 2 });
    expect(s.requests).toHaveLength(3);
    expect(result.result.type).toBe('errored');
    expect(result.status).toBe(529);
    expect(result.attempts).toBe(3);
    expect(result.result.error.error.type).toBe('overloaded_error');
    // The gateway's own message, as Anthropic's batch results carry it: status and type have their fields.
    expect(result.result.error.error.message).toBe('Overloaded');
    expect(result).toMatchObject({ error_kind: 'http_error' });
    expect(report.summary.retries_by_type).toEqual({ overloaded_error: 2 });
    expect(report.summary.errors_by_type).toEqual({ overloaded_error: 1 });
    expect(report.summary.errors_by_kind).toEqual({ http_error: 1 });
  });

  it('obeys x-should-retry: false on a 529 and x-should-retry: true on a 400', async ({ dir, serve }) => {
    const no = await runOne({ dir, serve }, () =>
      faults.apiError(529, 'overloaded_error', 'x', { 'x-should-retry': 'false' }),
    );
    expect(no.server.requests).toHaveLength(1);
    const yes = await runOne(
      { dir, serve },
      failFirst(1, faults.apiError(400, 'invalid_request_error', 'x', { 'x-should-retry': 'true' })),
      { outputPath: join(dir, 'out-2.jsonl') },
    );
    expect(yes.server.requests).toHaveLength(2);
    expect(yes.result.result.type).toBe('succeeded');
  });

  it('waits what retry-after-ms says, else retry-after seconds, capped by --max-retry-wait', async ({
    dir,
    serve,
  }) => {
    const { clock } = await runOne(
      { dir, serve },
      (req) =>
        [
          faults.rateLimited({ retryAfterMs: 1234, retryAfter: 99 }),
          faults.rateLimited({ retryAfter: 7 }),
          faults.rateLimited({ retryAfter: 3600 }),
        ][req.n - 1],
      { maxRetryWait: 60 },
    );
    expect(clock.sleeps).toEqual([1234, 7000, 60_000]);
  });

  it('reads retry-after as an HTTP date', async ({ dir, serve }) => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const { clock } = await runOne({ dir, serve }, failFirst(1, faults.rateLimited({ retryAfter: at })));
    // The retry's own wait; the pause it also puts on all dispatching ends within the same few ms.
    expect(clock.sleeps.slice(1).every((ms) => ms <= 5)).toBe(true);
    expect(clock.sleeps[0]).toBeGreaterThan(25_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(30_000);
  });

  it('backs off exponentially with jitter when the server gives no wait', async ({ dir, serve }) => {
    const { clock } = await runOne({ dir, serve }, failFirst(4, faults.overloaded()), { maxRetries: 5 });
    // random() is 0.5 in tests: each wait is 0.5 s * 2^(n-1) less 12.5 %.
    expect(clock.sleeps).toEqual([438, 875, 1750, 3500]);
  });

  it('retries an attempt that exceeds --timeout', async ({ dir, serve }) => {
    const { result, server: s } = await runOne({ dir, serve }, failFirst(1, faults.hang()), { timeout: 0.1 });
    expect(s.requests).toHaveLength(2);
    expect(result.result.type).toBe('succeeded');
    expect(result.attempts).toBe(2);
  });

  it('retries only the request that failed, not its neighbours', async ({ dir, serve }) => {
    const server = await serve({ fault: whenPrompt('flaky', failFirst(2, faults.overloaded())) });
    const lines = ['a', 'flaky', 'b', 'c'].map((p, i) => requestLine(`r${i}`, p));
    const { results } = await runLines(server, dir, lines, { maxRetries: 3 });
    expect(results).toHaveLength(4);
    expect(server.requests).toHaveLength(6);
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    expect(results.find((r) => r.custom_id === 'r1')?.attempts).toBe(3);
  });
});
