/** The one place a result line is built: what is written, what the summary counts, what is redacted. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createRedactor } from '../../src/output/redact.js';
import { notSentFailure } from '../../src/output/result-line.js';
import type { ResultEntry } from '../../src/output/results-scan.js';
import { ResultsWriter } from '../../src/output/results-writer.js';
import { SummaryBuilder } from '../../src/output/summary.js';
import { Recorder } from '../../src/run/recorder.js';
import type { Message, ResultLine } from '../../src/types.js';
import { it } from '../helpers/fixtures.js';
import { readResults } from '../helpers/run-helpers.js';
import { DEFAULT_PRICES } from '../../src/pricing/price-table.js';

const SECRET = 'sk-recorder-SECRET-42';
const HAIKU = 'claude-3-haiku-20240307';
const MESSAGE: Message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: HAIKU,
  content: [{ type: 'text', text: 'hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 20 },
};

function recorderIn(dir: string) {
  const path = join(dir, 'out.jsonl');
  const writer = new ResultsWriter(path);
  const summary = new SummaryBuilder();
  const warnings: string[] = [];
  const seen: ResultLine[] = [];
  const recorder = new Recorder({
    writer,
    summary,
    prices: DEFAULT_PRICES,
    redact: createRedactor([SECRET]),
    warn: (w) => warnings.push(w),
    onResult: (line) => seen.push(line),
  });
  const close = () => {
    writer.close();
    return readResults(path);
  };
  return { recorder, summary, warnings, seen, close, path };
}

describe('Recorder', () => {
  it('writes a succeeded line with its cost, timings and hash, and counts it', ({ dir }) => {
    const { recorder, summary, seen, close } = recorderIn(dir);
    recorder.succeeded(
      { custom_id: 'a', line: 3, model: HAIKU, paramsHash: 'h1' },
      {
        kind: 'succeeded',
        message: MESSAGE,
        messageJson: null,
        priced: { nanos: 27_500, pricedAs: HAIKU },
        attempts: 2,
        latencyMs: 812.4,
        ttftMs: 100.6,
      },
    );
    const line: ResultLine = {
      custom_id: 'a',
      line: 3,
      model: HAIKU,
      result: { type: 'succeeded', message: MESSAGE },
      usage: MESSAGE.usage,
      cost_usd: 0.0000275,
      attempts: 2,
      latency_ms: 812,
      ttft_ms: 101,
      params_hash: 'h1',
    };
    expect(close()).toEqual([line]);
    expect(seen).toEqual([line]);
    expect(summary.build(1).by_model[HAIKU]).toMatchObject({
      succeeded: 1,
      latency_ms: { p50: 812, p95: 812 },
    });
  });

  it('writes a message as the server sent its JSON, the same line as built, when it holds no secret', ({
    dir,
  }) => {
    const { recorder, seen, close, path } = recorderIn(dir);
    const plain = { ...MESSAGE, content: [{ type: 'text' as const, text: 'no key here' }] };
    const escaped = { ...MESSAGE, content: [{ type: 'text' as const, text: 'a "quote"\nand a line' }] };
    const echoed = { ...MESSAGE, content: [{ type: 'text' as const, text: `your key is ${SECRET}` }] };
    // Spaced and with an escaped secret: written only once redacted, as an object.
    const sneaky = `{"debug" : "${SECRET.replace('s', '\\u0073')}", ${JSON.stringify(plain).slice(1)}`;
    const sent = [
      ['plain', plain, JSON.stringify(plain).replace('{"id":', '{ "id": ')],
      ['escaped', escaped, JSON.stringify(escaped)],
      ['echoed', echoed, JSON.stringify(echoed)],
      ['sneaky', JSON.parse(sneaky) as Message, sneaky],
      ['pretty', plain, JSON.stringify(plain, null, 2)],
    ] as const;
    for (const [custom_id, message, messageJson] of sent) {
      recorder.succeeded(
        { custom_id, line: 1, model: HAIKU, paramsHash: 'h' },
        {
          kind: 'succeeded',
          message,
          messageJson,
          priced: { nanos: 1000, pricedAs: HAIKU },
          attempts: 1,
          latencyMs: 5,
          ttftMs: undefined,
        },
      );
    }
    const results = close();
    const written = readFileSync(path, 'utf8').split('\n').slice(0, -1);
    expect(results).toEqual(seen);
    expect(readFileSync(path, 'utf8')).not.toContain(SECRET);
    expect(readFileSync(path, 'utf8')).not.toContain('\\u0073k-recorder');
    // As sent (spaces kept), and the same line once read as the object form.
    expect(written[0]).toContain(`"message":{ "id": "msg_1",`);
    expect(written[1]).toBe(JSON.stringify(seen[1]));
    expect(results[2]?.result).toMatchObject({ message: { content: [{ text: 'your key is [redacted]' }] } });
    expect(JSON.stringify(results[3])).toContain('"debug":"[redacted]"');
    expect(written[4]).toBe(JSON.stringify(seen[4]));
    expect(results.map((r) => r.custom_id)).toEqual(['plain', 'escaped', 'echoed', 'sneaky', 'pretty']);
  });

  it('redacts every text of an errored line, and counts it under its type and kind', ({ dir }) => {
    const { recorder, summary, close } = recorderIn(dir);
    recorder.errored(
      { custom_id: 'b', line: 1, model: null },
      {
        type: 'invalid_request_error',
        kind: 'http_error',
        message: `echoed ${SECRET}`,
        requestId: `req_${SECRET}`,
        status: 400,
      },
      { attempts: 1, latencyMs: 5 },
    );
    const [line] = close();
    expect(JSON.stringify(line)).not.toContain(SECRET);
    expect(line).toEqual({
      custom_id: 'b',
      line: 1,
      model: null,
      result: {
        type: 'errored',
        error: {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'echoed [redacted]' },
          request_id: 'req_[redacted]',
        },
      },
      error_kind: 'http_error',
      status: 400,
      attempts: 1,
      latency_ms: 5,
    });
    expect(summary.build(1)).toMatchObject({
      errors_by_type: { invalid_request_error: 1 },
      errors_by_kind: { http_error: 1 },
    });
  });

  it('writes an invalid line as invalid_request_error with status null and no attempts', ({ dir }) => {
    const { recorder, close } = recorderIn(dir);
    recorder.errored(
      { custom_id: 'line-2', line: 2, model: null },
      notSentFailure('in.jsonl:2: not valid JSON'),
      {
        attempts: 0,
        latencyMs: 0,
      },
    );
    expect(close()[0]).toMatchObject({
      error_kind: 'invalid_input',
      status: null,
      attempts: 0,
      result: { error: { error: { type: 'invalid_request_error', message: 'in.jsonl:2: not valid JSON' } } },
    });
  });

  it('warns once per model without a price, and counts resumed results priced like new ones', ({ dir }) => {
    const { recorder, summary, warnings, close, path } = recorderIn(dir);
    const unpriced = {
      kind: 'succeeded' as const,
      message: MESSAGE,
      messageJson: null,
      attempts: 1,
      latencyMs: 1,
      ttftMs: undefined,
    };
    for (const id of ['x', 'y']) {
      recorder.succeeded(
        { custom_id: id, line: 1, model: 'mystery' },
        { ...unpriced, priced: { nanos: null, pricedAs: 'mystery' } },
      );
    }
    const prior: ResultEntry = {
      custom_id: 'old',
      type: 'succeeded',
      params_hash: 'h',
      line: 9,
      usage: { input_tokens: 1_000_000, output_tokens: 0 },
      model: HAIKU,
      error_type: null,
      error_kind: null,
      metadata_hash: null,
      batch: false,
      offset: 0,
      length: 1,
    };
    // The asked name has no price, the answered one does: priced by the answered one, as on a live run.
    recorder.resumed('haiku-by-another-name', prior);
    expect(warnings).toEqual(['model "mystery" is not in the price table: its cost is unknown, not $0']);
    expect(close()).toHaveLength(2);
    expect(readFileSync(path, 'utf8')).not.toContain('"old"');
    expect(summary.build(1).by_model['haiku-by-another-name']).toMatchObject({
      cost_usd: 0.25,
      succeeded: 1,
    });
    expect(summary.build(1).requests.resumed).toBe(1);
  });
});
