import { describe, expect, it } from 'vitest';
import { Shutdown } from '../../src/run/shutdown.js';
import { idle, VirtualClock } from '../helpers/virtual-clock.js';

describe('Shutdown', () => {
  it('drains on a stop and keeps the first reason given', () => {
    const shutdown = new Shutdown();
    expect(shutdown.reason).toBeNull();
    shutdown.stop({ reason: 'auth', message: 'refused' });
    shutdown.stop({ reason: 'budget', message: 'later' });
    expect(shutdown.draining.aborted).toBe(true);
    expect(shutdown.aborted.aborted).toBe(false);
    expect(shutdown.reason).toEqual({ reason: 'auth', message: 'refused' });
  });

  it('drains on an interrupt and aborts once the grace period has passed on the run clock', async () => {
    const clock = new VirtualClock();
    const shutdown = new Shutdown();
    shutdown.interrupt();
    // Interrupted before the run started: the grace period starts with the run.
    shutdown.setGrace(500, clock);
    expect(shutdown.draining.aborted).toBe(true);
    expect(shutdown.aborted.aborted).toBe(false);
    await idle();
    expect(clock.now()).toBe(500);
    expect(shutdown.aborted.aborted).toBe(true);
    expect(shutdown.reason).toEqual({ reason: 'interrupted', message: 'interrupted' });
  });

  it('never aborts after the run is over, and follows a signal until told to stop', async () => {
    const clock = new VirtualClock();
    const shutdown = new Shutdown();
    shutdown.setGrace(500, clock);
    const signal = new AbortController();
    const detach = shutdown.interruptOn(signal.signal);
    signal.abort();
    expect(shutdown.draining.aborted).toBe(true);
    shutdown.dispose();
    await idle();
    expect(shutdown.aborted.aborted).toBe(false);
    detach();

    const other = new Shutdown();
    const later = new AbortController();
    other.interruptOn(later.signal)();
    later.abort();
    expect(other.draining.aborted).toBe(false);
    other.abort();
    expect([other.draining.aborted, other.aborted.aborted]).toEqual([true, true]);
    expect(other.reason?.reason).toBe('interrupted');
  });
});
