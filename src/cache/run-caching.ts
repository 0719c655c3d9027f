/**
 * `--cache` for a run, set up in one place: what is sent (./request-caching.ts, at intake), when it
 * is sent (./cache-gate.ts, before each attempt), and the warnings at the end about prefixes paid
 * for and never read (./prefix-usage.ts).
 */
import type { Clock } from '../clock.js';
import type { PriceTable } from '../pricing/price-table.js';
import { CacheGate } from './cache-gate.js';
import { PrefixUsage } from './prefix-usage.js';
import type { CacheMode } from '../options/run.js';
import { RequestCaching } from './request-caching.js';
import { MAX_COUNTED_HEADS, SharedHeads } from './shared-heads.js';

export interface RunCaching {
  /** For the intake: what is sent for each request. Undefined under `off`. */
  requests: RequestCaching | undefined;
  /** For each attempt: when it may go. Null under `off`. */
  gate: CacheGate | null;
  /** What to tell at the end of the run. */
  warnings(): string[];
}

/**
 * The run's caching under `mode`. `heads`: under `auto`, the shared heads the counting pass found in
 * a regular file; null when the input can be read only once (heads are then judged as lines come).
 */
export function setUpCaching(
  mode: CacheMode,
  heads: SharedHeads | null,
  prices: PriceTable,
  clock: Clock,
): RunCaching {
  if (mode === 'off') return { requests: undefined, gate: null, warnings: () => [] };
  const usage = new PrefixUsage();
  const shared = mode === 'auto' ? (heads ?? new SharedHeads(true)) : null;
  return {
    requests: new RequestCaching({ mode, heads: shared, prices, usage }),
    gate: new CacheGate(clock, usage),
    warnings: () => {
      const warnings = usage.warnings();
      if (shared !== null && shared.overflow > 0) {
        warnings.push(
          `--cache auto: the input has more than ${MAX_COUNTED_HEADS} distinct tools+system prefixes long enough to cache; ${shared.overflow} lines whose prefix came after them were left unmarked`,
        );
      }
      return warnings;
    },
  };
}
