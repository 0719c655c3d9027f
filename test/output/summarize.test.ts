/** The summary of a results file alone: the final line of each custom_id, counted as the run counted it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { erroredLine, notSentFailure, succeededLine } from '../../src/output/result-line.js';
import { summarizeResultsFile } from '../../src/output/summarize.js';
import type { Message } from '../../src/types.js';
import { it } from '../helpers/fixtures.js';

function message(model: string, input: number, output: number): Message {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: input, output_tokens: output },
  };
}

const ok = (
  custom_id: string,
  model: string | null,
  costUsd: number | null,
  attempts = 1,
  answered = 'gw-name',
) =>
  JSON.stringify(
    succeededLine({ custom_id, line: 1, model }, message(answered, 10, 5), {
      costUsd,
      attempts,
      latencyMs: 100 * attempts,
    }),
  );
const failed = (custom_id: string, model: string | null, attempts = 1) =>
  JSON.stringify(
    erroredLine({ custom_id, line: 2, model }, notSentFailure('bad'), { attempts, latencyMs: 7 }),
  );

describe('summarizeResultsFile', () => {
  it('counts the newest line of each custom_id, and not a torn last line', async ({ dir }) => {
    const path = join(dir, 'out.jsonl');
    writeFileSync(
      path,
      [
        failed('q1', 'm', 3),
        ok('q2', 'm', 0.1),
        ok('q1', 'm', 0.2, 2),
        '{"custom_id":"q3","line":3,"resu',
      ].join('\n'),
    );
    const { summary, index } = await summarizeResultsFile({ path, shown: 'out.jsonl' });
    expect(index).toMatchObject({ results: 2, superseded: 1, tornTail: { bytes: 32 } });
    expect(summary.requests).toEqual({
      total: 2,
      succeeded: 2,
      errored: 0,
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: null,
    });
    // 0.1 + 0.2 in nano-dollars, exactly: the sum of the lines' cost_usd without float drift.
    expect(summary.cost_usd).toBe(0.3);
    expect(summary.retries).toBe(1); // q1's newest line took 2 attempts; its superseded one does not count
    expect(summary.retries_by_type).toBeNull();
    expect(summary.by_model.m?.latency_ms).toEqual({ p50: 100, p95: 200 });
    expect(summary).toMatchObject({ wall_ms: null, requests_per_second: null, stop: null, budget: null });
  });

  it('counts the same when every custom_id shares one fingerprint (each match read again)', async ({
    dir,
  }) => {
    const path = join(dir, 'out.jsonl');
    const lines = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0 ? failed(`q${i % 7}`, 'm', 2) : ok(`q${i % 11}`, `m${i % 2}`, 0.001 * i, 1 + (i % 3)),
    );
    writeFileSync(path, `${lines.join('\n')}\n`);
    const file = { path, shown: 'out.jsonl' };
    const whole = await summarizeResultsFile(file);
    const colliding = await summarizeResultsFile(file, { fingerprint: () => 0 });
    expect(colliding.summary).toEqual(whole.summary);
    expect(whole.summary.requests.total).toBe(11);
    expect(colliding.index).toMatchObject({ results: 11, superseded: 49 });
  });

  it('finds the custom_id of a line whose fields come in another order (a hand-edited file)', async ({
    dir,
  }) => {
    const path = join(dir, 'out.jsonl');
    const reordered = (line: string) => {
      const { custom_id, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify({ ...rest, custom_id });
    };
    writeFileSync(
      path,
      [reordered(failed('q1', 'm')), ok('q1', 'm', 0.1), reordered(ok('q2', 'm', 0.1))].join('\n') + '\n',
    );
    const { summary, index } = await summarizeResultsFile({ path, shown: 'out.jsonl' });
    expect(index).toMatchObject({ results: 2, superseded: 1 });
    expect(summary.requests).toMatchObject({ total: 2, succeeded: 2, errored: 0 });
  });

  it('counts a result under the model it asked for; an older line without one, under the model that answered', async ({
    dir,
  }) => {
    const path = join(dir, 'out.jsonl');
    const older = (line: string) => {
      const { model: _asked, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    writeFileSync(
      path,
      [
        ok('a', 'asked', 0.001),
        ok('b', null, null),
        older(ok('c', 'asked', 0.002)),
        older(failed('d', 'asked')),
        failed('e', null),
      ].join('\n') + '\n',
    );
    const { summary } = await summarizeResultsFile({ path, shown: 'out.jsonl' });
    expect(Object.keys(summary.by_model)).toEqual(['(none)', 'asked', 'gw-name']);
    expect(summary.by_model['(none)']).toMatchObject({
      requests: 3,
      succeeded: 1,
      errored: 2,
      cost_usd: null,
    });
    expect(summary.by_model.asked).toMatchObject({ requests: 1, cost_usd: 0.001 });
    expect(summary.by_model['gw-name']).toMatchObject({ requests: 1, cost_usd: 0.002 });
    expect(summary.unpriced_models).toEqual(['(none)']);
    expect(summary.errors_by_kind).toEqual({ invalid_input: 2 });
  });
});
