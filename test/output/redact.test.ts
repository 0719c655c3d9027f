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
