/**
 * A table of strings (custom_ids) that keeps 32-bit fingerprints instead of the strings: 8 bytes a
 * slot, a fingerprint and a number the caller stores with it (a line number, an entry index), at most
 * 3/4 full. It is exact all the same: many strings share a fingerprint, so each stored number whose
 * fingerprint matches is put to the caller's `isKey`, which compares the key with the string the
 * number leads to (a line read again from its file). A million custom_ids take 16 MB here, against
 * ~66 MB as a Map of strings.
 */

/** A 32-bit fingerprint of a string; tests pass a poor one to force every fingerprint to collide. */
export type FingerprintOf = (key: string) => number;

/**
 * FNV-1a over the UTF-16 code units, then murmur3's finalizer: the low bits, which place a key in the
 * table, depend on every character.
 */
export function fingerprintOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Slots of a new table; it doubles whenever it is 3/4 full. */
const INITIAL_SLOTS = 1024;
/** The largest number a slot can store (it stores the number plus one: 0 marks an empty slot). */
export const MAX_STORED = 0xffff_fffe;

export class FingerprintTable {
  /** Pairs `[fingerprint, stored + 1]`; 0 in the second is an empty slot. */
  #slots = new Uint32Array(2 * INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;
  readonly #isKey: (key: string, stored: number) => boolean;
  readonly #fingerprintOf: FingerprintOf;

  /**
   * @param isKey whether the number stored is `key`'s (called only when their fingerprints match)
   * @param fingerprint the fingerprint function; default `fingerprintOf`
   */
  constructor(isKey: (key: string, stored: number) => boolean, fingerprint: FingerprintOf = fingerprintOf) {
    this.#isKey = isKey;
    this.#fingerprintOf = fingerprint;
  }

  /** Keys stored. */
  get size(): number {
    return this.#size;
  }

  /** The number stored with `key`, or -1. */
  get(key: string): number {
    const slot = this.#find(key, this.#fingerprintOf(key) >>> 0);
    return slot < 0 ? -1 : (this.#slots[2 * slot + 1] as number) - 1;
  }

  /** Stores `stored` with `key`, in place of the number it had; returns that number, or -1 for a new key. */
  set(key: string, stored: number): number {
    checkStored(stored);
    const fingerprint = this.#fingerprintOf(key) >>> 0;
    const found = this.#find(key, fingerprint);
    if (found < 0) {
      this.#add(fingerprint, stored);
      return -1;
    }
    const before = (this.#slots[2 * found + 1] as number) - 1;
    this.#slots[2 * found + 1] = stored + 1;
    return before;
  }

  /** Stores `stored` with `key`, which `get` just did not find (it is not looked for again). */
  add(key: string, stored: number): void {
    checkStored(stored);
    this.#add(this.#fingerprintOf(key) >>> 0, stored);
  }

  #add(fingerprint: number, stored: number): void {
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#grow();
    this.#place(this.#slots, this.#mask, fingerprint, stored + 1);
    this.#size += 1;
  }

  #find(key: string, fingerprint: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = fingerprint & mask; ; slot = (slot + 1) & mask) {
      const stored = slots[2 * slot + 1] as number;
      if (stored === 0) return -1;
      if (slots[2 * slot] === fingerprint && this.#isKey(key, stored - 1)) return slot;
    }
  }

  /** Linear probing from the slot the fingerprint names. */
  #place(slots: Uint32Array, mask: number, fingerprint: number, storedPlusOne: number): void {
    let slot = fingerprint & mask;
    while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = fingerprint;
    slots[2 * slot + 1] = storedPlusOne;
  }

  /** Twice the slots; a slot's place comes from its fingerprint alone, so no key is needed. */
  #grow(): void {
    const old = this.#slots;
    const slots = new Uint32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const storedPlusOne = old[i + 1] as number;
      if (storedPlusOne !== 0) this.#place(slots, mask, old[i] as number, storedPlusOne);
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

function checkStored(stored: number): void {
  if (!Number.isInteger(stored) || stored < 0 || stored > MAX_STORED) {
    throw new RangeError(
      `Expected the number stored to be an integer from 0 to ${MAX_STORED}, got ${stored}`,
    );
  }
}
