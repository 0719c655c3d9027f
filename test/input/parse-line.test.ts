import { describe, expect, it } from 'vitest';
import { type ParsedLine, parseRequestLine } from '../../src/input/parse-line.js';

const params = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };

function parse(line: unknown, invalidUtf8?: { offset: number; byte: number }): ParsedLine {
  const text = typeof line === 'string' ? line : JSON.stringify(line);
  return parseRequestLine(text, 7, 'in.jsonl', {}, invalidUtf8);
}

function failureOf(parsed: ParsedLine) {
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseRequestLine paths', () => {
  const bad = { ...params, max_tokens: '64' };
  it.each<[string, unknown]>([
    ['a Message Batches item', { custom_id: 'a', params: bad }],
    ['a bare request', bad],
    ['an OpenAI-style item', { custom_id: 'a', method: 'POST', url: '/v1/messages', body: bad }],
  ])('names a request field params.<field> in %s', (_format, line) => {
    expect(failureOf(parse(line)).message).toBe(
      'in.jsonl:7: params.max_tokens: expected a positive integer, got "64"',
    );
  });

  it('names the key a request is under when it is not an object', () => {
    expect(failureOf(parse({ custom_id: 'a', method: 'POST', body: 5 })).message).toBe(
      'in.jsonl:7: body: expected an object, got number 5',
    );
  });
});

describe('parseRequestLine on numbers and text JSON.parse changes', () => {
  it('says a number is too large instead of showing null', () => {
    const line = '{"model":"m","max_tokens":1e400,"messages":[{"role":"user","content":"x"}]}';
    expect(failureOf(parse(line)).message).toBe(
      'in.jsonl:7: params.max_tokens: expected a positive integer, got a number too large',
    );
  });

  it('refuses a number too large in a field sent as is, which would go out as null', () => {
    const line = `{"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"output_config":{"budget":-1e999}}}`;
    expect(failureOf(parse(line))).toEqual({
      ok: false,
      custom_id: 'a',
      line: 7,
      message:
        'in.jsonl:7: params.output_config.budget: expected a finite number, got a negative number too large',
    });
  });

  it('refuses a lone surrogate, which the API refuses as invalid JSON', () => {
    const line = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"ab\\udc00"}]}';
    expect(failureOf(parse(line)).message).toBe(
      'in.jsonl:7: params.messages[0].content: expected well-formed Unicode text, got a lone surrogate \\udc00 at character 2',
    );
  });

  it('says a line nested 100,000 levels deep is nested too deeply', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const line = `{"custom_id":"deep","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"x":${deep}}}`;
    expect(failureOf(parse(line))).toEqual({
      ok: false,
      custom_id: 'deep',
      line: 7,
      message:
        'in.jsonl:7: params.x[0][0][0][0][0][0][0]...: nested too deeply: expected at most 1000 levels of arrays and objects, got more',
    });
  });

  it('does not overflow on a bad custom_id, method or url nested 100,000 levels deep', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(failureOf(parse(`{"custom_id":${deep},"params":{}}`)).message).toMatch(
      /^in\.jsonl:7: custom_id: expected 1 to 64 of a-z A-Z 0-9 _ -, got \[\[\[/,
    );
    expect(failureOf(parse(`{"method":${deep},"body":{}}`)).message).toMatch(
      /^in\.jsonl:7: method: expected "POST"/,
    );
  });
});

describe('parseRequestLine on a line that is not UTF-8', () => {
  it('refuses it naming the byte and its offset, under its own custom_id', () => {
    const parsed = parse(
      {
        custom_id: 'q1',
        params: { ...params, messages: [{ role: 'user', content: 'a\uFFFD' }] },
        metadata: { k: 1 },
      },
      { offset: 61, byte: 0xc3 },
    );
    expect(parsed).toEqual({
      ok: false,
      custom_id: 'q1',
      line: 7,
      message: 'in.jsonl:7: not valid UTF-8: byte 0xc3 at offset 61 of the line',
      metadata: { k: 1 },
    });
  });

  it('names the bad byte rather than the JSON error it caused', () => {
    expect(failureOf(parse('{"a":\uFFFD}', { offset: 5, byte: 0xff }))).toEqual({
      ok: false,
      custom_id: 'line-7',
      line: 7,
      message: 'in.jsonl:7: not valid UTF-8: byte 0xff at offset 5 of the line',
    });
  });
});

describe('parseRequestLine on metadata', () => {
  const metadata = { expected: 'B', labels: ['easy'], score: null };

  it.each<[string, Record<string, unknown>]>([
    ['a Message Batches item', { custom_id: 'a', params, metadata }],
    ['an OpenAI-style item', { custom_id: 'a', method: 'POST', url: '/v1/messages', body: params, metadata }],
  ])('keeps the metadata of %s out of the request', (_format, line) => {
    const parsed = parse(line);
    expect(parsed).toEqual({
      ok: true,
      request: { custom_id: 'a', line: 7, params, metadata },
      unknownKeys: [],
      warnings: [],
    });
    expect(parsed.ok && 'metadata' in parsed.request.params).toBe(false);
  });

  it("leaves a bare request's metadata in the request: it is the API's parameter", () => {
    const parsed = parse({ ...params, metadata: { user_id: 'u1' } });
    expect(parsed.ok && parsed.request).toEqual({
      custom_id: 'line-7',
      line: 7,
      params: { ...params, metadata: { user_id: 'u1' } },
    });
  });

  it('keeps the metadata of a line that fails validation, for its errored result', () => {
    const parsed = parse({ custom_id: 'a', params: { ...params, max_tokens: 0 }, metadata });
    expect(parsed).toEqual({
      ok: false,
      custom_id: 'a',
      line: 7,
      message: 'in.jsonl:7: params.max_tokens: expected a positive integer, got 0',
      metadata,
    });
  });

  it.each<[unknown, string]>([
    ['gold', 'metadata: expected an object, got string "gold"'],
    [[1], 'metadata: expected an object, got an array'],
    ['{"score":1e400}', 'metadata.score: expected a finite number, got a number too large'],
  ])('refuses metadata %s', (value, message) => {
    const raw = typeof value === 'string' && value.startsWith('{') ? value : JSON.stringify(value);
    const line = `{"custom_id":"a","params":${JSON.stringify(params)},"metadata":${raw}}`;
    expect(parse(line)).toEqual({
      ok: false,
      custom_id: 'a',
      line: 7,
      message: `in.jsonl:7: ${message}`,
    });
  });
});
