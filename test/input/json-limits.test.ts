import { describe, expect, it } from 'vitest';
import { checkJsonLimits, MAX_DEPTH } from '../../src/input/json-limits.js';
import { validateParams } from '../../src/input/schema.js';
import { request } from './support.js';

/** `[[...[]...]]`, `depth` arrays deep, parsed the way a line is. */
function nested(depth: number): unknown {
  return JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

describe('checkJsonLimits', () => {
  it(`lets ${MAX_DEPTH} levels through and refuses one more, counting from the value itself`, () => {
    expect(checkJsonLimits(nested(MAX_DEPTH), 'v')).toEqual({ tooDeep: null, unsendable: [] });
    expect(checkJsonLimits(nested(MAX_DEPTH + 1), 'v').tooDeep).toEqual({
      path: 'v[0][0][0][0][0][0][0][0]...',
      message: `nested too deeply: expected at most ${MAX_DEPTH} levels of arrays and objects, got more`,
    });
  });

  it('refuses 100,000 levels without overflowing the stack', () => {
    expect(checkJsonLimits(nested(100_000), 'v').tooDeep?.message).toMatch(/^nested too deeply/);
  });

  it('leaves a wide margin below where sending would overflow', () => {
    // What passes the check is serialized (to send it, to hash it) and validated: neither may overflow.
    const deepest = request({ x: nested(MAX_DEPTH - 1) });
    expect(() => JSON.stringify(deepest)).not.toThrow();
    expect(validateParams(deepest).ok).toBe(true);
    expect(() => JSON.stringify(nested(MAX_DEPTH * 2))).not.toThrow();
  });

  it('names every value that cannot be sent as written, in order, with its path, up to five', () => {
    const value = JSON.parse(
      '{"a":[1,1e400],"b":{"c":"\\ud83d"},"\\udfff":0,"n":-1e309,"m":[1e999,1e999,1e999,1e999]}',
    );
    expect(checkJsonLimits(value, 'p')).toEqual({
      tooDeep: null,
      unsendable: [
        { path: 'p.a[1]', message: 'expected a finite number, got a number too large' },
        {
          path: 'p.b.c',
          message: 'expected well-formed Unicode text, got a lone surrogate \\ud83d at character 0',
        },
        {
          path: 'p["\\udfff"]',
          message: 'expected a well-formed key, got a lone surrogate \\udfff at character 0',
        },
        { path: 'p.n', message: 'expected a finite number, got a negative number too large' },
        { path: 'p.m[0]', message: 'expected a finite number, got a number too large' },
      ],
    });
  });

  it('takes surrogate pairs, emoji included, for the characters they are', () => {
    expect(checkJsonLimits({ a: '😀 \ud83d\ude00 é' }, 'p')).toEqual({ tooDeep: null, unsendable: [] });
  });

  it('checks a value that is not an array or an object', () => {
    expect(checkJsonLimits(Number.POSITIVE_INFINITY, 'p').unsendable).toEqual([
      { path: 'p', message: 'expected a finite number, got a number too large' },
    ]);
    expect(checkJsonLimits('ok', 'p')).toEqual({ tooDeep: null, unsendable: [] });
  });
});

describe('validateParams on values JSON.parse changed', () => {
  it('refuses nesting too deep before any other check, naming the field', () => {
    expect(validateParams({ tools: nested(100_000) })).toEqual({
      ok: false,
      issues: [
        {
          path: 'params.tools[0][0][0][0][0][0][0]...',
          message: `nested too deeply: expected at most ${MAX_DEPTH} levels of arrays and objects, got more`,
        },
      ],
    });
  });

  it('lets the schema describe a field it knows, and the limits the others', () => {
    const params = request({
      temperature: Number.POSITIVE_INFINITY,
      output_config: { x: Number.NEGATIVE_INFINITY },
    });
    expect(validateParams(params)).toEqual({
      ok: false,
      issues: [
        { path: 'params.temperature', message: 'expected a number from 0 to 2, got a number too large' },
        {
          path: 'params.output_config.x',
          message: 'expected a finite number, got a negative number too large',
        },
      ],
    });
  });

  it('refuses tool results nested 5,000 deep as nested too deeply', () => {
    let content: unknown = [{ type: 'text', text: 'x' }];
    for (let i = 0; i < 5000; i++) content = [{ type: 'tool_result', tool_use_id: 't', content }];
    const result = validateParams(request({ messages: [{ role: 'user', content }] }));
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual([
      `nested too deeply: expected at most ${MAX_DEPTH} levels of arrays and objects, got more`,
    ]);
  });

  it('never recurses with the blocks: tool results nested to the limit are checked without overflow', () => {
    let content: unknown = 'x';
    // Each tool_result adds two levels (its array and itself); stay just under the limit.
    for (let i = 0; i < (MAX_DEPTH - 6) / 2; i++)
      content = [{ type: 'tool_result', tool_use_id: 't', content }];
    const result = validateParams(request({ messages: [{ role: 'user', content }] }));
    expect(result.ok && result.warnings[0]).toEqual({
      path: 'params.messages[0].content[0].content[0]',
      message: 'block type "tool_result" is not known inside a tool_result, sent as is',
    });
  });
});
