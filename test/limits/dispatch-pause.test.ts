import { describe, expect, it } from 'vitest';
import { DispatchPause } from '../../src/limits/dispatch-pause.js';

describe('DispatchPause', () => {
  it('does not wait before any pause', () => {
    expect(new DispatchPause().waitMs(1000)).toBe(0);
  });

  it('waits until the pause ends, then not at all', () => {
    const pause = new DispatchPause();
    pause.pauseUntil(5000);
    expect(pause.waitMs(1000)).toBe(4000);
    expect(pause.waitMs(4999.5)).toBe(1);
    expect(pause.waitMs(5000)).toBe(0);
    expect(pause.waitMs(9000)).toBe(0);
  });

  it('keeps the latest end: an earlier one never shortens the pause', () => {
    const pause = new DispatchPause();
    pause.pauseUntil(8000);
    pause.pauseUntil(3000);
    expect(pause.waitMs(1000)).toBe(7000);
    pause.pauseUntil(12_000);
    expect(pause.waitMs(1000)).toBe(11_000);
  });
});
