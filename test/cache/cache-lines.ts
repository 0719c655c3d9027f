/** Input lines and result tallies the prompt-cache tests share. */
import type { ResultLine, SucceededLine } from '../../src/types.js';

/** A model whose minimum cacheable prefix is 1,024 tokens (for lp-batch and the simulator alike). */
export const SONNET = 'claude-sonnet-4-5';

/** A system prompt of `chars` characters (about 1,250 tokens by default: above Sonnet's minimum), one per `topic`. */
export function longSystem(topic: string, chars = 5000): string {
  return `You answer questions about ${topic}. `.padEnd(chars, `${topic} `);
}

export function succeeded(results: readonly ResultLine[]): SucceededLine[] {
  return results.filter((r): r is SucceededLine => r.result.type === 'succeeded');
}

/** How many results wrote the cache, and how many read it. */
export function cacheCounts(results: readonly SucceededLine[]): { writes: number; reads: number } {
  return {
    writes: results.filter((r) => (r.usage.cache_creation_input_tokens ?? 0) > 0).length,
    reads: results.filter((r) => (r.usage.cache_read_input_tokens ?? 0) > 0).length,
  };
}
