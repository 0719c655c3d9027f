/**
 * Where a line stops being UTF-8. Node decodes a bad byte as U+FFFD without a word, and a real
 * U+FFFD is legal text: the reader asks here only when a decoded line holds one.
 */
import { isUtf8 } from 'node:buffer';

/** The first ill-formed sequence of a line: its offset in the line's bytes (from 0) and its first byte. */
export interface InvalidUtf8 {
  offset: number;
  byte: number;
}

/**
 * Find the first ill-formed UTF-8 sequence in `bytes` (overlong forms, surrogates, code points
 * above U+10FFFF and cut sequences included), or null when every byte is well-formed.
 */
export function findInvalidUtf8(bytes: Uint8Array): InvalidUtf8 | null {
  if (isUtf8(bytes)) return null;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    const length = sequenceLength(lead);
    if (length === 1) {
      i += 1;
      continue;
    }
    if (length === 0 || !continues(bytes, i, length)) return { offset: i, byte: lead };
    i += length;
  }
  return null;
}

/** Bytes in the sequence `lead` starts: 1 to 4, or 0 when no sequence starts with it. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Whether the `length - 1` bytes after `start` complete the sequence (Unicode's table 3-7). */
function continues(bytes: Uint8Array, start: number, length: number): boolean {
  const lead = bytes[start] as number;
  // The second byte's range narrows after E0 (overlong), ED (surrogates), F0 (overlong), F4 (> U+10FFFF).
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  for (let k = 1; k < length; k += 1) {
    const byte = bytes[start + k];
    if (byte === undefined) return false;
    if (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return false;
  }
  return true;
}
