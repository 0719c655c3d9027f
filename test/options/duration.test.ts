/** `--deadline DURATION`: what a person may write, and the one line a mistake gets. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { resolveOptions } from '../../src/options/define.js';
import { durationSeconds } from '../../src/options/duration.js';
import { RUN_OPTIONS } from '../../src/options/run.js';

describe('durationSeconds', () => {
  it.each([
    [90, 90],
    ['90', 90],
    ['90s', 90],
    ['45m', 2700],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['1d', 86_400],
    ['500ms', 0.5],
    [' 2H ', 7200],
  ])('reads %j as %d seconds', (given, seconds) => {
    expect(durationSeconds(given)).toBe(seconds);
  });

  it.each([0, -5, '0s', '', 'soon', '2 h', '1h-30m', 'h', '1w', Number.NaN, Number.POSITIVE_INFINITY, null])(
    'refuses %j',
    (given) => {
      expect(durationSeconds(given)).toBeNull();
    },
  );
});

describe('--deadline', () => {
  it('resolves to seconds', () => {
    expect(resolveOptions(RUN_OPTIONS, { deadline: '1h30m' }).deadline).toBe(5400);
  });

  it('refuses what is not a duration in one line naming the flag and the value', () => {
    expect(() => resolveOptions(RUN_OPTIONS, { deadline: 'tomorrow' })).toThrow(
      new UsageError(
        'Expected `--deadline` to be a duration > 0 such as `90s`, `45m`, `2h`, `1h30m` or `1d` (a bare number is seconds), got `tomorrow`',
      ),
    );
  });
});
