import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { flagOf, MAX_SECONDS, MAX_TEXT_BYTES, option, resolveOptions } from '../../src/options/define.js';
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
      [
        { maxRetryWait: -1 },
        `Expected \`--max-retry-wait\` to be a number of seconds >= 0 and at most 2147483 (the longest timer Node allows, about 24 days), got \`-1\``,
      ],
      [
        { timeout: 0 },
        `Expected \`--timeout\` to be a number of seconds > 0 and at most 2147483 (the longest timer Node allows, about 24 days), got \`0\``,
      ],
      [
        { timeout: Number.NaN },
        `Expected \`--timeout\` to be a number of seconds > 0 and at most 2147483 (the longest timer Node allows, about 24 days), got \`NaN\``,
      ],
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

  it("refuses every seconds option from 2^31 ms on, which Node's timers would fire at once", () => {
    const seconds = Object.entries(RUN_OPTIONS).filter(([, spec]) => spec.kind === 'seconds');
    expect(seconds.map(([name]) => name).sort()).toEqual([
      'grace',
      'idleTimeout',
      'maxPollInterval',
      'maxRetryWait',
      'pollInterval',
      'timeout',
    ]);
    for (const [name] of seconds) {
      const flag = flagOf(name);
      expect(resolveOptions(RUN_OPTIONS, { [name]: MAX_SECONDS })[name as 'timeout']).toBe(MAX_SECONDS);
      expect(() => resolveOptions(RUN_OPTIONS, { [name]: 2 ** 31 / 1000 })).toThrow(
        `Expected \`--${flag}\` to be a number of seconds`,
      );
      expect(() => resolveOptions(RUN_OPTIONS, { [name]: 2 ** 31 / 1000 })).toThrow(
        'at most 2147483 (the longest timer Node allows, about 24 days), got `2147483.648`',
      );
    }
    expect(MAX_SECONDS * 1000).toBeLessThan(2 ** 31);
  });

  it('bounds --max-response-bytes by the longest string Node holds', () => {
    expect(resolveOptions(RUN_OPTIONS, {}).maxResponseBytes).toBe(64 * 1024 * 1024);
    expect(() => resolveOptions(RUN_OPTIONS, { maxResponseBytes: MAX_TEXT_BYTES + 1 })).toThrow(
      `Expected \`--max-response-bytes\` to be a whole number from 1 to ${MAX_TEXT_BYTES}`,
    );
  });

  it('refuses an --api-key-env that is not a variable name without repeating it (it may be the key)', () => {
    const key = 'sk-ant-api03-ABCdef0123456789';
    for (const given of [key, '1ABC', '', ['LP_KEY', key]]) {
      expect(() => resolveOptions(RUN_OPTIONS, { apiKeyEnv: given })).toThrow(
        'the value given to `--api-key-env` is not a valid environment variable name',
      );
      try {
        resolveOptions(RUN_OPTIONS, { apiKeyEnv: given });
      } catch (error) {
        expect(String(error)).not.toContain('sk-ant');
      }
    }
    expect(resolveOptions(RUN_OPTIONS, { apiKeyEnv: 'MY_KEY_2' }).apiKeyEnv).toBe('MY_KEY_2');
  });

  it('takes --header as one line or several, and refuses the key and transport headers by name only', () => {
    expect(resolveOptions(RUN_OPTIONS, { header: 'anthropic-beta: a' }).header).toEqual([
      'anthropic-beta: a',
    ]);
    expect(resolveOptions(RUN_OPTIONS, { header: ['x-a: 1', 'X-B:2'] }).header).toEqual(['x-a: 1', 'X-B:2']);
    const refusals: Array<[string, string]> = [
      ['X-Api-Key: sk-ant-secret-value', '`--header`: may not set `x-api-key`: it carries the API key'],
      ['authorization: Bearer sk-ant-secret-value', '`--header`: may not set `authorization`'],
      ['Host: sk-ant-secret-value', '`--header`: may not set `host`: lp-batch sets it for every request'],
      ['content-length: 1', '`--header`: may not set `content-length`'],
      ['sk-ant-secret-value', '`--header`: expected `Name: value`'],
      ['bad name: sk-ant-secret-value', '`--header`: expected `Name: value`'],
      ['x-a: one\r\nx-api-key: sk-ant-secret-value', '`--header`: expected the value of `x-a` on one line'],
    ];
    for (const [line, message] of refusals) {
      expect(() => resolveOptions(RUN_OPTIONS, { header: ['anthropic-beta: b', line] })).toThrow(message);
      expect(() => resolveOptions(RUN_OPTIONS, { header: line })).not.toThrow('sk-ant');
    }
  });

  it('names flags in kebab case and gives every run option a default or none on purpose', () => {
    expect(flagOf('allowInsecureHttp')).toBe('allow-insecure-http');
    const resolved = resolveOptions(RUN_OPTIONS, {});
    expect(resolved).toMatchObject({ provider: 'littlepig', concurrency: 8, maxRetries: 8, grace: 30 });
    expect(resolved.maxCost).toBeUndefined();
  });
});
