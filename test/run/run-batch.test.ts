import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import type { ErroredLine, SucceededLine } from '../../src/types.js';
import { whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { byId, requestLine, runLines, TEST_KEY } from '../helpers/run-helpers.js';

const params = {
  model: 'claude-3-haiku-20240307',
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hi' }],
};

describe('runBatch', () => {
  it('reads all three line formats and names lines without custom_id by line number', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const lines = [
      JSON.stringify({ custom_id: 'batch-item', params }),
      '',
      JSON.stringify(params),
      JSON.stringify({ custom_id: 'openai-style', method: 'POST', url: '/v1/messages', body: params }),
    ];
    const { results, report } = await runLines(server, dir, lines);
    expect(results.map((r) => [r.custom_id, r.line, r.result.type]).sort()).toEqual([
      ['batch-item', 1, 'succeeded'],
      ['line-3', 3, 'succeeded'],
      ['openai-style', 4, 'succeeded'],
    ]);
    expect(server.requests).toHaveLength(3);
    for (const req of server.requests) expect(req.body).toEqual(params);
    expect(report.summary.requests).toEqual({
      total: 3,
      succeeded: 3,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: 0,
    });
  });

  it('sends the key, version and content type the protocol asks for to the Messages path', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    await runLines(server, dir, [requestLine('a', 'hello')]);
    const [req] = server.requests;
    expect(req?.path).toBe('/v1/messages');
    expect(req?.method).toBe('POST');
    expect(req?.headers['x-api-key']).toBe(TEST_KEY);
    expect(req?.headers['anthropic-version']).toBe('2023-06-01');
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('turns bad lines into errored results naming file, line and field, and sends the rest', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const lines = [
      '{not json',
      JSON.stringify({ custom_id: 'mt', params: { ...params, max_tokens: '64' } }),
      JSON.stringify({ custom_id: 'bad id!', params }),
      JSON.stringify({ custom_id: 'ok', params }),
      JSON.stringify({ custom_id: 'ok', params }),
      JSON.stringify({
        custom_id: 'nomodel',
        params: { max_tokens: 5, messages: [{ role: 'user', content: 'x' }] },
      }),
      JSON.stringify({ custom_id: 'role', params: { ...params, messages: [{ role: 'bot', content: 'x' }] } }),
      '[1,2]',
    ];
    const { results, report } = await runLines(server, dir, lines);
    expect(results).toHaveLength(8);
    expect(server.requests).toHaveLength(1);
    const errored = results.filter((r): r is ErroredLine => r.result.type === 'errored');
    expect(errored).toHaveLength(7);
    for (const r of errored) {
      expect(r.status).toBeNull();
      expect(r.attempts).toBe(0);
      expect(r.result.error.error.type).toBe('invalid_request_error');
    }
    const message = (line: number) => errored.find((r) => r.line === line)?.result.error.error.message;
    expect(message(1)).toMatch(/in\.jsonl:1: not valid JSON/);
    expect(message(2)).toMatch(/in\.jsonl:2: params\.max_tokens: expected a positive integer, got "64"$/);
    expect(message(3)).toMatch(/in\.jsonl:3: custom_id: expected 1 to 64 of a-z A-Z 0-9 _ -, got "bad id!"/);
    expect(message(5)).toMatch(/in\.jsonl:5: custom_id: "ok" repeats line 4/);
    expect(message(6)).toMatch(/in\.jsonl:6: params\.model: required/);
    expect(message(7)).toMatch(/in\.jsonl:7: params\.messages\[0\]\.role: expected one of/);
    expect(message(8)).toMatch(/in\.jsonl:8: expected a JSON object, got an array/);
    expect(errored.find((r) => r.line === 3)?.custom_id).toBe('line-3');
    expect(report.summary.errors_by_type).toEqual({ invalid_request_error: 7 });
  });

  it('fills in --model and --max-tokens for lines that lack them, and only those', async ({ dir, serve }) => {
    const server = await serve();
    const lines = [
      JSON.stringify({ messages: [{ role: 'user', content: 'a' }] }),
      JSON.stringify({
        model: 'claude-3-opus-20240229',
        max_tokens: 9,
        messages: [{ role: 'user', content: 'b' }],
      }),
    ];
    await runLines(server, dir, lines, { model: 'claude_3_haiku', maxTokens: 33 });
    const bodies = server.requests.map((r) => r.body as { model: string; max_tokens: number });
    expect(bodies.map((b) => [b.model, b.max_tokens]).sort()).toEqual([
      ['claude-3-opus-20240229', 9],
      ['claude_3_haiku', 33],
    ]);
  });

  it('passes unknown top-level params through and warns once per name', async ({ dir, serve }) => {
    const server = await serve();
    const lines = [1, 2, 3].map((i) =>
      JSON.stringify({
        custom_id: `u${i}`,
        params: { ...params, output_config: { effort: 'low' }, inference_geo: 'us' },
      }),
    );
    const { warnings } = await runLines(server, dir, lines);
    expect(server.requests.map((r) => (r.body as { output_config: unknown }).output_config)).toEqual([
      { effort: 'low' },
      { effort: 'low' },
      { effort: 'low' },
    ]);
    expect(warnings.filter((w) => w.includes('unknown parameter'))).toHaveLength(2);
    expect(warnings.some((w) => w.includes('"output_config"'))).toBe(true);
    expect(warnings.some((w) => w.includes('"inference_geo"'))).toBe(true);
  });

  it('writes usage and cost from the price table, and leaves an unknown model unpriced', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const lines = [
      requestLine('known', 'price me'),
      JSON.stringify({ custom_id: 'unknown', params: { ...params, model: 'claude-mystery-9' } }),
    ];
    const { results, report, warnings } = await runLines(server, dir, lines);
    const known = byId(results).get('known') as SucceededLine;
    const { input_tokens, output_tokens } = known.usage;
    expect(input_tokens).toBeGreaterThan(0);
    expect(known.cost_usd).toBeCloseTo((input_tokens * 0.25 + output_tokens * 1.25) / 1e6, 12);
    expect((byId(results).get('unknown') as SucceededLine).cost_usd).toBeNull();
    expect(report.summary.cost_complete).toBe(false);
    expect(report.summary.unpriced_models).toEqual(['claude-mystery-9']);
    expect(report.summary.by_model['claude-mystery-9']?.cost_usd).toBeNull();
    expect(report.summary.cost_usd).toBeCloseTo(known.cost_usd ?? Number.NaN, 12);
    expect(warnings.filter((w) => w.includes('claude-mystery-9'))).toHaveLength(1);
  });

  it('stops dispatching at the first 401, does not write unsent requests, and counts every one of them', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: () => faults.authenticationFailed() });
    const lines = Array.from({ length: 40 }, (_, i) => requestLine(`r${i}`, `prompt ${i}`));
    const { results, report } = await runLines(server, dir, lines, { concurrency: 2 });
    expect(report.stop?.reason).toBe('auth');
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(results).toHaveLength(server.requests.length);
    expect(results.every((r) => r.result.type === 'errored' && (r as ErroredLine).status === 401)).toBe(true);
    // Cut off or never read for dispatch, every line without a result is counted: a later run sends it.
    expect(report.notSent).toBe(40 - results.length);
    expect(report.summary.requests.not_sent).toBe(40 - results.length);
    expect(report.inputRead).toBe(true);
  });

  it('stops at the spend cap, but retries a plain 429', async ({ dir, serve }) => {
    const server = await serve({
      fault: whenPrompt('cap', () => faults.spendCapReached()),
    });
    const lines = [
      requestLine('capped', 'cap'),
      ...Array.from({ length: 20 }, (_, i) => requestLine(`r${i}`, `p${i}`)),
    ];
    const { report, results } = await runLines(server, dir, lines, { concurrency: 1 });
    expect(report.stop?.reason).toBe('spend_cap');
    expect(results).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  it('never writes the API key, even when the gateway echoes it in an error', async ({ dir, serve }) => {
    const server = await serve({
      fault: () => faults.apiError(400, 'invalid_request_error', `bad header x-api-key: ${TEST_KEY}`),
    });
    const { output, report, warnings } = await runLines(server, dir, [requestLine('a', 'x')]);
    const written = readFileSync(output, 'utf8');
    expect(written).toContain('[redacted]');
    expect(written).not.toContain(TEST_KEY);
    expect(JSON.stringify(report)).not.toContain(TEST_KEY);
    expect(warnings.join('\n')).not.toContain(TEST_KEY);
  });

  it('never keeps part of the key when a quoted body is shortened', async ({ dir, serve }) => {
    // The key straddles the 200-character cut of the quoted HTML body.
    const page = `<html><body>${'x'.repeat(180)} key=${TEST_KEY} rejected</body></html>`;
    const server = await serve({ fault: () => faults.rawResponse(400, 'text/html', page) });
    const { output } = await runLines(server, dir, [requestLine('a', 'x')]);
    const written = readFileSync(output, 'utf8');
    for (let i = 0; i + 8 <= TEST_KEY.length; i++) expect(written).not.toContain(TEST_KEY.slice(i, i + 8));
  });

  it('writes a request nested too deeply to be sent as errored and goes on', async ({ dir, serve }) => {
    const server = await serve();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const line = `{"custom_id":"deep","params":{"model":"claude-3-haiku-20240307","max_tokens":5,"messages":[{"role":"user","content":"x"}],"extra":${deep}}}`;
    const { results } = await runLines(server, dir, [requestLine('a', 'one'), line, requestLine('b', 'two')]);
    expect(results).toHaveLength(3);
    const bad = results.find((r) => r.custom_id === 'deep') as ErroredLine;
    expect(bad.result.error.error.message).toMatch(/in\.jsonl:2: params\.extra\[0\].*: nested too deeply/);
    expect(server.requests).toHaveLength(2);
  });

  it('writes one line per non-blank input line, at every concurrency', async ({ dir, serve }) => {
    const server = await serve({ latencyMs: 1 });
    const lines = Array.from({ length: 200 }, (_, i) => (i % 17 === 0 ? '' : requestLine(`r${i}`, `p${i}`)));
    for (const concurrency of [1, 7, 64]) {
      const run = await runLines(server, dir, lines, {
        concurrency,
        outputPath: `${dir}/out-${concurrency}.jsonl`,
      });
      const results = run.results;
      expect(results).toHaveLength(lines.filter((l) => l !== '').length);
      expect(new Set(results.map((r) => r.custom_id)).size).toBe(results.length);
      expect(run.report.summary.requests.succeeded).toBe(results.length);
    }
    expect(server.stats.peakInFlight).toBeLessThanOrEqual(64);
  });
});
