/**
 * The fast path of validateParams never accepts what the full check would refuse or warn about:
 * checked on requests generated around the plain shape it knows, with the values that trip checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateParams, validateParamsFully } from '../../src/input/schema.js';
import { isPlainValidRequest } from '../../src/input/schema-fast.js';

/** JSON text of a value, where Infinity is written `1e400` (what a line holding it says). */
function toJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return value > 0 ? '1e400' : '-1e400';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Mostly a value the field takes, now and then one that trips a check. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });

const goodText = fc.oneof(
  fc.constantFrom('hi', 'Hello, Claude', '漢字', ' ', '\ud83d\ude00'),
  fc.string({ maxLength: 8 }),
);
const badText = fc.constantFrom('', '\ud800', 'a\udc00b');
const text = mostly(goodText, badText);
const number = fc.oneof(
  fc.constantFrom(0, 1, -1, 0.5, 2, 2.5, 1024, 2 ** 53, -0, Infinity, 1e300),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: true }),
);
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const textBlock = mostly(
  fc.record({ type: fc.constant('text'), text }),
  fc.oneof(
    fc.record({ type: fc.constantFrom('text', 'image', 'tool_result'), text: scalar }),
    fc.record({ type: fc.constant('text'), text, cache_control: fc.constant({ type: 'ephemeral' }) }),
    scalar,
  ),
);
const content = mostly(fc.oneof(text, fc.array(textBlock, { maxLength: 3 })), scalar);
const message = mostly(
  fc.record({ role: fc.constantFrom('user', 'assistant'), content }),
  fc.oneof(
    fc.record({ role: fc.oneof(fc.constant('system'), scalar), content }),
    fc.record({ role: fc.constantFrom('user', 'assistant'), content, name: text }),
    scalar,
  ),
);
/** An optional field: absent, or mostly good. */
const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 2 });
const params = fc.record({
  model: mostly(
    goodText.filter((t) => t !== ''),
    scalar,
  ),
  max_tokens: mostly(fc.integer({ min: 1, max: 100_000 }), number),
  messages: mostly(fc.array(message, { minLength: 1, maxLength: 4 }), fc.oneof(fc.constant([]), scalar)),
  system: optional(mostly(fc.oneof(goodText, fc.array(textBlock, { maxLength: 2 })), scalar)),
  stop_sequences: optional(mostly(fc.array(text, { maxLength: 2 }), fc.array(scalar, { maxLength: 2 }))),
  stream: optional(mostly(fc.boolean(), scalar)),
  temperature: optional(mostly(fc.double({ min: 0, max: 2, noNaN: true }), number)),
  top_p: optional(mostly(fc.double({ min: 0, max: 1, noNaN: true }), number)),
  top_k: optional(mostly(fc.integer({ min: 0, max: 500 }), number)),
  service_tier: optional(mostly(goodText, scalar)),
  metadata: optional(fc.constant({ user_id: 'u' })),
  extra: fc.option(
    fc.tuple(fc.constantFrom('constructor', '__proto__', 'toString', 'tools', 'thinking', 'x'), scalar),
    { nil: undefined, freq: 6 },
  ),
});

/** A generated request as JSON.parse would give it from a line. */
function parsed(p: Record<string, unknown>): unknown {
  const { extra, ...fields } = p;
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (Array.isArray(extra)) entries.push([String(extra[0]), extra[1]]);
  const json = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  return JSON.parse(json);
}

describe('the fast path of validateParams', () => {
  it('says valid only for what the full check accepts with no unknown key and no warning', () => {
    let fast = 0;
    fc.assert(
      fc.property(params, (p) => {
        const value = parsed(p);
        if (!isPlainValidRequest(value)) return;
        fast += 1;
        const full = validateParamsFully(value, 'params');
        expect(full).toEqual({ ok: true, params: value, unknownKeys: [], warnings: [] });
      }),
      { numRuns: 20_000 },
    );
    // The generator reaches the fast path often enough for the property to mean something.
    expect(fast).toBeGreaterThan(200);
  });

  it('gives what the full check gives, for every request', () => {
    fc.assert(
      fc.property(params, (p) => {
        const value = parsed(p);
        expect(validateParams(value, 'params')).toEqual(validateParamsFully(value, 'params'));
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes the plain requests most files hold, and leaves the rest to the full check', () => {
    const plain = {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        { role: 'user', content: 'Bye' },
        { role: 'assistant', content: '' },
      ],
      temperature: 0.2,
      stream: true,
    };
    expect(isPlainValidRequest(plain)).toBe(true);
    expect(isPlainValidRequest({ ...plain, tools: [] })).toBe(false);
    expect(isPlainValidRequest({ ...plain, max_tokens: 2 ** 53 })).toBe(false);
    expect(
      isPlainValidRequest(JSON.parse('{"__proto__": 1, "model": "m", "max_tokens": 1, "messages": []}')),
    ).toBe(false);
    expect(isPlainValidRequest({ ...plain, messages: [{ role: 'user', content: '' }] })).toBe(false);
  });
});
