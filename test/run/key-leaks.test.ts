/**
 * Every string a server sends is redacted before lp-batch stores it: a gateway that echoes the key
 * in each place it can (a header, an error body's type and request id, JSON-escaped, a stream's
 * `event: error`, a long non-JSON body cut for quoting) never gets it into a result line or the
 * summary. End to end, through runBatch and the simulator.
 */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { type Fault, faults } from '../../src/mock/faults.js';
import type { RecordedRequest } from '../../src/mock/server.js';
import type { RunSummary } from '../../src/output/summary.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, requestLine, runLines, TEST_KEY } from '../helpers/run-helpers.js';

/** `text` with every character JSON-escaped as `\uXXXX`: what a JSON encoder that escapes all may send. */
function escaped(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

/** The key the request carried, as the simulator received it: the fault echoes what it was sent. */
function keyOf(request: RecordedRequest): string {
  return request.headers['x-api-key'] ?? '';
}

/** Every run of 8 characters of the key: none may be written, so neither the key nor most of it is. */
function pieces(key: string): string[] {
  return Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8));
}

/** `text` with every `\\uXXXX` decoded, however many backslashes escape it: what a reader of it sees. */
function decoded(text: string): string {
  return text.replace(/\\+u([0-9a-fA-F]{4})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function expectNoKey(text: string): void {
  for (const piece of pieces(TEST_KEY)) expect(decoded(text)).not.toContain(piece);
}

/** A stream whose tool_use input arrives as `{"a":"<text>` and never closes: not JSON at the block's stop. */
function toolInputStream(text: string): string {
  const event = (data: Record<string, unknown>) =>
    `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
  return [
    event({
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    }),
    event({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 't', name: 'f', input: {} },
    }),
    // `text` holds `\uXXXX` escapes: in the JSON of the tool input, inside the JSON of the event.
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":\\"${text.replaceAll('\\', '\\\\')}"}}\n\n`,
    event({ type: 'content_block_stop', index: 0 }),
  ].join('');
}

const leaks: Array<[string, (request: RecordedRequest) => Fault, boolean]> = [
  [
    'a request-id header',
    (r) => faults.apiError(400, 'invalid_request_error', 'bad', { 'request-id': keyOf(r) }),
    false,
  ],
  [
    "a JSON error body's type, message and request_id, JSON-escaped",
    (r) =>
      faults.rawResponse(
        400,
        'application/json',
        `{"type":"error","error":{"type":"${escaped(keyOf(r))}","message":"key ${escaped(keyOf(r))}"},"request_id":"${escaped(keyOf(r))}"}`,
      ),
    false,
  ],
  [
    'a retried error whose type is the key',
    (r) =>
      faults.rawResponse(
        500,
        'application/json',
        `{"type":"error","error":{"type":"${escaped(keyOf(r))}","message":"m"},"request_id":"req"}`,
      ),
    false,
  ],
  [
    'a non-JSON body cut for quoting with the key across the cut',
    (r) => faults.rawResponse(400, 'text/plain', `${'x'.repeat(190)} ${keyOf(r)} and more`),
    false,
  ],
  [
    'a 200 body that is not a message, JSON-escaped',
    (r) => faults.rawResponse(200, 'application/json', `{"type":"other","echo":"${escaped(keyOf(r))}"}`),
    false,
  ],
  [
    "a stream's event: error type, JSON-escaped",
    (r) =>
      faults.rawResponse(
        200,
        'text/event-stream',
        `event: error\ndata: {"type":"error","error":{"type":"${escaped(keyOf(r))}","message":"${escaped(keyOf(r))}"}}\n\n`,
      ),
    true,
  ],
  [
    'a 200 body cut mid-JSON, the key JSON-escaped (retried, then quoted)',
    (r) => faults.rawResponse(200, 'application/json', `{"type":"message","echo":"${escaped(keyOf(r))}`),
    false,
  ],
  [
    "a stream's tool input that is not JSON, quoted with the key across the 120-character cut",
    (r) => faults.rawResponse(200, 'text/event-stream', toolInputStream(`${'z'.repeat(100)}${keyOf(r)}`)),
    true,
  ],
  [
    "a stream's tool input that is not JSON, the key JSON-escaped in it",
    (r) => faults.rawResponse(200, 'text/event-stream', toolInputStream(escaped(keyOf(r)))),
    true,
  ],
  [
    "a stream's non-JSON event: error with the key across the 200-character cut",
    (r) =>
      faults.rawResponse(200, 'text/event-stream', `event: error\ndata: ${'y'.repeat(190)} ${keyOf(r)}\n\n`),
    true,
  ],
];

describe('a gateway that echoes the key', () => {
  it.for(leaks)('never gets it stored through %s', async ([, fault, stream], { dir, serve }) => {
    const server = await serve({ fault });
    const summaryPath = `${dir}/summary.json`;
    const { results, report, output } = await runLines(server, dir, [requestLine('q1', 'hi', { stream })], {
      maxRetries: 1,
      summary: summaryPath,
    });
    expect(server.requests[0]?.headers['x-api-key']).toBe(TEST_KEY);
    const result = results[0] as unknown as AnyResult;
    expect(result.result.type).toBe('errored');
    expectNoKey(readFileSync(output, 'utf8'));
    expectNoKey(readFileSync(summaryPath, 'utf8'));
    expectNoKey(JSON.stringify(report));
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    expect(summary.requests.errored).toBe(1);
  });
});

/** A 200 message whose text, a field the API does not have, and a field name hold `secret`. */
function echoingMessage(secret: string): string {
  return `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"your key is ${secret}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1},"debug":{"key":"${secret}","${secret}":1}}`;
}

const succeededLeaks: [string, (request: RecordedRequest) => Fault][] = [
  ['a message that quotes it', (r) => faults.rawResponse(200, 'application/json', echoingMessage(keyOf(r)))],
  [
    'a message that quotes it JSON-escaped, twice over',
    (r) => faults.rawResponse(200, 'application/json', echoingMessage(escaped(escaped(keyOf(r))))),
  ],
];

describe('a gateway that echoes the key in a succeeded answer', () => {
  it.for(succeededLeaks)('never gets it stored through %s', async ([, fault], { dir, serve }) => {
    const server = await serve({ fault });
    const { results, output } = await runLines(server, dir, [requestLine('q1', 'hi')], { maxRetries: 0 });
    const result = results[0] as unknown as AnyResult;
    expect(result.result.type).toBe('succeeded');
    const text = readFileSync(output, 'utf8');
    expect(text).toContain('your key is [redacted]');
    expect(text).toContain('"debug":{"key":"[redacted]","[redacted]":1}');
    expectNoKey(text);
  });
});
