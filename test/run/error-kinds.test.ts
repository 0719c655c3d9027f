/**
 * Errored results speak Anthropic's error types only (`result.error.error.type`), so tools switching
 * on that union keep working; lp-batch's finer kind goes beside it as `error_kind`, and messages do
 * not carry the gateway's URL. Files written before `error_kind` existed are still read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { ANTHROPIC_ERROR_TYPES } from '../../src/types.js';
import { firstOf, whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, byId, requestLine, runLines } from '../helpers/run-helpers.js';

/** One line per way to fail, and one that succeeds. */
const LINES = [
  requestLine('drop', 'drop'),
  requestLine('json', 'json'),
  requestLine('shape', 'shape'),
  requestLine('own', 'own'),
  requestLine('conflict', 'conflict'),
  requestLine('event', 'event', { stream: true }),
  requestLine('hang', 'hang'),
  requestLine('big', 'big'),
  '{"custom_id": "bad", "params": ',
  requestLine('ok', 'ok'),
];

const FAULTS = firstOf(
  whenPrompt('drop', faults.drop()),
  whenPrompt('json', faults.invalidJson()),
  whenPrompt('shape', faults.rawResponse(200, 'application/json', '{"type":"other"}')),
  whenPrompt('own', faults.apiError(400, 'gateway_specific_error', 'nope')),
  whenPrompt('conflict', faults.apiError(409, 'conflict_error', 'busy')),
  whenPrompt('event', faults.streamError(3, 'mystery_error', 'upstream went away')),
  whenPrompt('hang', faults.hang()),
  whenPrompt('big', faults.endlessBody()),
);

const OPTIONS = { maxRetries: 0, timeout: 0.25, maxResponseBytes: 64 * 1024 };

describe('errored results', () => {
  it("use only Anthropic's error types, with lp-batch's kind beside them and no gateway URL", async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: FAULTS });
    const { results, report } = await runLines(server, dir, LINES, OPTIONS);
    const got = byId(results);
    const shape = (id: string) => {
      const line = got.get(id) as unknown as AnyResult & { error_kind?: string };
      return [line.result.error?.error.type, line.error_kind, line.status];
    };
    expect(
      Object.fromEntries(LINES.map((_, i) => results[i]?.custom_id ?? '').map((id) => [id, shape(id)])),
    ).toEqual({
      drop: ['api_error', 'connection', null],
      json: ['api_error', 'invalid_response', 200],
      shape: ['api_error', 'invalid_response', 200],
      own: ['invalid_request_error', 'http_error', 400],
      conflict: ['api_error', 'http_error', 409],
      event: ['api_error', 'stream_error', 200],
      hang: ['timeout_error', 'timeout', null],
      big: ['api_error', 'response_too_large', 200],
      'line-9': ['invalid_request_error', 'invalid_input', null],
      ok: [undefined, undefined, undefined],
    });
    expect(got.get('ok')).not.toHaveProperty('error_kind');
    const messages = Object.fromEntries(
      results.flatMap((r) =>
        r.result.type === 'errored' ? [[r.custom_id, r.result.error.error.message]] : [],
      ),
    );
    expect(messages).toMatchObject({
      own: 'gateway_specific_error: nope',
      conflict: 'conflict_error: busy',
      event: 'mystery_error: upstream went away',
      hang: 'no complete response within --timeout 0.25s',
    });
    for (const message of Object.values(messages)) {
      expect(message).not.toContain(server.url);
      expect(message).not.toContain('[POST]');
    }
    for (const line of results) {
      if (line.result.type === 'errored')
        expect(ANTHROPIC_ERROR_TYPES).toContain(line.result.error.error.type);
    }
    expect(report.summary.errors_by_type).toEqual({
      api_error: 6,
      invalid_request_error: 2,
      timeout_error: 1,
    });
    expect(report.summary.errors_by_kind).toEqual({
      connection: 1,
      http_error: 2,
      invalid_input: 1,
      invalid_response: 2,
      response_too_large: 1,
      stream_error: 1,
      timeout: 1,
    });
  });

  it("are read back from a file written before error_kind existed, their types counted as Anthropic's", async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: FAULTS });
    const first = await runLines(server, dir, LINES, OPTIONS);
    // What lp-batch wrote before: its own types, no error_kind, the URL in every message.
    const legacyType: Record<string, string> = {
      drop: 'connection_error',
      json: 'invalid_response_error',
      shape: 'invalid_response_error',
      own: 'gateway_specific_error',
      conflict: 'conflict_error',
      event: 'mystery_error',
      hang: 'timeout_error',
      big: 'internal_error',
    };
    const legacy = readFileSync(first.output, 'utf8')
      .split('\n')
      .filter((text) => text !== '')
      .map((text) => {
        const line = JSON.parse(text) as Record<string, unknown> & {
          custom_id: string;
          result: AnyResult['result'];
        };
        if (line.result.type !== 'errored') return text;
        delete line.error_kind;
        const error = line.result.error.error;
        error.type = legacyType[line.custom_id] ?? error.type;
        error.message = `[POST] "${server.url}/v1/messages": ${error.message}`;
        return JSON.stringify(line);
      });
    writeFileSync(first.output, `${legacy.join('\n')}\n`);
    const sent = server.requests.length;

    const kept = await runLines(server, dir, LINES, { ...OPTIONS, skipErrored: true });
    expect(server.requests).toHaveLength(sent);
    // The invalid line is checked again (it may have been fixed): written anew, not resumed.
    expect(kept.report.summary.requests).toMatchObject({ total: 10, errored: 9, resumed: 9 });
    expect(kept.report.summary.errors_by_type).toEqual({
      api_error: 7,
      invalid_request_error: 1,
      timeout_error: 1,
    });
    expect(kept.report.summary.errors_by_kind).toEqual({
      connection: 1,
      http_error: 2,
      internal: 1,
      invalid_input: 1,
      invalid_response: 2,
      stream_error: 1,
      timeout: 1,
    });

    // Sent again, they are written in today's words, one line per custom_id.
    const again = await runLines(server, dir, LINES, OPTIONS);
    expect(again.results).toHaveLength(10);
    const own = byId(again.results).get('own') as unknown as AnyResult & { error_kind: string };
    expect(own.error_kind).toBe('http_error');
    expect(own.result.error.error).toEqual({
      type: 'invalid_request_error',
      message: 'gateway_specific_error: nope',
    });
  });
});
