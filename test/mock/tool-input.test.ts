import { describe, expect, it } from 'vitest';
import { buildMockMessage } from '../../src/mock/reply.js';
import { exampleForSchema } from '../../src/mock/tool-input.js';
import { params } from './support.js';

describe('exampleForSchema', () => {
  it('fills every property of an object with a value of its type', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer', minimum: 3, maximum: 10 },
        ratio: { type: 'number', exclusiveMaximum: 1 },
        metric: { type: 'boolean' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        note: { type: ['null', 'string'] },
        nothing: { type: 'null' },
      },
      required: ['city', 'days'],
    };
    expect(exampleForSchema(schema, 'prompt')).toEqual({
      city: 'mock city',
      days: 3,
      ratio: 0.5,
      metric: true,
      unit: 'celsius',
      note: 'mock note',
      nothing: null,
    });
  });

  it('builds nested objects and arrays, honouring minItems, maxItems and prefixItems', () => {
    const schema = {
      type: 'object',
      properties: {
        address: { type: 'object', properties: { street: { type: 'string' }, zip: { type: 'integer' } } },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
        empty: { type: 'array', items: { type: 'integer' }, maxItems: 0 },
        pair: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'boolean' }] },
        points: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' } } } },
      },
    };
    expect(exampleForSchema(schema, 'p')).toEqual({
      address: { street: 'mock street', zip: 1 },
      tags: ['mock tags', 'mock tags'],
      empty: [],
      pair: [1, true],
      points: [{ x: 1.5 }],
    });
  });

  it('uses const, default, examples, formats and string lengths', () => {
    const schema = {
      type: 'object',
      properties: {
        kind: { const: 'fixed' },
        level: { type: 'integer', default: 7 },
        code: { type: 'string', examples: ['X-1'] },
        when: { type: 'string', format: 'date-time' },
        mail: { type: 'string', format: 'email' },
        long: { type: 'string', minLength: 12 },
        short: { type: 'string', maxLength: 3 },
        even: { type: 'integer', minimum: 3, multipleOf: 2 },
      },
    };
    expect(exampleForSchema(schema, 'p')).toEqual({
      kind: 'fixed',
      level: 7,
      code: 'X-1',
      when: '2025-01-01T00:00:00Z',
      mail: 'mock@example.com',
      long: 'mock longxxx',
      short: 'moc',
      even: 4,
    });
  });

  it('follows local $refs, takes the first of anyOf and merges allOf', () => {
    const schema = {
      type: 'object',
      $defs: { Item: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } },
      properties: {
        item: { $ref: '#/$defs/Item' },
        either: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
        both: {
          allOf: [{ properties: { a: { type: 'string' } } }, { properties: { b: { type: 'integer' } } }],
        },
      },
    };
    expect(exampleForSchema(schema, 'p')).toEqual({
      item: { id: 1 },
      either: true,
      both: { a: 'mock a', b: 1 },
    });
  });

  it('stops a recursive schema instead of looping', () => {
    const schema = {
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    };
    let depth = 0;
    let node = exampleForSchema(schema, 'p') as Record<string, unknown> | undefined;
    while (node && typeof node.child === 'object') {
      depth++;
      node = node.child as Record<string, unknown>;
    }
    expect(depth).toBeGreaterThan(3);
    expect(depth).toBeLessThan(12);
  });

  it('gives a required property that has no schema a string', () => {
    expect(exampleForSchema({ type: 'object', required: ['q'] }, 'p')).toEqual({ q: 'mock q' });
  });
});

describe('a forced tool_choice', () => {
  const tools = [
    { name: 'first', input_schema: { type: 'object', properties: { a: { type: 'integer' } } } },
    {
      name: 'second',
      input_schema: { type: 'object', properties: { b: { type: 'boolean' } }, required: ['b'] },
    },
  ];

  it('calls the named tool with input that fits its schema', () => {
    const message = buildMockMessage(params({ tools, tool_choice: { type: 'tool', name: 'second' } }), 1);
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'toolu_mock_second', name: 'second', input: { b: true } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('calls the first tool under any, and answers in text under auto', () => {
    const any = buildMockMessage(params({ tools, tool_choice: { type: 'any' } }), 1);
    expect(any.content).toEqual([
      { type: 'tool_use', id: 'toolu_mock_first', name: 'first', input: { a: 1 } },
    ]);
    const auto = buildMockMessage(params({ tools, tool_choice: { type: 'auto' } }), 1);
    expect(auto.content[0]?.type).toBe('text');
  });
});
