import { describe, expect, it } from 'vitest';
import { CacheSchedule } from '../../src/cache/cache-schedule.js';
import type { CacheTtl } from '../../src/cache/cache-rules.js';
import type { CachePrefix } from '../../src/cache/prompt-prefixes.js';

const MINUTE = 60_000;

function prefix(key: string, ttl: CacheTtl = '5m'): CachePrefix {
  return { key, ttl, tokens: 2000, inHead: true };
}

/** A schedule with requests 1..n added, each with the prefixes given. */
function scheduleOf(...requests: CachePrefix[][]): CacheSchedule {
  const schedule = new CacheSchedule();
  requests.forEach((prefixes, i) => schedule.add(i + 1, prefixes));
  return schedule;
}

describe('the cache schedule', () => {
  it('sends the first request of a group alone and the rest once its response has begun', () => {
    const s = scheduleOf([prefix('A')], [prefix('A')], [prefix('A')]);
    expect(s.next(1, 0)).toBe('go');
    expect(s.next(2, 0)).toBe('wait');
    expect(s.next(3, 1)).toBe('wait');
    expect(s.begun(1, 0)).toEqual([2, 3]);
    expect(s.next(2, 5)).toBe('go');
    expect(s.next(3, 5)).toBe('go');
    // What each response reads: the warm-up nothing, the others the warm prefix.
    expect(s.reach(1)).toEqual({ from: 0, readsFrom: false });
    expect(s.reach(2)).toEqual({ from: 0, readsFrom: true });
  });

  it('lets other groups go while one warms', () => {
    const s = scheduleOf([prefix('A')], [prefix('A')], [prefix('B')], [prefix('B')]);
    expect(s.next(1, 0)).toBe('go');
    expect(s.next(2, 0)).toBe('wait');
    expect(s.next(3, 0)).toBe('go');
    expect(s.next(4, 0)).toBe('wait');
    expect(s.begun(3, 0)).toEqual([4]);
    expect(s.next(2, 0)).toBe('wait');
  });

  it('hands a failed warm-up to the next request of its group alone; the rest wait for it', () => {
    const s = scheduleOf([prefix('A')], [prefix('A')], [prefix('A')]);
    s.next(1, 0);
    s.next(2, 0);
    s.next(3, 0);
    expect(s.failed(1)).toEqual([2]);
    expect(s.next(2, 10)).toBe('go');
    // The first, retrying, now waits for its heir like the others.
    expect(s.next(1, 10)).toBe('wait');
    expect(s.next(3, 10)).toBe('wait');
    expect(s.begun(2, 10).sort()).toEqual([1, 3]);
    expect(s.next(1, 20)).toBe('go');
  });

  it('hands the role over when the warm-up ends for good, and forgets a group nobody waits on', () => {
    const s = scheduleOf([prefix('A')], [prefix('A')], [prefix('B')]);
    s.next(1, 0);
    s.next(2, 0);
    s.next(3, 0);
    expect(s.remove(1)).toEqual([2]);
    expect(s.next(2, 0)).toBe('go');
    expect(s.remove(3)).toEqual([]);
    expect(s.size).toBe(1);
  });

  it('warms a group again once its 5-minute TTL has run out since its last use', () => {
    const s = scheduleOf([prefix('A')], [prefix('A')], [prefix('A')], [prefix('A')]);
    s.next(1, 0);
    s.begun(1, 0);
    // Read at 4 minutes: the entry lives 5 minutes from then.
    expect(s.next(2, 4 * MINUTE)).toBe('go');
    s.begun(2, 4 * MINUTE);
    expect(s.next(3, 8 * MINUTE)).toBe('go');
    expect(s.reach(3).readsFrom).toBe(true);
    s.begun(3, 8 * MINUTE);
    // 6 minutes after the last use: gone, so this one warms it again, alone.
    expect(s.next(4, 14 * MINUTE)).toBe('go');
    expect(s.reach(4).readsFrom).toBe(false);
    s.add(5, [prefix('A')]);
    expect(s.next(5, 14 * MINUTE)).toBe('wait');
  });

  it('keeps a 1-hour breakpoint warm for the hour', () => {
    const s = scheduleOf([prefix('A', '1h')], [prefix('A', '1h')], [prefix('A', '1h')]);
    s.next(1, 0);
    s.begun(1, 0);
    expect(s.next(2, 50 * MINUTE)).toBe('go');
    expect(s.reach(2).readsFrom).toBe(true);
    s.begun(2, 50 * MINUTE);
    expect(s.next(3, 160 * MINUTE)).toBe('go');
    expect(s.reach(3).readsFrom).toBe(false);
  });

  it('has a request wait for the shared prefix it reads while it warms its own longer one', () => {
    // Both share the system prompt S; each has a question of its own after it.
    const s = scheduleOf(
      [prefix('S'), prefix('S+q1')],
      [prefix('S'), prefix('S+q2')],
      [prefix('S'), prefix('S+q2')],
    );
    expect(s.next(1, 0)).toBe('go');
    expect(s.next(2, 0)).toBe('wait');
    // Request 3 waits on its full prefix, which request 2 claimed.
    expect(s.next(3, 0)).toBe('wait');
    expect(s.begun(1, 0)).toEqual([2]);
    expect(s.next(2, 0)).toBe('go');
    expect(s.reach(2)).toEqual({ from: 0, readsFrom: true });
    expect(s.begun(2, 0)).toEqual([3]);
    expect(s.next(3, 0)).toBe('go');
    expect(s.reach(3)).toEqual({ from: 1, readsFrom: true });
  });

  it('remembers a bounded number of warm prefixes, forgetting the least recently used', () => {
    const s = new CacheSchedule(2);
    ['A', 'B', 'C'].forEach((key, i) => {
      s.add(i + 1, [prefix(key)]);
      s.next(i + 1, 0);
      s.begun(i + 1, 0);
    });
    expect(s.size).toBe(2);
    s.add(4, [prefix('A')]);
    s.next(4, 0);
    expect(s.reach(4).readsFrom).toBe(false);
    s.add(5, [prefix('C')]);
    s.next(5, 0);
    expect(s.reach(5).readsFrom).toBe(true);
  });
});
