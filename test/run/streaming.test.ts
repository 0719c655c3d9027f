/**
 * Streamed requests end to end through runBatch and the simulator: the assembled message equals the
 * non-streamed one, `--stream` forces streaming, ttft_ms is measured and summarised. Mid-stream
 * failures are in streaming-faults.test.ts, the spawned CLI in streaming-cli.test.ts.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import type { RunBatchOptions } from '../../src/run/run-batch.js';
import { type AnyResult, makeTempDir, requestLine, runLines } from '../helpers/run-helpers.js';

let server: MockServer | undefined;
let tmp: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  tmp.cleanup();
});

/** Runs `lines` into `name` and checks one result per non-blank input line; results by custom_id. */
async function runFile(s: MockServer, lines: string[], name: string, opts: Partial<RunBatchOptions> = {}) {
  const run = await runLines(s, tmp.dir, lines, { outputPath: join(tmp.dir, name), ...opts });
  expect(run.results).toHaveLength(lines.filter((l) => l.trim() !== '').length);
  const results = new Map(run.results.map((r) => [r.custom_id, r as unknown as AnyResult]));
  return { ...run, byId: results };
}

function get(results: Map<string, AnyResult>, id: string): AnyResult {
  const result = results.get(id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
}

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const LONG_PROMPT =
  'Summarize in detail: a batch runner reads a JSONL file, sends each request with bounded concurrency, retries what can be retried and writes one result per line.';

/** Prompts that exercise every block kind the simulator streams, with the stop reason each must end on. */
const CASES: Array<{ id: string; prompt: string; extra: Record<string, unknown>; stop: string }> = [
  { id: 'plain', prompt: 'What is a batch runner?', extra: {}, stop: 'end_turn' },
  { id: 'long', prompt: LONG_PROMPT, extra: { system: 'You are terse.', max_tokens: 200 }, stop: 'end_turn' },
  { id: 'unicode', prompt: 'héllo 🌍 世界, ça va? 🚀🚀', extra: {}, stop: 'end_turn' },
  {
    id: 'tool-forced',
    prompt: 'Weather in Paris?',
    extra: { tools: [WEATHER_TOOL], tool_choice: { type: 'tool', name: 'get_weather' } },
    stop: 'tool_use',
  },
  {
    id: 'tool-any',
    prompt: 'Weather in Oslo?',
    extra: { tools: [WEATHER_TOOL], tool_choice: { type: 'any' } },
    stop: 'tool_use',
  },
  {
    id: 'thinking',
    prompt: 'Think about the number 42 for a while',
    extra: { max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 } },
    stop: 'end_turn',
  },
  {
    id: 'thinking-tool',
    prompt: 'Think, then look up the weather in Rome',
    extra: {
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
    },
    stop: 'tool_use',
  },
  {
    id: 'stop-sequence',
    prompt: 'Say something',
    extra: { stop_sequences: ['never-there', 'simulator'] },
    stop: 'stop_sequence',
  },
  {
    id: 'max-tokens',
    prompt: 'Write a long essay about queues',
    extra: { max_tokens: 3 },
    stop: 'max_tokens',
  },
];

const caseLines = (extra: Record<string, unknown> = {}) =>
  CASES.map((c) => requestLine(c.id, c.prompt, { ...c.extra, ...extra }));

/** The message without its id: the id carries the simulator's request number, nothing else does. */
function withoutId(result: AnyResult) {
  const { id: _id, ...rest } = result.result.message;
  return rest;
}

describe('streamed requests', () => {
  it('gives the same content, usage and cost streamed (per line and with --stream) as not streamed', async () => {
    server = await startMockServer();
    const plain = await runFile(server, caseLines(), 'plain.jsonl');
    const perLine = await runFile(server, caseLines({ stream: true }), 'per-line.jsonl');
    const forced = await runFile(server, caseLines(), 'forced.jsonl', { stream: true });

    for (const c of CASES) {
      const expected = get(plain.byId, c.id);
      expect(expected.result.type, c.id).toBe('succeeded');
      expect(expected.result.message.stop_reason, c.id).toBe(c.stop);
      for (const streamed of [get(perLine.byId, c.id), get(forced.byId, c.id)]) {
        expect(streamed.result.type, c.id).toBe('succeeded');
        expect(streamed.attempts, c.id).toBe(1);
        expect(withoutId(streamed), c.id).toEqual(withoutId(expected));
        expect(streamed.usage, c.id).toEqual(expected.usage);
        expect(streamed.cost_usd, c.id).toBe(expected.cost_usd);
        expect(streamed.result.message.id, c.id).toMatch(/^msg_mock_\d+$/);
      }
    }
    expect(plain.report.summary.usage).toEqual(forced.report.summary.usage);
    expect(plain.report.summary.cost_usd).toBe(forced.report.summary.cost_usd);
  });

  it('assembles tool input as parsed JSON and thinking with its signature, as the JSON reply has them', async () => {
    server = await startMockServer();
    const run = await runFile(server, caseLines(), 'out.jsonl', { stream: true });
    const tool = get(run.byId, 'thinking-tool').result.message.content;
    expect(tool.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(tool[0]).toEqual({
      type: 'thinking',
      thinking: 'Thinking about: Think, then look up the weather in Rome',
      signature: 'mock-signature',
    });
    expect(tool[1]).toEqual({
      type: 'tool_use',
      id: 'toolu_mock_get_weather',
      name: 'get_weather',
      input: { location: 'mock location' },
    });
    const stopped = get(run.byId, 'stop-sequence').result.message;
    expect(stopped.stop_sequence).toBe('simulator');
    expect(stopped.content).toEqual([
      {
        type: 'text',
        text: 'Mock reply to: Say something This is a deterministic answer from the lp-batch ',
      },
    ]);
    const unicode = get(run.byId, 'unicode').result.message.content[0];
    expect(unicode?.text).toBe(
      'Mock reply to: héllo 🌍 世界, ça va? 🚀🚀 This is a deterministic answer from the lp-batch simulator.',
    );
  });

  it('sends every line as a stream under --stream, and only the lines that ask for it otherwise', async () => {
    server = await startMockServer();
    const lines = [
      requestLine('a', 'one'),
      requestLine('b', 'two', { stream: true }),
      requestLine('c', 'three'),
    ];
    await runFile(server, lines, 'mixed.jsonl');
    const asked = server.requests.map((r) => [...promptStream(r.body), r.headers.accept]).sort();
    expect(asked).toEqual([
      ['one', false, 'application/json'],
      ['three', false, 'application/json'],
      ['two', true, 'text/event-stream'],
    ]);

    server.requests.length = 0;
    await runFile(server, lines, 'forced.jsonl', { stream: true });
    expect(server.requests).toHaveLength(3);
    for (const r of server.requests) {
      expect(r.body).toMatchObject({ stream: true, model: 'claude-3-haiku-20240307', max_tokens: 50 });
      expect(r.headers.accept).toBe('text/event-stream');
    }
  });

  it('writes ttft_ms between 0 and latency_ms on streamed results and none on the others', async () => {
    server = await startMockServer({ latencyMs: 30 });
    const lines = [
      requestLine('s1', 'streamed one', { stream: true }),
      '',
      requestLine('p1', 'plain one', { model: 'claude-3-5-haiku-20241022' }),
      requestLine('s2', 'streamed two', { stream: true }),
      requestLine('p2', 'plain two', { model: 'claude-3-5-haiku-20241022' }),
      '   ',
    ];
    const run = await runFile(server, lines, 'out.jsonl');
    for (const id of ['s1', 's2']) {
      const r = get(run.byId, id);
      expect(r.result.type).toBe('succeeded');
      expect(typeof r.ttft_ms).toBe('number');
      // The simulator holds every answer 30 ms, so the first token cannot come sooner.
      expect(r.ttft_ms).toBeGreaterThanOrEqual(25);
      expect(r.ttft_ms).toBeLessThanOrEqual(r.latency_ms);
    }
    for (const id of ['p1', 'p2']) {
      const r = get(run.byId, id);
      expect(r.result.type).toBe('succeeded');
      expect(r).not.toHaveProperty('ttft_ms');
      expect(r.latency_ms).toBeGreaterThanOrEqual(25);
    }

    const { by_model } = run.report.summary;
    const streamed = by_model['claude-3-haiku-20240307'];
    const plain = by_model['claude-3-5-haiku-20241022'];
    expect(streamed?.requests).toBe(2);
    expect(plain?.requests).toBe(2);
    expect(streamed?.ttft_ms.p50).toBeGreaterThanOrEqual(25);
    expect(streamed?.ttft_ms.p95).toBeGreaterThanOrEqual(streamed?.ttft_ms.p50 ?? Number.POSITIVE_INFINITY);
    expect(streamed?.ttft_ms.p95).toBe(
      Math.max(get(run.byId, 's1').ttft_ms ?? -1, get(run.byId, 's2').ttft_ms ?? -1),
    );
    expect(plain?.ttft_ms).toEqual({ p50: null, p95: null });
    for (const model of [streamed, plain]) {
      expect(model?.latency_ms.p50).toBeGreaterThanOrEqual(25);
      expect(model?.latency_ms.p95).toBeGreaterThanOrEqual(model?.latency_ms.p50 ?? Number.POSITIVE_INFINITY);
    }
  });

  it('measures ttft_ms from the start of the attempt that succeeded, not of the first one', async () => {
    let calls = 0;
    server = await startMockServer({
      latencyMs: 30,
      // The first attempt fails after its content began; the retry's first token is what counts.
      fault: () => (++calls === 1 ? faults.streamError(4) : undefined),
    });
    const run = await runFile(server, [requestLine('only', 'hello', { stream: true })], 'out.jsonl');
    const r = get(run.byId, 'only');
    expect(r.attempts).toBe(2);
    expect(r.ttft_ms).toBeGreaterThanOrEqual(25);
    // Two answers of at least 30 ms each went by, only the second counts towards ttft.
    expect(r.latency_ms).toBeGreaterThanOrEqual(55);
    expect(r.ttft_ms).toBeLessThan(r.latency_ms - 20);
  });
});

function promptStream(body: unknown): [string, boolean] {
  const b = body as { stream?: unknown; messages: Array<{ content: string }> };
  return [b.messages[0]?.content ?? '', b.stream === true];
}
