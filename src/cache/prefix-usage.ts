/**
 * What became of each prefix a run scheduled: how many results wrote it and read it, by their
 * usage, so that a prefix paid for and never read is named at the end. A few counters per prefix,
 * keyed by its compact key, for at most {@link MAX_TRACKED_PREFIXES} prefixes: memory stays flat.
 */
import type { Usage } from '../types.js';
import type { CachePrefix } from './prompt-prefixes.js';

/** Prefixes whose fate is tracked; those that come later are counted, not tracked. */
export const MAX_TRACKED_PREFIXES = 10_000;

/** How many prefixes a warning names before "and N more". */
const NAMED = 3;

/** A request as a warning names it. */
export interface PrefixLabel {
  custom_id: string;
  line: number;
}

interface Fate {
  /** The first request that used it. */
  first: PrefixLabel;
  writes: number;
  reads: number;
}

export class PrefixUsage {
  readonly #fates = new Map<string, Fate>();
  #untracked = 0;
  #belowMinimum = 0;
  #firstBelowMinimum: PrefixLabel | null = null;

  /**
   * A succeeded result of a request with these prefixes. By the schedule's view (`reach`), its
   * response read `prefixes[0..from]` when `readsFrom` and wrote the rest; its usage says whether it
   * read or wrote anything at all.
   */
  record(
    prefixes: readonly CachePrefix[],
    reach: { from: number; readsFrom: boolean },
    label: PrefixLabel,
    usage: Usage,
  ): void {
    const read = (usage.cache_read_input_tokens ?? 0) > 0;
    const wrote = (usage.cache_creation_input_tokens ?? 0) > 0;
    // Something read that the schedule did not know of (an entry from an earlier run): the shortest, most shared.
    const readUpTo = !read ? -1 : reach.readsFrom ? reach.from : 0;
    prefixes.forEach(({ key }, index) => {
      const fate = this.#fateOf(key, label);
      if (fate === undefined) return;
      if (index <= readUpTo) fate.reads += 1;
      else if (wrote) fate.writes += 1;
    });
  }

  /** A request whose breakpoints all mark prefixes shorter than its model's minimum: the API ignores them. */
  belowMinimum(label: PrefixLabel): void {
    this.#belowMinimum += 1;
    this.#firstBelowMinimum ??= label;
  }

  /** The warnings of the run: prefixes written and never read, never cached, or too short to cache. */
  warnings(): string[] {
    const unread: PrefixLabel[] = [];
    const uncached: PrefixLabel[] = [];
    for (const fate of this.#fates.values()) {
      if (fate.reads > 0) continue;
      (fate.writes > 0 ? unread : uncached).push(fate.first);
    }
    const warnings: string[] = [];
    const untracked =
      this.#untracked > 0
        ? ` (the first ${MAX_TRACKED_PREFIXES} prefixes tracked; ${this.#untracked} more uses not)`
        : '';
    if (unread.length > 0) {
      warnings.push(
        `prompt cache: ${prefixes(unread.length)} written and never read, the write premium paid for nothing (a prefix no other line shares, one changed between lines, or a TTL that ran out between uses): ${named(unread)}${untracked}`,
      );
    }
    if (uncached.length > 0) {
      warnings.push(
        `prompt cache: ${prefixes(uncached.length)} neither written nor read (the gateway may not cache, or count it below the model's minimum): ${named(uncached)}${untracked}`,
      );
    }
    if (this.#firstBelowMinimum !== null) {
      const { custom_id, line } = this.#firstBelowMinimum;
      const others = this.#belowMinimum > 1 ? ` and ${this.#belowMinimum - 1} more requests` : '';
      warnings.push(
        `prompt cache: ${custom_id} (line ${line})${others} mark only prefixes shorter than the model's minimum cacheable length: the API does not cache them (see "Prompt caching" in the README)`,
      );
    }
    return warnings;
  }

  #fateOf(key: string, label: PrefixLabel): Fate | undefined {
    let fate = this.#fates.get(key);
    if (fate !== undefined) return fate;
    if (this.#fates.size >= MAX_TRACKED_PREFIXES) {
      this.#untracked += 1;
      return undefined;
    }
    fate = { first: label, writes: 0, reads: 0 };
    this.#fates.set(key, fate);
    return fate;
  }
}

function prefixes(count: number): string {
  return count === 1 ? '1 prefix was' : `${count} prefixes were`;
}

/** `the prefix of q1 (line 1), of q7 (line 7) and 3 more`. */
function named(labels: readonly PrefixLabel[]): string {
  const shown = labels.slice(0, NAMED).map(({ custom_id, line }) => `${custom_id} (line ${line})`);
  const more = labels.length > NAMED ? ` and ${labels.length - NAMED} more` : '';
  return `the prefix of ${shown.join(', of ')}${more}`;
}
