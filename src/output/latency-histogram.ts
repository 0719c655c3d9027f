/**
 * Percentiles of latencies (whole milliseconds) in a fixed-size log-linear histogram, whatever the
 * number of results: one bucket per millisecond below 256 ms (exact there), then 128 buckets per
 * doubling (each 1/128 of its value wide) up to 2^41 ms (70 years): 4,480 counters (17.5 KB), allocated with the
 * first sample. A percentile is the lowest value of the bucket that holds the nearest-rank sample,
 * kept within the smallest and largest samples: exact below 256 ms, above that never more than the
 * true value and less than 1/128 (0.78 %) below it.
 */

/** Buckets per doubling: 2^SUB_BITS. */
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
/** Values below this have a bucket each. */
const EXACT = 2 * SUB;
/** The last doubling counted, [2^40, 2^41) ms (larger values go in its last bucket). */
const MAX_EXPONENT = 40;
const BUCKETS = EXACT + (MAX_EXPONENT - SUB_BITS) * SUB;

export class LatencyHistogram {
  #counts: Uint32Array | null = null;
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  /** Samples added. */
  get count(): number {
    return this.#count;
  }

  /** A sample, in ms (a fraction is dropped, a negative one counts as 0). */
  add(ms: number): void {
    const value = Math.max(0, Math.floor(ms));
    if (!Number.isFinite(value)) return;
    const counts = (this.#counts ??= new Uint32Array(BUCKETS));
    const bucket = bucketOf(value);
    counts[bucket] = (counts[bucket] as number) + 1;
    this.#count += 1;
    this.#min = Math.min(this.#min, value);
    this.#max = Math.max(this.#max, value);
  }

  /** The nearest-rank `q` quantile (0 < q <= 1) as described above, or null without samples. */
  quantile(q: number): number | null {
    const counts = this.#counts;
    if (counts === null || this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    if (rank >= this.#count) return this.#max;
    let seen = 0;
    for (let bucket = 0; bucket < counts.length; bucket += 1) {
      seen += counts[bucket] as number;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, lowestOf(bucket)));
    }
    return this.#max;
  }
}

function bucketOf(value: number): number {
  if (value < EXACT) return value;
  const log2 = value < 2 ** 32 ? 31 - Math.clz32(value) : Math.floor(Math.log2(value));
  const exponent = Math.min(MAX_EXPONENT, log2);
  const step = 2 ** (exponent - SUB_BITS);
  const sub = Math.min(SUB - 1, Math.floor(value / step) - SUB);
  return EXACT + (exponent - SUB_BITS - 1) * SUB + sub;
}

/** The lowest value a bucket holds. */
function lowestOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const exponent = Math.floor((bucket - EXACT) / SUB) + SUB_BITS + 1;
  const sub = (bucket - EXACT) % SUB;
  return (SUB + sub) * 2 ** (exponent - SUB_BITS);
}
