import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { flagOf, option, resolveOptions } from '../../src/options/define.js';
import { RUN_OPTIONS } from '../../src/options/run.js';

const TABLE = {
  concurrency: option.count({ min: 1, default: 8, describe: 'c' }),
  maxRetryWait: option.seconds({ allowZero: true, default: 60, describe: 'w' }),
  timeout: option.seconds({ describe: 't' }),
  rpm: option.perMinute({ describe: 'r' }),
  stream: option.boolean({ default: false, describe: 's' }),
  model: option.string({ arg: 'NAME', describe: 'm' }),
  order: option.choice({ choices: ['completion', 'input'], default: 'completion', describe: 'o' }),
};

describe('resolveOptions', () => {
  it('fills in the defaults, keeps what was given, and ignores keys it does not know', () => {
    expect(resolveOptions(TABLE, { timeout: 0.5, model: 'm', inputPath: 'x' })).toEqual({
      concurrency: 8,
      maxRetryWait: 60,
      timeout: 0.5,
      rpm: undefined,
      stream: false,
      model: 'm',
      order: 'completion',
    });
  });

  it('refuses a bad value naming the flag, what it expects and what it got', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ concurrency: 0 }, 'Expected `--concurrency` to be a whole number >= 1, got `0`'],
      [{ concurrency: 1.5 }, 'Expected `--concurrency` to be a whole number >= 1, got `1.5`'],
      [{ maxRetryWait: -1 }, 'Expected `--max-retry-wait` to be a number of seconds >= 0, got `-1`'],
      [{ timeout: 0 }, 'Expected `--timeout` to be a number of seconds > 0, got `0`'],
      [{ timeout: Number.NaN }, 'Expected `--timeout` to be a number of seconds > 0, got `NaN`'],
      [{ rpm: 0 }, 'Expected `--rpm` to be a number > 0, got `0`'],
      [{ stream: 'yes' }, 'Expected `--stream` to be true or false, got `yes`'],
      [{ model: 7 }, 'Expected `--model` to be a string, got `7`'],
      [{ order: 'random' }, 'Expected `--order` to be one of completion | input, got `random`'],
    ];
    for (const [given, message] of bad) {
      expect(() => resolveOptions(TABLE, given)).toThrow(UsageError);
      expect(() => resolveOptions(TABLE, given)).toThrow(message);
    }
  });

  it('names flags in kebab case and gives every run option a default or none on purpose', () => {
    expect(flagOf('allowInsecureHttp')).toBe('allow-insecure-http');
    const resolved = resolveOptions(RUN_OPTIONS, {});
    expect(resolved).toMatchObject({ provider: 'littlepig', concurrency: 8, maxRetries: 8, grace: 30 });
    expect(resolved.maxCost).toBeUndefined();
  });
});
