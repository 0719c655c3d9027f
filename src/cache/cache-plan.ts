/**
 * What the prompt cache does with one request, as a pure decision: which cached prefix it reads,
 * which prefixes it writes, and the input part of its usage. The simulator bills by it (against its
 * store), and the estimate prices by it (against the prefixes earlier lines of the file wrote).
 */
import type { CacheCreation } from '../types.js';
import type { CacheTtl } from './cache-rules.js';

/** A prefix as the plan sees it: everything from the first block up to and including a breakpoint. */
export interface PlannedPrefix {
  /** The model and the prefix's blocks, hashed. */
  key: string;
  ttl: CacheTtl;
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

export interface CachePlan<P extends PlannedPrefix = PlannedPrefix> {
  usage: CacheUsage;
  /** The prefix read, if any (its TTL is refreshed). */
  read: P | undefined;
  /** The prefixes this request writes: each becomes readable once its response has begun. */
  writes: P[];
}

/**
 * Decide the cache's part of a request of `totalTokens` input with these prefixes (shortest first).
 * Prefixes shorter than `minimumTokens` are ignored (as the API silently does). The longest readable
 * prefix is read; every longer eligible prefix is written, its new tokens attributed to its own TTL;
 * `input_tokens` is what follows the last eligible breakpoint (or everything, when none is eligible).
 */
export function planCache<P extends PlannedPrefix>(
  prefixes: readonly P[],
  totalTokens: number,
  minimumTokens: number,
  isReadable: (key: string) => boolean,
): CachePlan<P> {
  const eligible = prefixes.filter((prefix) => prefix.tokens >= minimumTokens);
  let readIndex = -1;
  for (let i = eligible.length - 1; i >= 0; i--) {
    if (isReadable((eligible[i] as P).key)) {
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
