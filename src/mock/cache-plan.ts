/**
 * Where the simulator finds a request's breakpoints and prefixes, counted by its own token rule
 * (./tokens.ts). What the cache then does with them is src/cache/cache-plan.ts, which the estimate
 * shares; the store (prompt-cache.ts) only answers "is this prefix readable now?".
 */
import { createHash, type Hash } from 'node:crypto';
import type { MessageParams } from '../types.js';
import { MAX_BREAKPOINTS } from '../cache/cache-rules.js';
import { isRecord } from '../is-record.js';
import { type Breakpoint, type PromptBlock } from './tokens.js';

/** A prefix: everything from the first block up to and including a breakpoint. */
export interface CachePrefix {
  /** Model + the prefix's blocks, hashed. */
  key: string;
  ttl: Breakpoint['ttl'];
  /** Tokens of the whole prefix. */
  tokens: number;
}

/**
 * The request's cacheable prefixes, shortest first: one per block with `cache_control`, plus the
 * top-level `cache_control` on the last block (merged with that block's own, which wins). More
 * than 4 breakpoints is the API's 400, returned as its message.
 */
export function cachePrefixes(
  params: MessageParams,
  blocks: readonly PromptBlock[],
): { ok: true; prefixes: CachePrefix[] } | { ok: false; message: string } {
  const marks = blocks.map((block) => block.breakpoint);
  const topLevel = params.cache_control;
  if (isRecord(topLevel) && topLevel.type === 'ephemeral' && marks.length > 0 && marks.at(-1) === undefined) {
    marks[marks.length - 1] = { ttl: topLevel.ttl === '1h' ? '1h' : '5m' };
  }
  const count = marks.filter((mark) => mark !== undefined).length;
  if (count > MAX_BREAKPOINTS) {
    return {
      ok: false,
      message: `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${count}.`,
    };
  }
  const prefixes: CachePrefix[] = [];
  if (count === 0) return { ok: true, prefixes };
  const hash: Hash = createHash('sha256').update(`${params.model}\n`);
  let tokens = 0;
  blocks.forEach((block, index) => {
    hash.update(`${block.identity}\n`);
    tokens += block.tokens;
    const mark = marks[index];
    if (mark !== undefined) prefixes.push({ key: hash.copy().digest('base64'), ttl: mark.ttl, tokens });
  });
  return { ok: true, prefixes };
}
