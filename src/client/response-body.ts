/**
 * Reading a response body under `--max-response-bytes`: chunk by chunk, stopping at the cap instead
 * of buffering the whole body first, so memory never grows with what a server sends.
 */
import { ResponseTooLargeError } from '../errors.js';

export interface BodyLimits {
  /** Largest body read, bytes. */
  maxBytes: number;
  status: number;
  requestId: string | null;
  /** Called for every chunk that arrives (an idle timer is refreshed there). */
  onChunk: () => void;
}

/**
 * Refuses at once a body whose `content-length` announces more than the cap; the caller must then
 * discard the body unread.
 */
export function checkDeclaredLength(contentLength: string | undefined, limits: BodyLimits): void {
  const declared = Number(contentLength);
  if (contentLength !== undefined && Number.isFinite(declared) && declared > limits.maxBytes) {
    throw new ResponseTooLargeError({ ...tooLarge(limits), declared });
  }
}

/**
 * The chunks of `body`, until the total passes `maxBytes`: then ResponseTooLargeError, and the
 * loop over `body` ends, which destroys it (and its socket).
 */
export async function* limitBody(
  body: AsyncIterable<Uint8Array>,
  limits: BodyLimits,
): AsyncGenerator<Uint8Array, void, undefined> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > limits.maxBytes) throw new ResponseTooLargeError({ ...tooLarge(limits), declared: null });
    limits.onChunk();
    yield chunk;
  }
}

/** The whole of `chunks` as UTF-8 text (a BOM dropped, as undici's `body.text()` drops it). */
export async function readText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return new TextDecoder().decode(parts.length === 1 ? parts[0] : Buffer.concat(parts));
}

function tooLarge(limits: BodyLimits) {
  return { status: limits.status, limit: limits.maxBytes, requestId: limits.requestId };
}
