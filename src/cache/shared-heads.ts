/**
 * Which tools+system prefixes ("heads") more than one line has: what `--cache auto` marks. A regular
 * file is counted in a pass before the run (`countSharedHeads`, which also gives the progress its
 * total); input that can be read only once (a pipe) is judged as it comes: a head is shared from the
 * second line that has it on (the first cannot know). Only heads long enough to cache are kept, as a
 * count per compact key, at most {@link MAX_COUNTED_HEADS} of them: memory stays flat.
 */
import type { InputSource } from '../input/input-source.js';
import { readInputBatches } from '../input/input-source.js';
import { type LineDefaults, parseRequestLine } from '../input/parse-line.js';
import type { PriceTable } from '../pricing/price-table.js';
import { type Shard, shardOfCustomId } from '../run/shard.js';
import { cacheMinimumTokens } from './cache-rules.js';
import { promptHead } from './prompt-prefixes.js';

/** Distinct heads counted; a head first seen beyond is never marked (and a warning says how many lines that left). */
export const MAX_COUNTED_HEADS = 100_000;

export class SharedHeads {
  /** Key → lines seen with it, up to 2 (all that matters). */
  readonly #counts = new Map<string, number>();
  readonly #online: boolean;
  /** Lines whose head was not kept, the table being full. */
  overflow = 0;

  /** `online`: judge lines as they come (a pipe) rather than after a counting pass. */
  constructor(online: boolean) {
    this.#online = online;
  }

  /** The counting pass saw one more line with this head. */
  count(key: string): void {
    const seen = this.#counts.get(key);
    if (seen !== undefined) {
      if (seen < 2) this.#counts.set(key, seen + 1);
    } else if (this.#counts.size < MAX_COUNTED_HEADS) this.#counts.set(key, 1);
    else this.overflow += 1;
  }

  /** Whether another line has this head too. Online, this line counts for the lines after it. */
  shared(key: string): boolean {
    if (!this.#online) return (this.#counts.get(key) ?? 0) >= 2;
    if (this.#counts.has(key)) return true;
    this.count(key);
    return false;
  }
}

/**
 * The counting pass over a regular file: its non-blank lines (the progress total) and the heads its
 * valid lines (those of `shard`, when given) share, those shorter than their model's minimum left out. Lines are read with the run's
 * own parser and fill-ins, so a head is keyed as the run will key it.
 */
export async function countSharedHeads(
  input: Extract<InputSource, { kind: 'file' }>,
  defaults: LineDefaults,
  prices: PriceTable,
  shard: Shard | null = null,
): Promise<{ lines: number; heads: SharedHeads }> {
  const heads = new SharedHeads(false);
  let lines = 0;
  for await (const batch of readInputBatches(input, new AbortController().signal)) {
    for (const { line, text, invalidUtf8 } of batch) {
      lines += 1;
      const parsed = parseRequestLine(text, line, input.shown, defaults, invalidUtf8);
      if (!parsed.ok) continue;
      // Under --shard only this run's lines count: another shard's line reads nothing this run writes.
      if (shard !== null && shardOfCustomId(parsed.request.custom_id, shard.n) !== shard.k) continue;
      const { params } = parsed.request;
      const head = promptHead(params);
      if (head !== null && !head.marked && head.tokens >= cacheMinimumTokens(params.model, prices)) {
        heads.count(head.key);
      }
    }
  }
  return { lines, heads };
}
