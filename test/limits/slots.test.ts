/** The run's slots: taken at once while free, handed over in order, and a limit that moves. */
import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/limits/slots.js';
import { idle } from '../helpers/virtual-clock.js';

/** One slot, taken, and callers `a` then `b` waiting for it; `order` notes when each got one. */
function twoWaiting() {
  const slots = new Slots(1);
  const order: string[] = [];
  expect(slots.tryTake()).toBe(true);
  for (const name of ['a', 'b']) void slots.take().then(() => order.push(name));
  return { slots, order };
}

describe('Slots', () => {
  it('takes free slots at once, and refuses once they are all taken', () => {
    const slots = new Slots(2);
    expect(slots.tryTake()).toBe(true);
    expect(slots.tryTake()).toBe(true);
    expect(slots.tryTake()).toBe(false);
    expect(slots.active).toBe(2);
    slots.release();
    expect(slots.active).toBe(1);
    expect(slots.tryTake()).toBe(true);
  });

  it('hands a released slot to the first caller waiting, in the order they came', async () => {
    const { slots, order } = twoWaiting();
    expect(slots.waiting).toBe(2);
    await idle();
    expect(order).toEqual([]);

    slots.release();
    await idle();
    expect(order).toEqual(['a']);
    expect(slots.active).toBe(1);
    // A caller that comes now does not pass the one already waiting.
    expect(slots.tryTake()).toBe(false);
    slots.release();
    await idle();
    expect(order).toEqual(['a', 'b']);
    expect(slots.waiting).toBe(0);
  });

  it('hands out the new slots when the limit rises, and lets slots in use finish when it falls', async () => {
    const { slots, order } = twoWaiting();
    slots.limit = 3;
    await idle();
    expect(order).toEqual(['a', 'b']);
    expect(slots.active).toBe(3);

    slots.limit = 1;
    expect(slots.active).toBe(3);
    slots.release();
    slots.release();
    expect(slots.tryTake()).toBe(false);
    slots.release();
    expect(slots.tryTake()).toBe(true);
  });

  it('refuses a limit that is not a positive integer, naming it', () => {
    expect(() => new Slots(0)).toThrow('Expected `limit` to be a positive integer, got `0`');
    expect(() => {
      new Slots(2).limit = 1.5;
    }).toThrow('got `1.5`');
  });
});
