import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/output/redact.js';

describe('createRedactor', () => {
  it('replaces every occurrence of every secret', () => {
    const redact = createRedactor(['sk-one-1234', 'sk-two-5678']);
    expect(redact('a sk-one-1234 b sk-two-5678 c sk-one-1234')).toBe(
      'a [redacted] b [redacted] c [redacted]',
    );
  });

  it('leaves text without a secret as it is, and ignores empty or missing secrets', () => {
    const redact = createRedactor(['', undefined, 'sk-three-9012']);
    expect(redact('nothing here, not even an empty string')).toBe('nothing here, not even an empty string');
    expect(createRedactor([])('sk-anything')).toBe('sk-anything');
  });
});

describe('createRedactor on JSON-escaped text', () => {
  const key = 'sk-ant-0123456789';
  const redact = createRedactor([key]);
  const escape = (text: string) =>
    [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

  it('finds a key written with \\u escapes, or some of them, and masks the decoded text', () => {
    expect(redact(`{"k":"${escape(key)}"}`)).toBe('{"k":"[redacted]"}');
    expect(redact(`"s\\u006b-ant-0123456789 and ${key}"`)).toBe('"[redacted] and [redacted]"');
    expect(redact(`sk\\/ant`)).toBe('sk\\/ant');
  });

  it('finds a key escaped twice over (JSON quoted inside JSON)', () => {
    const twice = escape(key).replaceAll('\\', '\\\\');
    expect(redact(`{"outer":"{\\"k\\":\\"${twice}\\"}"}`)).toBe('{"outer":"{"k":"[redacted]"}"}');
  });

  it('leaves a text with escapes but no key exactly as it was', () => {
    const text = 'C:\\new\\table \\u0041 "\\"quoted\\""';
    expect(redact(text)).toBe(text);
  });
});
