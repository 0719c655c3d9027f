/** runBatch as a library user calls it: provider presets, the key, callbacks, the summary, the signal. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { faults } from '../../src/mock/faults.js';
import { runBatch } from '../../src/run/run-batch.js';
import type { ResultLine } from '../../src/types.js';
import { whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const lines = (n: number) => Array.from({ length: n }, (_, i) => requestLine(`r${i}`, `prompt ${i}`));

describe('runBatch', () => {
  it('sends with the preset of the provider it is given, littlepig by default', async ({ dir, serve }) => {
    const server = await serve();
    const inputPath = writeInput(dir, lines(1));
    const outputPath = join(dir, 'out.jsonl');
    await runBatch({ inputPath, outputPath, baseUrl: server.url, apiKey: TEST_KEY });
    await runBatch({
      inputPath,
      outputPath,
      baseUrl: server.url,
      apiKey: TEST_KEY,
      provider: 'aimlapi',
      overwrite: true,
    });
    const [littlepig, aimlapi] = server.requests;
    expect(littlepig?.path).toBe('/v1/messages');
    expect(littlepig?.headers['x-api-key']).toBe(TEST_KEY);
    expect(aimlapi?.path).toBe('/messages');
    expect(aimlapi?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('reads the key from the environment as the CLI does when apiKey is absent', async ({ dir, serve }) => {
    const server = await serve();
    const inputPath = writeInput(dir, lines(1));
    const common = {
      inputPath,
      outputPath: join(dir, 'out.jsonl'),
      baseUrl: server.url,
      overwrite: true,
    };
    vi.stubEnv('LP_API_KEY', '');
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    await expect(runBatch(common)).rejects.toThrow('no API key: set LP_API_KEY or ANTHROPIC_API_KEY');
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-from-anthropic-variable');
    await runBatch(common);
    vi.stubEnv('MY_KEY', 'sk-from-my-variable');
    await runBatch({ ...common, apiKeyEnv: 'MY_KEY' });
    expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual([
      'sk-from-anthropic-variable',
      'sk-from-my-variable',
    ]);
  });

  it('calls onResult once per line written, in the order written, with the line as written', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: whenPrompt('prompt 3', faults.invalidRequest('no')) });
    const outputPath = join(dir, 'out.jsonl');
    const seen: ResultLine[] = [];
    await runBatch({
      inputPath: writeInput(dir, [...lines(6), '{not json']),
      outputPath,
      baseUrl: server.url,
      apiKey: TEST_KEY,
      concurrency: 3,
      onResult: (line) => seen.push(line),
    });
    const written = readFileSync(outputPath, 'utf8').trimEnd().split('\n');
    expect(seen.map((line) => JSON.stringify(line))).toEqual(written);
    expect(
      seen
        .filter((line) => line.result.type === 'errored')
        .map((line) => line.custom_id)
        .sort(),
    ).toEqual(['line-7', 'r3']);
  });

  it('resolves with the summary that the summary file holds', async ({ dir }) => {
    const summary = join(dir, 'summary.json');
    const report = await runBatch({
      inputPath: writeInput(dir, lines(4)),
      outputPath: join(dir, 'out.jsonl'),
      provider: 'mock',
      summary,
    });
    expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual(report.summary);
    expect(report.summary.requests).toEqual({
      total: 4,
      succeeded: 4,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: 0,
    });
    expect(report.stop).toBeNull();
  });

  it('stops as Ctrl-C does when its signal aborts, and says so', async ({ dir, serve }) => {
    const server = await serve();
    const stop = new AbortController();
    const outputPath = join(dir, 'out.jsonl');
    const report = await runBatch({
      inputPath: writeInput(dir, lines(30)),
      outputPath,
      baseUrl: server.url,
      apiKey: TEST_KEY,
      concurrency: 2,
      signal: stop.signal,
      onResult: () => stop.abort(),
    });
    expect(report.stop).toEqual({ reason: 'interrupted', message: 'interrupted' });
    const written = readResults(outputPath);
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(written.length).toBeLessThan(30);
    // Everything sent was finished and written; the rest is left for a later run.
    expect(written).toHaveLength(server.requests.length);
    expect(report.notSent).toBeGreaterThan(0);
  });

  it('refuses a bad option before anything is sent, naming it as the CLI does', async ({ dir, serve }) => {
    const server = await serve();
    const inputPath = writeInput(dir, lines(1));
    const outputPath = join(dir, 'out.jsonl');
    const bad = runBatch({ inputPath, outputPath, baseUrl: server.url, apiKey: TEST_KEY, concurrency: 0 });
    await expect(bad).rejects.toThrow(UsageError);
    await expect(bad).rejects.toThrow('Expected `--concurrency` to be a whole number >= 1, got `0`');
    await expect(runBatch({ inputPath: 'missing.jsonl', outputPath, provider: 'mock' })).rejects.toThrow(
      'input file not found: missing.jsonl',
    );
    await expect(runBatch({ inputPath, outputPath, baseUrl: server.url, apiKey: ' ' })).rejects.toThrow(
      'Expected `apiKey` to be a non-empty string',
    );
    expect(server.requests).toHaveLength(0);
  });
});
