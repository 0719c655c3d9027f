import { hash } from 'node:crypto';

/**
 * A short, stable fingerprint of a request's params as sent (their JSON text), recorded in each result
 * line so that a resumed run can tell a changed prompt from a done one.
 */
export function hashParams(json: string): string {
  return hash('sha256', json, 'base64url').slice(0, 22);
}

/**
 * A fingerprint of a line's `metadata` (null without one), kept in the resume index to tell when an
 * input line's metadata changed since its result was written. 32 bits (FNV-1a over its JSON text):
 * small enough for millions of entries; a collision only hides a warning.
 */
export function fingerprintMetadata(metadata: unknown): number | null {
  if (metadata === undefined || metadata === null) return null;
  const text = JSON.stringify(metadata);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
