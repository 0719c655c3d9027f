/**
 * The simulator's one source of chance: a small seeded generator, so that the same seed and the
 * same sequence of requests give the same faults, jitter and batch outcomes.
 */

/** Uniform in [0, 1). */
export type Random = () => number;

/**
 * A generator seeded by a number or a string (strings are hashed with FNV-1a). The algorithm is
 * mulberry32: 32 bits of state, fast, and good enough to draw faults; not for cryptography.
 */
export function createSeededRandom(seed: number | string): Random {
  let state = typeof seed === 'string' ? hashString(seed) : Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher-Yates: a new array with `items` in an order drawn from `random`. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
