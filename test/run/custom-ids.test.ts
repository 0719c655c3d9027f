/**
 * The naming rule of custom_ids: every input line has exactly one result under one name, the same on
 * every run, and no line's name can take another line's paid result, whatever mix of explicit,
 * missing, repeated and `line-N`-looking ids the input holds.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { startMockServer } from '../../src/mock/server.js';
import type { ResultLine } from '../../src/types.js';
import { promptOf } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { runLines } from '../helpers/run-helpers.js';

const PARAMS = (prompt: string, maxTokens = 20) => ({
  model: 'claude-3-haiku-20240307',
  max_tokens: maxTokens,
  messages: [{ role: 'user', content: prompt }],
});

interface LineSpec {
  /** The line's custom_id; undefined: none. */
  id: string | undefined;
  kind: 'ok' | 'bad-params' | 'not-json';
  /** Its first answer on the first run is an error (a result to send again on the next run). */
  failFirst: boolean;
}

function lineText(spec: LineSpec, line: number): string {
  if (spec.kind === 'not-json') return `{not json p${line}`;
  const params = PARAMS(`p${line}`, spec.kind === 'bad-params' ? 0 : 20);
  return JSON.stringify(spec.id === undefined ? { params } : { custom_id: spec.id, params });
}

/** The rule as the README states it, for comparison. */
function expectedNames(specs: LineSpec[]): string[] {
  const taken = new Set<string>();
  return specs.map((spec, i) => {
    const line = i + 1;
    const own = `line-${line}`;
    const id = spec.kind === 'not-json' ? undefined : spec.id;
    if (id === undefined || !/^[a-zA-Z0-9_-]{1,64}$/.test(id)) return own;
    const auto = /^line-([1-9][0-9]*)$/.exec(id);
    if (taken.has(id) || (auto && Number(auto[1]) !== line)) return own;
    taken.add(id);
    return id;
  });
}

const specArb: fc.Arbitrary<LineSpec> = fc.record({
  id: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('a', 'b', 'c'),
    fc.integer({ min: 1, max: 12 }).map((k) => `line-${k}`),
    fc.constantFrom('line-0', 'line-01', 'bad id'),
  ),
  kind: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'bad-params', 'not-json'),
  failFirst: fc.boolean(),
});

describe('custom_id naming', () => {
  it('an explicit "line-3" on line 1 does not take line 3\'s result: it is refused under its own name', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const lines = [
      JSON.stringify({ custom_id: 'line-3', params: PARAMS('one') }),
      JSON.stringify({ params: PARAMS('two') }),
      JSON.stringify({ params: PARAMS('three') }),
    ];
    for (let run = 0; run < 2; run += 1) {
      const { results } = await runLines(server, dir, lines);
      const byLine = [...results].sort((a, b) => a.line - b.line);
      expect(byLine.map((r) => [r.custom_id, r.result.type])).toEqual([
        ['line-1', 'errored'],
        ['line-2', 'succeeded'],
        ['line-3', 'succeeded'],
      ]);
      expect(byLine[0]?.result.type === 'errored' && byLine[0].result.error.error.message).toBe(
        `${join(dir, 'in.jsonl')}:1: custom_id: "line-3" is the automatic name of line 3; give this line another custom_id`,
      );
    }
    expect(server.requests.map(promptOf)).toEqual(['two', 'three']);
  });

  it('property: over random mixes of ids and runs, one stable result per line, no paid result lost or paid twice', async ({
    dir,
  }) => {
    let example = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 10 }), async (specs) => {
        const folder = join(dir, `example-${(example += 1)}`);
        mkdirSync(folder);
        const failOnFirstRun = new Set(specs.flatMap((spec, i) => (spec.failFirst ? [`p${i + 1}`] : [])));
        let run = 0;
        const faulted = new Set<number>();
        const server = await startMockServer({
          fault: (request) => {
            if (run !== 1 || !failOnFirstRun.has(promptOf(request))) return undefined;
            faulted.add(request.n);
            return faults.invalidRequest('not this time');
          },
        });
        try {
          const lines = specs.map((spec, i) => lineText(spec, i + 1));
          const names = expectedNames(specs);
          let firstIds: string[] | null = null;
          for (run = 1; run <= 3; run += 1) {
            const sentBefore = server.requests.length;
            const { results } = await runLines(server, folder, lines);
            const ids = checkOnePerLine(results, lines.length);
            checkPaidResults(results, server.requests, faulted);
            firstIds ??= ids;
            expect(ids).toEqual(firstIds); // stable across runs
            expect(ids).toEqual(names); // and as the README's rule says
            if (run === 3) expect(server.requests.length).toBe(sentBefore); // all done by run 2
          }
          const final = await runLines(server, folder, lines);
          specs.forEach((spec, i) => {
            const result = final.results.find((r) => r.line === i + 1);
            expect(result?.result.type).toBe(
              spec.kind === 'ok' && names[i] === (spec.id ?? `line-${i + 1}`) ? 'succeeded' : 'errored',
            );
          });
        } finally {
          await server.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});

/** One result line per input line, no name twice; returns the names in input-line order. */
function checkOnePerLine(results: ResultLine[], lines: number): string[] {
  const byLine = [...results].sort((a, b) => a.line - b.line);
  expect(byLine.map((r) => r.line)).toEqual(Array.from({ length: lines }, (_, i) => i + 1));
  const ids = byLine.map((r) => r.custom_id);
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

/**
 * Every successful answer the server gave is in the file, under the line whose prompt it answered
 * (not lost), and no prompt was answered successfully twice (not paid twice).
 */
function checkPaidResults(
  results: ResultLine[],
  requests: readonly { n: number; body: unknown }[],
  faulted: ReadonlySet<number>,
): void {
  const answered = new Map<string, string>();
  for (const request of requests) {
    if (faulted.has(request.n)) continue;
    const prompt = promptOf(request as Parameters<typeof promptOf>[0]);
    expect(answered.has(prompt), `${prompt} answered twice`).toBe(false);
    answered.set(prompt, `msg_mock_${request.n}`);
  }
  for (const [prompt, messageId] of answered) {
    const line = Number(prompt.slice(1));
    const result = results.find((r) => r.line === line);
    expect(result?.result.type === 'succeeded' && result.result.message.id, prompt).toBe(messageId);
  }
}
