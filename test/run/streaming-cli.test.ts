/** `--stream` as a user runs it: the spawned, built CLI against its own simulator (`--provider mock`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { RunSummary } from '../../src/output/summary.js';
import { runCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, readResults } from '../helpers/run-helpers.js';

const HELLO = join(import.meta.dirname, '../../fixtures/hello.jsonl');
/** The one fixture line that asks to stream by itself, and its model (no other line uses it). */
const SELF_STREAMED = { id: 'streamed', model: 'claude_35_haiku' };

/** Runs the hello fixture through the CLI; returns its results by custom_id and its summary JSON. */
async function runHello(dir: string, name: string, extra: string[]) {
  const out = join(dir, `${name}.jsonl`);
  const summaryPath = join(dir, `${name}.summary.json`);
  const r = await runCli([
    'run',
    HELLO,
    out,
    '--provider',
    'mock',
    '--summary',
    summaryPath,
    '--progress',
    'none',
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
  const results = readResults(out) as unknown as AnyResult[];
  const nonBlank = readFileSync(HELLO, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  expect(results).toHaveLength(nonBlank.length);
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
  return { results: new Map(results.map((x) => [x.custom_id, x])), summary, stderr: r.stderr };
}

describe('lp-batch run --stream (spawned)', () => {
  it('finds exactly one line in the fixture that streams by itself', () => {
    const lines = readFileSync(HELLO, 'utf8').split('\n');
    const streaming = lines.filter((l) => /"stream":\s*true/.test(l));
    expect(streaming).toHaveLength(1);
    expect(streaming[0]).toContain(`"custom_id": "${SELF_STREAMED.id}"`);
    expect(lines.filter((l) => l.includes(`"${SELF_STREAMED.model}"`))).toHaveLength(1);
  });

  it('streams every request and writes the same content and usage as a run without it', async ({ dir }) => {
    const plain = await runHello(dir, 'plain', []);
    const streamed = await runHello(dir, 'streamed', ['--stream']);

    expect([...streamed.results.keys()].sort()).toEqual([...plain.results.keys()].sort());
    for (const [id, s] of streamed.results) {
      const p = plain.results.get(id);
      expect(s.result.type, id).toBe('succeeded');
      expect(p?.result.type, id).toBe('succeeded');
      const { id: _s, ...streamedMessage } = s.result.message;
      const { id: _p, ...plainMessage } = p?.result.message ?? {};
      expect(streamedMessage, id).toEqual(plainMessage);
      expect(s.usage, id).toEqual(p?.usage);
      expect(s.cost_usd, id).toBe(p?.cost_usd);
      // Only a streamed request has a first token to time.
      expect(s.ttft_ms, id).toBeGreaterThanOrEqual(0);
      expect(s.ttft_ms, id).toBeLessThanOrEqual(s.latency_ms);
      if (id === SELF_STREAMED.id) expect(p?.ttft_ms, id).toBeGreaterThanOrEqual(0);
      else expect(p, id).not.toHaveProperty('ttft_ms');
    }

    expect(streamed.summary.requests).toEqual(plain.summary.requests);
    expect(streamed.summary.usage).toEqual(plain.summary.usage);
    expect(streamed.summary.cost_usd).toBe(plain.summary.cost_usd);
    expect(Object.keys(streamed.summary.by_model).sort()).toEqual(Object.keys(plain.summary.by_model).sort());
    for (const [model, m] of Object.entries(streamed.summary.by_model)) {
      expect(m.ttft_ms.p50, model).not.toBeNull();
      expect(m.ttft_ms.p95, model).not.toBeNull();
      expect(m.latency_ms.p50, model).not.toBeNull();
      const plainTtft = plain.summary.by_model[model]?.ttft_ms;
      if (model === SELF_STREAMED.model) expect(plainTtft?.p50, model).not.toBeNull();
      else expect(plainTtft, model).toEqual({ p50: null, p95: null });
      expect(plain.summary.by_model[model]?.latency_ms.p95, model).not.toBeNull();
    }
    const ttftLines = (stderr: string) => stderr.split('\n').filter((l) => l.includes('time to first token'));
    expect(ttftLines(streamed.stderr)).toHaveLength(Object.keys(streamed.summary.by_model).length);
    expect(ttftLines(plain.stderr)).toEqual([expect.stringContaining(SELF_STREAMED.model)]);
  });
});
