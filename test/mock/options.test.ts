import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { resolveMockOptions } from '../../src/mock/options.js';
import { startMockServer } from '../../src/mock/server.js';

describe('resolveMockOptions', () => {
  it('fills in every default from the option table', () => {
    const resolved = resolveMockOptions();
    expect(resolved).toMatchObject({
      port: 0,
      latencyMs: 0,
      overloadRate: 0,
      seed: 0,
      record: true,
      batchProcessingMs: 1000,
      batchMaxRequests: 100_000,
      batchMaxBytes: 256 * 1024 * 1024,
    });
    expect(resolved.rpm).toBeUndefined();
    expect(resolved.maxConcurrent).toBeUndefined();
    expect(typeof resolved.clock.now()).toBe('number');
  });

  it('keeps a default when an option is given as undefined', () => {
    expect(resolveMockOptions({ latencyMs: undefined }).latencyMs).toBe(0);
  });

  it('reads a seed given as text that is a number as that number, as a flag gives it', () => {
    expect(resolveMockOptions({ seed: '7' }).seed).toBe(7);
    expect(resolveMockOptions({ seed: 'run-a' }).seed).toBe('run-a');
  });

  const bad: [Record<string, unknown>, string][] = [
    [{ overloadRate: 2 }, 'Expected `--overload-rate` to be a number from 0 to 1, got `2`'],
    [{ dropRate: -0.1 }, 'Expected `--drop-rate` to be a number from 0 to 1, got `-0.1`'],
    [
      { latencyMs: Number.NaN },
      'Expected `--latency-ms` to be a number of milliseconds from 0 to 2147483647 (the longest timer Node allows), got `NaN`',
    ],
    [{ rpm: 0 }, 'Expected `--rpm` to be a whole number >= 1, got `0`'],
    [{ maxConcurrent: 1.5 }, 'Expected `--max-concurrent` to be a whole number >= 1, got `1.5`'],
    [{ port: 70_000 }, 'Expected `--port` to be a whole number from 0 to 65535, got `70000`'],
    [{ cacheMinTokens: 0 }, 'Expected `--cache-min-tokens` to be a whole number >= 1, got `0`'],
    [{ seed: '' }, 'Expected `--seed` to be a number or a word, got ``'],
    [
      { overloadRate: 0.6, errorRate: 0.6 },
      'Expected `--overload-rate` + `--rate-limit-rate` + `--error-rate` + `--drop-rate` to be at most 1, got `1.2`',
    ],
  ];
  for (const [options, message] of bad) {
    it(`refuses ${JSON.stringify(options)} with a message naming the flag`, () => {
      expect(() => resolveMockOptions(options)).toThrow(new UsageError(message));
    });
  }

  it('makes startMockServer refuse bad options before it listens', async () => {
    await expect(startMockServer({ errorRate: 3 })).rejects.toThrow(UsageError);
  });
});
