import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  ConcurrencyController,
  decideLevel,
  extraSlotsPay,
  type LevelSample,
} from '../../src/limits/concurrency.js';
import { createSeededRandom } from '../../src/mock/random.js';

const at = (level: number, rate: number): LevelSample => ({ level, rate, at: 0 });
const BOUNDS = { min: 1, max: 64 };

describe('extraSlotsPay', () => {
  it('says yes when the failure rate does not rise with concurrency (random faults)', () => {
    expect(extraSlotsPay(at(32, 0.25), at(64, 0.25))).toBe(true);
    expect(extraSlotsPay(at(32, 0.2), at(64, 0.3))).toBe(true);
    expect(extraSlotsPay(at(4, 0), at(5, 0))).toBe(true);
  });

  it('says no when the extra slots only buy failures (a server short of capacity)', () => {
    // A server that takes 4: 16 in flight get 4 through, 32 get 4 through.
    expect(extraSlotsPay(at(16, 0.75), at(32, 0.875))).toBe(false);
    expect(extraSlotsPay(at(4, 0), at(5, 0.2))).toBe(false);
    expect(extraSlotsPay(at(8, 1), at(16, 1))).toBe(false);
  });
});

describe('decideLevel', () => {
  it('probes at half when failing with nothing to compare, and assumes load at the floor', () => {
    expect(decideLevel(at(64, 0.25), null, null, BOUNDS)).toEqual({ next: 32, verdict: 'unknown' });
    expect(decideLevel(at(1, 0.5), null, null, BOUNDS)).toEqual({ next: 1, verdict: 'load' });
  });

  it('goes back up to a level whose extra slots paid, and calls the failures random', () => {
    expect(decideLevel(at(32, 0.25), null, at(64, 0.26), BOUNDS)).toEqual({ next: 64, verdict: 'random' });
  });

  it('keeps growing while the level below shows the failures do not follow the load', () => {
    expect(decideLevel(at(40, 0.25), at(32, 0.25), null, BOUNDS)).toEqual({ next: 50, verdict: 'random' });
    expect(decideLevel(at(64, 0.25), at(32, 0.25), null, BOUNDS)).toEqual({ next: 64, verdict: 'random' });
  });

  it('goes down to the level below when the failures rise with concurrency', () => {
    expect(decideLevel(at(5, 0.2), at(4, 0), null, BOUNDS)).toEqual({ next: 4, verdict: 'load' });
    expect(decideLevel(at(32, 0.4), at(16, 0.05), null, BOUNDS)).toEqual({ next: 16, verdict: 'load' });
  });

  it('halves when most attempts fail, whatever was measured before', () => {
    expect(decideLevel(at(16, 0.75), null, at(32, 0.875), BOUNDS)).toEqual({ next: 8, verdict: 'load' });
    expect(decideLevel(at(64, 0.6), at(32, 0.6), null, BOUNDS)).toEqual({ next: 32, verdict: 'load' });
    expect(decideLevel(at(1, 1), null, null, BOUNDS)).toEqual({ next: 1, verdict: 'load' });
  });

  it('stays at a clear level below one that did not pay, and grows from a clear one otherwise', () => {
    expect(decideLevel(at(4, 0), null, at(5, 0.2), BOUNDS)).toEqual({ next: 4, verdict: 'load' });
    expect(decideLevel(at(4, 0.02), null, null, BOUNDS)).toEqual({ next: 5, verdict: 'clear' });
    expect(decideLevel(at(40, 0), null, null, BOUNDS)).toEqual({ next: 50, verdict: 'clear' });
    expect(decideLevel(at(60, 0), null, null, BOUNDS)).toEqual({ next: 64, verdict: 'clear' });
  });
});

/**
 * Rounds of attempts on a virtual clock: each round sends `current` attempts at once, which end
 * `roundMs` later as `congested(i, current)` says. Returns the level of every round and the 529s.
 */
function simulate(
  controller: ConcurrencyController,
  rounds: number,
  congested: (i: number, level: number) => boolean,
  roundMs = 50,
) {
  const levels: number[] = [];
  let failures = 0;
  let attempts = 0;
  for (let round = 0; round < rounds; round++) {
    const sentAt = round * roundMs;
    const level = controller.current;
    levels.push(level);
    for (let i = 0; i < level; i++) {
      const failed = congested(i, level);
      attempts += 1;
      if (failed) failures += 1;
      controller.onOutcome(sentAt + roundMs, sentAt, failed);
    }
  }
  return { levels, failures, attempts };
}

describe('ConcurrencyController', () => {
  it('holds -c 64 against 20 % 529s and 5 % 429s at random: sending less would not fail less', () => {
    const random = createSeededRandom(16);
    const controller = new ConcurrencyController({ max: 64 });
    const { levels } = simulate(controller, 2000, () => random() < 0.25);
    // One probe at 32 at the start, and one each time its measurement is 30 s old; 64 otherwise.
    expect(Math.min(...levels)).toBe(32);
    expect(levels.filter((level) => level === 64).length / levels.length).toBeGreaterThan(0.97);
    expect(controller.verdict).toBe('random');
  });

  it('comes down to a server that takes 4 at a time, and draws few 529s', () => {
    const controller = new ConcurrencyController({ max: 32 });
    // The server answers 4 of the attempts sent together; the others get a 529 at once.
    const { levels, failures, attempts } = simulate(controller, 2000, (i) => i >= 4);
    expect(levels.slice(20).every((level) => level === 4 || level === 5)).toBe(true);
    expect(levels.slice(20).filter((level) => level === 4).length).toBeGreaterThan(1900);
    expect(failures / attempts).toBeLessThan(0.02);
    expect(controller.verdict).toBe('load');
  });

  it('cuts as soon as most of 32 attempts failed, and ignores attempts sent before the cut', () => {
    const controller = new ConcurrencyController({ max: 32 });
    for (let i = 0; i < 31; i++) controller.onOutcome(100, 0, true);
    expect(controller.current).toBe(32);
    expect(controller.onOutcome(100, 0, true)).toBe(-16);
    // More answers to attempts sent at 32 change nothing: they say nothing about 16.
    for (let i = 0; i < 64; i++) expect(controller.onOutcome(110, 50, true)).toBe(0);
    expect(controller.current).toBe(16);
    for (let i = 0; i < 32; i++) controller.onOutcome(200, 150, true);
    expect(controller.current).toBe(8);
  });

  it('does not judge a level on its first window, which fills the slots', () => {
    const controller = new ConcurrencyController({ max: 64 });
    // A quarter failing: not most, so two windows of 128 attempts pass before the probe at half.
    for (let i = 0; i < 255; i++) controller.onOutcome(100, 0, i % 4 === 0);
    expect(controller.current).toBe(64);
    controller.onOutcome(100, 0, false);
    expect(controller.current).toBe(32);
  });

  it('stays within min and max', () => {
    const held = new ConcurrencyController({ max: 8, min: 8 });
    simulate(held, 100, () => true);
    expect(held.current).toBe(8);
    const floor = new ConcurrencyController({ max: 8, min: 2 });
    simulate(floor, 100, () => true);
    expect(floor.current).toBe(2);
  });

  it('rejects options out of range with a message naming the option and value', () => {
    expect(() => new ConcurrencyController({ max: 0 })).toThrow(
      'Expected `max` to be a positive integer, got `0`',
    );
    expect(() => new ConcurrencyController({ max: 4, min: 5 })).toThrow(
      'Expected `min` to be an integer from 1 to 4, got `5`',
    );
    expect(() => new ConcurrencyController({ max: 4, minWindow: 0 })).toThrow(UsageError);
    expect(() => new ConcurrencyController({ max: 4, memoryMs: -1 })).toThrow(UsageError);
  });
});
