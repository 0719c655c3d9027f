/**
 * What the prompt cache does for one request, as a pure decision: where its breakpoints are,
 * which cached prefix it reads, which prefixes it writes, and the usage that follows. The store
 * (prompt-cache.ts) only answers "is this prefix readable now?".
 */
import { createHash, type Hash } from 'node:crypto';
import type { CacheCreation, MessageParams } from '../types.js';
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

/** The input part of `usage` for one request. */
export interface CacheUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: Required<CacheCreation>;
}

export interface CachePlan {
  usage: CacheUsage;
  /** The prefix read, if any (its TTL is refreshed). */
  read: CachePrefix | undefined;
  /** The prefixes this request writes: each becomes readable once its response has begun. */
  writes: CachePrefix[];
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

/**
 * Decide the cache's part of a request. Prefixes shorter than `minimumTokens` are ignored (as the
 * API silently does). The longest readable prefix is read; every longer eligible prefix is
 * written, its new tokens attributed to its own TTL; `input_tokens` is what follows the last
 * eligible breakpoint (or everything, when none is eligible).
 */
export function planCache(
  prefixes: readonly CachePrefix[],
  totalTokens: number,
  minimumTokens: number,
  isReadable: (key: string) => boolean,
): CachePlan {
  const eligible = prefixes.filter((prefix) => prefix.tokens >= minimumTokens);
  let readIndex = -1;
  for (let i = eligible.length - 1; i >= 0; i--) {
    if (isReadable((eligible[i] as CachePrefix).key)) {
      readIndex = i;
      break;
    }
  }
  const read = eligible[readIndex];
  const writes = eligible.slice(readIndex + 1);
  const creation = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
  let covered = read?.tokens ?? 0;
  for (const prefix of writes) {
    const key = prefix.ttl === '1h' ? 'ephemeral_1h_input_tokens' : 'ephemeral_5m_input_tokens';
    creation[key] += prefix.tokens - covered;
    covered = prefix.tokens;
  }
  const readTokens = read?.tokens ?? 0;
  return {
    usage: {
      input_tokens: totalTokens - covered,
      cache_creation_input_tokens: covered - readTokens,
      cache_read_input_tokens: readTokens,
      cache_creation: creation,
    },
    read,
    writes,
  };
}
