/** `countTokens: 'api'`: the gateway's count_tokens, with the key, concurrency and retries of a run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { estimateWith } from '../../src/estimate/estimate.js';
import { faults } from '../../src/mock/faults.js';
import type { MockServer } from '../../src/mock/server.js';
import { countMockInputTokens } from '../../src/mock/tokens.js';
import type { MessageParams } from '../../src/types.js';
import { failFirst } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { instantClock, TEST_KEY } from '../helpers/run-helpers.js';
import { FIXTURE_LINES, writeFixture } from './fixture.js';

/** The fixture's valid requests, as the simulator counts them. */
function simulatorCounts(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of readFileSync(join(dir, 'in.jsonl'), 'utf8').split('\n')) {
    if (text === '' || text.includes('"64"')) continue;
    const { params } = JSON.parse(text) as { params: MessageParams };
    counts.set(params.model, (counts.get(params.model) ?? 0) + countMockInputTokens(params));
  }
  return counts;
}

async function countIn(dir: string, server: MockServer, extra: Record<string, unknown> = {}) {
  writeFixture(dir);
  const warnings: string[] = [];
  const { report } = await estimateWith(
    {
      inputPath: 'in.jsonl',
      countTokens: 'api',
      provider: 'anthropic',
      baseUrl: server.url,
      onWarning: (w) => warnings.push(w),
      ...extra,
    },
    { cwd: dir, env: { ANTHROPIC_API_KEY: TEST_KEY }, clock: instantClock() },
  );
  return { report, warnings, counted: server.requests.filter((r) => r.path.endsWith('/count_tokens')) };
}

const VALID = FIXTURE_LINES.filter((l) => l.inputTokens !== null).length;

describe('estimate with countTokens api', () => {
  it('asks the gateway for every valid request, with the key from the environment, and uses its counts', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const { report, warnings, counted } = await countIn(dir, server, { concurrency: 2 });
    expect(report.method).toBe('count_tokens_api');
    expect(warnings).toEqual([]);
    const expected = simulatorCounts(dir);
    expect(report.by_model['claude-haiku-4-5']?.input_tokens).toBe(expected.get('claude-haiku-4-5'));
    expect(report.by_model['my-model']?.input_tokens).toBe(expected.get('my-model'));
    expect(report.invalid_lines.map((l) => l.line)).toEqual([5]);

    expect(counted).toHaveLength(VALID);
    expect(server.requests).toHaveLength(VALID);
    for (const request of counted) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v1/messages/count_tokens');
      expect(request.headers['x-api-key']).toBe(TEST_KEY);
      // count_tokens refuses generation parameters: only what is counted is sent.
      expect(Object.keys(request.body as object).sort()).not.toContain('max_tokens');
    }
    expect(server.stats.peakInFlight).toBeLessThanOrEqual(2);
  });

  it('retries a 529 as a run does, and still counts every request', async ({ dir, serve }) => {
    const server = await serve({ fault: failFirst(2, faults.overloaded()) });
    const { report, counted } = await countIn(dir, server);
    expect(report.method).toBe('count_tokens_api');
    expect(counted).toHaveLength(VALID * 3);
    expect(report.input_tokens).toBe([...simulatorCounts(dir).values()].reduce((a, b) => a + b, 0));
  });

  it('names a gateway without count_tokens (404), asks it once, and estimates offline instead', async ({
    dir,
    serve,
  }) => {
    const server = await serve({
      fault: (r) =>
        r.path.endsWith('/count_tokens') ? faults.apiError(404, 'not_found_error', 'Not Found') : undefined,
    });
    const { report, warnings, counted } = await countIn(dir, server);
    expect(report.method).toBe('heuristic_fallback');
    expect(counted).toHaveLength(1);
    expect(warnings).toEqual([
      `the gateway does not offer count_tokens (POST ${server.url}/v1/messages/count_tokens: 404 not_found_error: Not Found (request-id req_mock_1)): input tokens are estimated offline instead (method "heuristic_fallback")`,
    ]);
    // The heuristic's counts, as worked out by hand in the fixture.
    expect(report.input_tokens).toBe(32 + 424 + 95 + 1614 + 16);
  });

  it('estimates offline only the requests the gateway could not count, and says how many', async ({
    dir,
    serve,
  }) => {
    // The API's own 404 for a model it does not know names the model: that request alone.
    const server = await serve({
      fault: (r) =>
        JSON.stringify(r.body).includes('my-model')
          ? faults.apiError(404, 'not_found_error', 'model: my-model')
          : undefined,
    });
    const { report, warnings } = await countIn(dir, server);
    expect(report.method).toBe('count_tokens_api+heuristic');
    expect(report.by_model['my-model']?.input_tokens).toBe(16);
    expect(report.by_model['claude-haiku-4-5']?.input_tokens).toBe(
      simulatorCounts(dir).get('claude-haiku-4-5'),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^1 request could not be counted by the gateway and were estimated offline \(the first: .*404 not_found_error: model: my-model/,
    );
  });

  it('stops with the key variable named when the gateway refuses the key, never the key itself', async ({
    dir,
    serve,
  }) => {
    const server = await serve({
      fault: () => faults.apiError(401, 'authentication_error', `invalid x-api-key ${TEST_KEY}`),
    });
    const error = await countIn(dir, server).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^the gateway refused the key from ANTHROPIC_API_KEY: .*401 authentication_error/,
    );
    expect(message).not.toContain(TEST_KEY);
    expect(message).toContain('[redacted]');
    // The first request is asked alone: the refusal stops the others before they are sent.
    expect(server.requests).toHaveLength(1);
  });

  it('needs a key for the gateway, and none offline', async ({ dir }) => {
    writeFixture(dir);
    await expect(
      estimateWith({ inputPath: 'in.jsonl', countTokens: 'api' }, { cwd: dir, env: {} }),
    ).rejects.toThrow(/^no API key: set LP_API_KEY or ANTHROPIC_API_KEY/);
    const { report } = await estimateWith({ inputPath: 'in.jsonl' }, { cwd: dir, env: {} });
    expect(report.method).toBe('heuristic');
  });
});
