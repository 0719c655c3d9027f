/**
 * `--shard K/N`: a run sends only the lines whose custom_id falls in shard K of N, so that N jobs of
 * a CI matrix share one input. Which shard a line is in depends on its custom_id alone (the name the
 * naming rule gives it, `line-<N>` included), through a fixed hash: the same on every run and every
 * machine, and every line in exactly one shard. Limits meant for the whole job are split evenly.
 */
import { createHash } from 'node:crypto';

/** Shard `k` of `n`, 1 <= k <= n. */
export interface Shard {
  k: number;
  n: number;
}

/** `K/N` (shard K of N, 1 <= K <= N) as numbers, or null when it is not that. */
export function parseShard(text: string): Shard | null {
  const match = /^([1-9][0-9]{0,8})\/([1-9][0-9]{0,8})$/.exec(text.trim());
  if (!match) return null;
  const k = Number(match[1]);
  const n = Number(match[2]);
  return k <= n ? { k, n } : null;
}

/**
 * The shard (1 to `n`) of `custom_id`: the first 4 bytes of the SHA-256 of its UTF-8 bytes, read as
 * a big-endian unsigned integer, modulo `n`, plus 1. SHA-256 rather than a quicker hash because any
 * tool can compute it (`printf %s q1 | sha256sum`) and its bits are evenly spread, so sequential
 * names (`line-1`, `line-2`, ...) spread evenly too.
 */
export function shardOfCustomId(custom_id: string, n: number): number {
  return (createHash('sha256').update(custom_id, 'utf8').digest().readUInt32BE(0) % n) + 1;
}

/** The limits of a run that are the whole job's under `--shard`: each shard takes 1/N of each. */
export interface JobLimits {
  rpm?: number | undefined;
  itpm?: number | undefined;
  otpm?: number | undefined;
  maxCost?: number | undefined;
}

/** `settings` with `rpm`, `itpm`, `otpm` and `maxCost` divided by the number of shards. Pure. */
export function shareOfLimits<T extends JobLimits>(settings: T, shard: Shard): T {
  const share = (value: number | undefined) => (value === undefined ? undefined : value / shard.n);
  return {
    ...settings,
    rpm: share(settings.rpm),
    itpm: share(settings.itpm),
    otpm: share(settings.otpm),
    maxCost: share(settings.maxCost),
  };
}
