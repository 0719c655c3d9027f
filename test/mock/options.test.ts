import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { MOCK_SERVER_DEFAULTS, resolveMockOptions } from '../../src/mock/options.js';
import { startMockServer } from '../../src/mock/server.js';

describe('resolveMockOptions', () => {
  it('fills in every default', () => {
    const resolved = resolveMockOptions();
    expect(resolved).toMatchObject(MOCK_SERVER_DEFAULTS);
    expect(resolved.rpm).toBeUndefined();
    expect(resolved.maxConcurrent).toBeUndefined();
    expect(typeof resolved.clock.now()).toBe('number');
  });

  it('keeps a default when an option is given as undefined', () => {
    expect(resolveMockOptions({ latencyMs: undefined }).latencyMs).toBe(0);
  });

  const bad: [Record<string, unknown>, string][] = [
    [{ overloadRate: 2 }, 'Expected `overloadRate` to be a number from 0 to 1, got `2`'],
    [{ dropRate: -0.1 }, 'Expected `dropRate` to be a number from 0 to 1, got `-0.1`'],
    [{ latencyMs: Number.NaN }, 'Expected `latencyMs` to be a non-negative number of ms, got `NaN`'],
    [{ rpm: 0 }, 'Expected `rpm` to be a positive integer, got `0`'],
    [{ maxConcurrent: 1.5 }, 'Expected `maxConcurrent` to be a positive integer, got `1.5`'],
    [{ port: 70_000 }, 'Expected `port` to be an integer from 0 to 65535, got `70000`'],
    [{ cacheMinTokens: 0 }, 'Expected `cacheMinTokens` to be a positive integer, got `0`'],
    [
      { overloadRate: 0.6, errorRate: 0.6 },
      'Expected `overloadRate + rateLimitRate + errorRate + dropRate` to be at most 1, got `1.2`',
    ],
  ];
  for (const [options, message] of bad) {
    it(`refuses ${JSON.stringify(options)} with a message naming the option`, () => {
      expect(() => resolveMockOptions(options)).toThrow(new UsageError(message));
    });
  }

  it('makes startMockServer refuse bad options before it listens', async () => {
    await expect(startMockServer({ errorRate: 3 })).rejects.toThrow(UsageError);
  });
});
