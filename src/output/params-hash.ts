import { hash } from 'node:crypto';

/**
 * A short, stable fingerprint of a request's params as sent (their JSON text), recorded in each result
 * line so that a resumed run can tell a changed prompt from a done one.
 */
export function hashParams(json: string): string {
  return hash('sha256', json, 'base64url').slice(0, 22);
}
