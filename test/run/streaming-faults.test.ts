/**
 * What goes wrong inside a 200 stream, through runBatch and the simulator: `event: error` (retried
 * or not by its type), a socket closed before message_stop, a stream that goes silent. A retried
 * stream must start from nothing: the partial message of the failed attempt is discarded.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { type Fault, faults } from '../../src/mock/faults.js';
import { buildMockMessage } from '../../src/mock/reply.js';
import { messageToSseEvents } from '../../src/mock/sse.js';
import type { RunBatchOptions } from '../../src/run/run-batch.js';
import type { MessageParams } from '../../src/types.js';
import { type FaultRule, failFirst, firstOf, whenPrompt } from '../helpers/fake-anthropic.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines } from '../helpers/run-helpers.js';

/** Long enough that its text streams as several deltas, so a cut can fall inside the content. */
const PROMPT = 'Tell me about the retry policy of a batch runner, at some length please.';
const LINE = requestLine('only', PROMPT, { stream: true });
/** What the simulator answers PROMPT with, but for its id. */
const EXPECTED = buildMockMessage((JSON.parse(LINE) as { params: MessageParams }).params, 0);
/** How many events the simulator streams for PROMPT, message_stop included. */
const EVENTS = messageToSseEvents(EXPECTED).length;

/** One streamed request against a simulator answering by `rule`. */
async function runOne({ dir, serve }: RunFixtures, rule: FaultRule, opts: Partial<RunBatchOptions> = {}) {
  const server = await serve({ fault: rule });
  const run = await runLines(server, dir, [LINE], { maxRetries: 3, ...opts });
  expect(run.results).toHaveLength(1);
  return { ...run, result: run.results[0] as unknown as AnyResult, server };
}

function expectReplyOnly(result: AnyResult): void {
  expect(result.result.type).toBe('succeeded');
  expect(result.result.message.content).toEqual(EXPECTED.content);
  expect(result.usage).toEqual(EXPECTED.usage);
  expect(result.result.message.stop_reason).toBe('end_turn');
}

const retriedTypes = ['overloaded_error', 'api_error', 'rate_limit_error'];

describe('a stream that fails after HTTP 200', () => {
  it('has content deltas for a cut to fall between', () => {
    // Guards the tests below: after 5 events (start, ping, block start, 2 deltas) more deltas follow.
    expect(EXPECTED.content).toHaveLength(1);
    expect(EVENTS).toBeGreaterThan(9);
  });

  it.for(retriedTypes)(
    'retries a mid-stream %s and keeps only the last attempt',
    async (type, { dir, serve }) => {
      const {
        result,
        server: s,
        report,
      } = await runOne({ dir, serve }, failFirst(2, faults.streamError(5, type, 'busy')));
      expectReplyOnly(result);
      expect(result.attempts).toBe(3);
      expect(s.requests).toHaveLength(3);
      expect(s.stats.faults['stream-error']).toBe(2);
      expect(result.result.message.id).toBe('msg_mock_3');
      expect(report.summary.retries).toBe(2);
      expect(report.summary.retries_by_type).toEqual({ [type]: 2 });
      expect(report.summary.errors_by_type).toEqual({});
    },
  );

  it('retries an error event that comes before message_start', async ({ dir, serve }) => {
    const { result, server: s } = await runOne({ dir, serve }, failFirst(1, faults.streamError(0)));
    expectReplyOnly(result);
    expect(s.requests).toHaveLength(2);
  });

  it('retries an error event just before message_stop, after the whole content', async ({ dir, serve }) => {
    const { result, server: s } = await runOne({ dir, serve }, failFirst(1, faults.streamError(EVENTS - 1)));
    expectReplyOnly(result);
    expect(result.attempts).toBe(2);
    expect(s.requests).toHaveLength(2);
  });

  it('ignores an error event after message_stop: the message was already complete', async ({
    dir,
    serve,
  }) => {
    const { result, report } = await runOne({ dir, serve }, () => faults.streamError(EVENTS));
    expectReplyOnly(result);
    expect(result.attempts).toBe(1);
    expect(report.summary.retries).toBe(0);
  });

  it('writes a mid-stream invalid_request_error as errored with status 200, without retrying', async ({
    dir,
    serve,
  }) => {
    const {
      result,
      server: s,
      report,
    } = await runOne({ dir, serve }, () =>
      faults.streamError(5, 'invalid_request_error', 'prompt is too long'),
    );
    expect(s.requests).toHaveLength(1);
    expect(result.result.type).toBe('errored');
    expect(result.status).toBe(200);
    expect(result.attempts).toBe(1);
    expect(result.result.error.type).toBe('error');
    expect(result.result.error.error.type).toBe('invalid_request_error');
    expect(result.result.error.error.message).toContain('prompt is too long');
    expect(result.result.error.request_id).toBe('req_mock_1');
    expect(result).not.toHaveProperty('ttft_ms');
    expect(report.summary.errors_by_type).toEqual({ invalid_request_error: 1 });
    expect(report.summary.retries).toBe(0);
  });

  it('gives up on a stream that always fails after --max-retries and writes the last error', async ({
    dir,
    serve,
  }) => {
    const {
      result,
      server: s,
      report,
    } = await runOne({ dir, serve }, () => faults.streamError(5), { maxRetries: 2 });
    expect(s.requests).toHaveLength(3);
    expect(result.result.type).toBe('errored');
    expect(result.status).toBe(200);
    expect(result.attempts).toBe(3);
    expect(result.result.error.error.type).toBe('overloaded_error');
    expect(result.result.error.error.message).toContain('Overloaded');
    expect(report.summary.retries_by_type).toEqual({ overloaded_error: 2 });
    expect(report.summary.errors_by_type).toEqual({ overloaded_error: 1 });
  });

  const cuts: Array<[string, Fault]> = [
    ['right after the headers', faults.streamCut(0)],
    ['inside the content', faults.streamCut(5)],
    ['at half its bytes (content-length announced)', faults.truncate()],
  ];
  it.for(cuts)('retries a stream whose socket closes %s', async ([, fault], { dir, serve }) => {
    const { result, server: s, report } = await runOne({ dir, serve }, failFirst(2, fault));
    expectReplyOnly(result);
    expect(result.attempts).toBe(3);
    expect(s.requests).toHaveLength(3);
    expect(report.summary.retries_by_type).toEqual({ api_error: 2 });
    expect(report.summary.retries_by_kind).toEqual({ connection: 2 });
  });

  it('aborts a stream silent for --idle-timeout and retries it', async ({ dir, serve }) => {
    const started = performance.now();
    const {
      result,
      server: s,
      report,
    } = await runOne({ dir, serve }, failFirst(1, faults.streamStall(5)), {
      idleTimeout: 0.02,
    });
    expectReplyOnly(result);
    expect(result.attempts).toBe(2);
    expect(s.requests).toHaveLength(2);
    expect(s.stats.faults['stream-stall']).toBe(1);
    expect(report.summary.retries).toBe(1);
    expect(report.summary.retries_by_type).toEqual({ timeout_error: 1 });
    expect(report.summary.retries_by_kind).toEqual({ timeout: 1 });
    // Far below the 600 s whole-attempt limit: the idle limit is what ended the stall.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('counts retries by type across a file of mixed mid-stream failures', async ({ dir, serve }) => {
    const server = await serve({
      fault: firstOf(
        whenPrompt('over', failFirst(2, faults.streamError(4, 'overloaded_error'))),
        whenPrompt('api', failFirst(1, faults.streamError(4, 'api_error', 'Internal'))),
        whenPrompt('rate', failFirst(1, faults.streamError(4, 'rate_limit_error', 'slow down'))),
        whenPrompt('cut', failFirst(1, faults.streamCut(4))),
        whenPrompt('bad', faults.streamError(4, 'invalid_request_error', 'nope')),
      ),
    });
    const prompts = ['over', 'api', 'rate', 'cut', 'bad', 'fine'];
    const lines = prompts.map((p) => requestLine(p, `${p}: ${PROMPT}`));
    const run = await runLines(server, dir, ['', ...lines, ''], {
      stream: true,
      maxRetries: 3,
      outputPath: join(dir, 'mixed.jsonl'),
    });
    expect(run.results).toHaveLength(prompts.length);
    const types = Object.fromEntries(run.results.map((r) => [r.custom_id, r.result.type]));
    expect(types).toEqual({
      over: 'succeeded',
      api: 'succeeded',
      rate: 'succeeded',
      cut: 'succeeded',
      bad: 'errored',
      fine: 'succeeded',
    });
    expect(server.requests).toHaveLength(6 + 2 + 1 + 1 + 1);
    const { summary } = run.report;
    expect(summary.retries).toBe(5);
    expect(summary.retries_by_type).toEqual({
      api_error: 2,
      overloaded_error: 2,
      rate_limit_error: 1,
    });
    expect(summary.retries_by_kind).toEqual({ connection: 1, stream_error: 4 });
    expect(summary.errors_by_type).toEqual({ invalid_request_error: 1 });
    expect(summary.requests).toEqual({
      total: 6,
      succeeded: 5,
      errored: 1,
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: 0,
    });
  });
});
