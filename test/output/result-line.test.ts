/** The succeeded line built as an object and written from the message's own JSON text: one line. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { succeededLine, succeededLineJson } from '../../src/output/result-line.js';
import type { Message } from '../../src/types.js';

const MESSAGE: Message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5',
  content: [{ type: 'text', text: 'caf\u00e9 "quoted" \u2028 and \\ a backslash' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 0 },
};

describe('succeededLineJson', () => {
  it('writes exactly the text JSON.stringify makes of succeededLine, for every mix of optional fields', () => {
    fc.assert(
      fc.property(
        fc.record({
          model: fc.option(fc.constantFrom('claude-haiku-4-5', 'x"y'), { nil: null }),
          metadata: fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
          costUsd: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }),
          attempts: fc.integer({ min: 1, max: 9 }),
          latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
          ttftMs: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
          paramsHash: fc.option(fc.string(), { nil: undefined }),
          batchId: fc.option(fc.constantFrom('msgbatch_01', 'b"1'), { nil: undefined }),
        }),
        ({ model, metadata, ...extra }) => {
          const id = { custom_id: 'q-1', line: 7, model, ...(metadata === undefined ? {} : { metadata }) };
          expect(succeededLineJson(id, MESSAGE, JSON.stringify(MESSAGE), extra)).toBe(
            JSON.stringify(succeededLine(id, MESSAGE, extra)),
          );
        },
      ),
    );
  });

  it('keeps the message text as it came, and leaves out the fields a line without them lacks', () => {
    const spaced = JSON.stringify(MESSAGE, null, 1).replaceAll('\n', ' ');
    const id = { custom_id: 'q-2', line: 1, model: null };
    const text = succeededLineJson(id, MESSAGE, spaced, { costUsd: null, attempts: 1, latencyMs: 2.5 });
    expect(text).toContain(`"message":${spaced}}`);
    expect(JSON.parse(text)).toEqual(
      succeededLine(id, MESSAGE, { costUsd: null, attempts: 1, latencyMs: 2.5 }),
    );
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'custom_id',
      'line',
      'model',
      'result',
      'usage',
      'cost_usd',
      'attempts',
      'latency_ms',
    ]);
  });
});
