import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { ConcurrencyController } from '../../src/limits/concurrency.js';

describe('ConcurrencyController', () => {
  it('starts at max and halves on an overload', () => {
    const controller = new ConcurrencyController({ max: 32 });
    expect(controller.current).toBe(32);
    expect(controller.onOverload(10_000)).toBe(true);
    expect(controller.current).toBe(16);
  });

  it('cuts once for 32 concurrent 529s of requests sent before the cut', () => {
    const controller = new ConcurrencyController({ max: 32, cooldownMs: 0 });
    const cuts = Array.from({ length: 32 }, (_, i) => controller.onOverload(5000 + i * 100, 4000)).filter(
      Boolean,
    );
    expect(cuts).toHaveLength(1);
    expect(controller.current).toBe(16);
    // A request sent after that cut that is overloaded again is new evidence.
    expect(controller.onOverload(9000, 8500)).toBe(true);
    expect(controller.current).toBe(8);
  });

  it('cuts at most once per cooldown when the send time is not known', () => {
    const controller = new ConcurrencyController({ max: 32, cooldownMs: 1000 });
    for (let t = 0; t < 1000; t += 50) controller.onOverload(10_000 + t);
    expect(controller.current).toBe(16);
    controller.onOverload(11_000);
    expect(controller.current).toBe(8);
  });

  it('never goes below min', () => {
    const controller = new ConcurrencyController({ max: 10, min: 3, cooldownMs: 0 });
    for (let t = 1; t <= 10; t += 1) controller.onOverload(t * 10_000);
    expect(controller.current).toBe(3);
    expect(controller.onOverload(200_000)).toBe(false);
    expect(controller.current).toBe(3);
  });

  it('grows by one after current successes in a row, up to max', () => {
    const controller = new ConcurrencyController({ max: 6 });
    controller.onOverload(10_000);
    expect(controller.current).toBe(3);
    for (let i = 0; i < 2; i += 1) controller.onSuccess();
    expect(controller.current).toBe(3);
    controller.onSuccess();
    expect(controller.current).toBe(4);
    for (let i = 0; i < 4; i += 1) controller.onSuccess();
    expect(controller.current).toBe(5);
    for (let i = 0; i < 100; i += 1) controller.onSuccess();
    expect(controller.current).toBe(6);
  });

  it('restarts the success count after any overload, even one that does not cut', () => {
    const controller = new ConcurrencyController({ max: 8, cooldownMs: 5000 });
    controller.onOverload(10_000);
    expect(controller.current).toBe(4);
    for (let i = 0; i < 3; i += 1) controller.onSuccess();
    expect(controller.onOverload(11_000)).toBe(false);
    for (let i = 0; i < 3; i += 1) controller.onSuccess();
    expect(controller.current).toBe(4);
    controller.onSuccess();
    expect(controller.current).toBe(5);
  });

  it('follows a given decrease factor, rounding down', () => {
    const controller = new ConcurrencyController({ max: 10, decreaseFactor: 0.75, cooldownMs: 0 });
    controller.onOverload(1);
    expect(controller.current).toBe(7);
    controller.onOverload(2);
    expect(controller.current).toBe(5);
  });

  it('rejects options out of range with a message naming the option and value', () => {
    expect(() => new ConcurrencyController({ max: 0 })).toThrow(
      'Expected `max` to be a positive integer, got `0`',
    );
    expect(() => new ConcurrencyController({ max: 4, min: 5 })).toThrow(
      'Expected `min` to be an integer from 1 to 4, got `5`',
    );
    expect(() => new ConcurrencyController({ max: 4, decreaseFactor: 1 })).toThrow(UsageError);
    expect(() => new ConcurrencyController({ max: 4, cooldownMs: -1 })).toThrow(UsageError);
  });
});
