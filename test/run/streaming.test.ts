/**
 * Streamed requests end to end through runBatch and the simulator: the assembled message equals the
 * non-streamed one, `--stream` forces streaming, ttft_ms is measured and summarised. Mid-stream
 * failures are in streaming-faults.test.ts, the spawned CLI in streaming-cli.test.ts.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { type MockServer } from '../../src/mock/server.js';
import type { Clock } from '../../src/clock.js';
import type { RunBatchOptions } from '../../src/run/run-batch.js';
import { it } from '../helpers/fixtures.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';

/** Runs `lines` into `name` and checks one result per non-blank input line; results by custom_id. */
async function runFile(
  dir: string,
  s: MockServer,
  lines: string[],
  name: string,
  opts: Partial<RunBatchOptions> & { clock?: Clock } = {},
) {
  const run = await runLines(s, dir, lines, { outputPath: join(dir, name), ...opts });
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
  it('gives the same content, usage and cost streamed (per line and with --stream) as not streamed', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const plain = await runFile(dir, server, caseLines(), 'plain.jsonl');
    const perLine = await runFile(dir, server, caseLines({ stream: true }), 'per-line.jsonl');
    const forced = await runFile(dir, server, caseLines(), 'forced.jsonl', { stream: true });

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

  it('assembles tool input as parsed JSON and thinking with its signature, as the JSON reply has them', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const run = await runFile(dir, server, caseLines(), 'out.jsonl', { stream: true });
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

  it('sends every line as a stream under --stream, and only the lines that ask for it otherwise', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const lines = [
      requestLine('a', 'one'),
      requestLine('b', 'two', { stream: true }),
      requestLine('c', 'three'),
    ];
    await runFile(dir, server, lines, 'mixed.jsonl');
    const asked = server.requests.map((r) => [...promptStream(r.body), r.headers.accept]).sort();
    expect(asked).toEqual([
      ['one', false, 'application/json'],
      ['three', false, 'application/json'],
      ['two', true, 'text/event-stream'],
    ]);

    server.requests.length = 0;
    await runFile(dir, server, lines, 'forced.jsonl', { stream: true });
    expect(server.requests).toHaveLength(3);
    for (const r of server.requests) {
      expect(r.body).toMatchObject({ stream: true, model: 'claude-3-haiku-20240307', max_tokens: 50 });
      expect(r.headers.accept).toBe('text/event-stream');
    }
  });

  it('writes ttft_ms on streamed results and none on the others, and summarises both exactly', async ({
    dir,
    serve,
  }) => {
    // Virtual time: the simulator "takes" 30, 40, 50, 60 ms to answer the requests in turn.
    const clock = new VirtualClock();
    const serverMs = [30, 40, 50, 60];
    const server = await serve({ fault: (req) => void clock.advance(serverMs[req.n - 1] ?? 0) });
    const lines = [
      requestLine('s1', 'streamed one', { stream: true }),
      '',
      requestLine('p1', 'plain one', { model: 'claude-3-5-haiku-20241022' }),
      requestLine('s2', 'streamed two', { stream: true }),
      requestLine('p2', 'plain two', { model: 'claude-3-5-haiku-20241022' }),
      '   ',
    ];
    const run = await runFile(dir, server, lines, 'out.jsonl', { clock, concurrency: 1 });
    const timing = (id: string) => {
      const r = get(run.byId, id);
      expect(r.result.type).toBe('succeeded');
      return [r.latency_ms, r.ttft_ms];
    };
    // The first token comes once the server answers; nothing else takes time.
    expect(['s1', 'p1', 's2', 'p2'].map(timing)).toEqual([
      [30, 30],
      [40, undefined],
      [50, 50],
      [60, undefined],
    ]);
    const { by_model } = run.report.summary;
    expect(by_model['claude-3-haiku-20240307']).toMatchObject({
      requests: 2,
      latency_ms: { p50: 30, p95: 50 },
      ttft_ms: { p50: 30, p95: 50 },
    });
    expect(by_model['claude-3-5-haiku-20241022']).toMatchObject({
      requests: 2,
      latency_ms: { p50: 40, p95: 60 },
      ttft_ms: { p50: null, p95: null },
    });
  });

  it('measures ttft_ms from the start of the attempt that succeeded, not of the first one', async ({
    dir,
    serve,
  }) => {
    let calls = 0;
    const server = await serve({
      latencyMs: 30,
      // The first attempt fails after its content began; the retry's first token is what counts.
      fault: () => (++calls === 1 ? faults.streamError(4) : undefined),
    });
    const run = await runFile(dir, server, [requestLine('only', 'hello', { stream: true })], 'out.jsonl');
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
