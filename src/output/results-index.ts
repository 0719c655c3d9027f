/**
 * The newest line of each custom_id of one results file, kept lean for files of millions of lines: a
 * fingerprint slot per custom_id (../fingerprint-table.ts) and where its line is, in typed arrays
 * (offset, length, a mark; the input line on request): about 30 bytes a custom_id, never an id or a
 * line. A fingerprint that matches is confirmed by reading the custom_id of the line it leads to
 * (./results-reread.ts). A run's resume, `lp-batch summarize` and `lp-batch merge` index files with it.
 */
import { ResultsFileError } from '../errors.js';
import { type FingerprintOf, FingerprintTable, fingerprintOf } from '../fingerprint-table.js';
import { customIdOfResultLine } from './results-parse.js';
import { ResultsReread } from './results-reread.js';

/** Entries of a chunk of a column. */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

type NumberArray = Float64Array | Uint32Array | Uint8Array;

/** A column of numbers that grows a chunk at a time: never copied, at most one chunk unused. */
class Column {
  readonly #chunks: NumberArray[] = [];
  readonly #make: (length: number) => NumberArray;

  constructor(make: (length: number) => NumberArray) {
    this.#make = make;
  }

  get(i: number): number {
    return (this.#chunks[i >>> CHUNK_BITS] as NumberArray)[i & IN_CHUNK] as number;
  }

  set(i: number, value: number): void {
    const k = i >>> CHUNK_BITS;
    while (k >= this.#chunks.length) this.#chunks.push(this.#make(CHUNK));
    (this.#chunks[k] as NumberArray)[i & IN_CHUNK] = value;
  }
}

/** Options of a ResultsIndex. */
export interface ResultsIndexOptions {
  /** Keep the input `line` of each result too (what `--order input` sorts by). Default false. */
  inputLines?: boolean;
  /** The fingerprint of a custom_id; tests pass a poor one to force collisions. Default `fingerprintOf`. */
  fingerprint?: FingerprintOf;
}

export class ResultsIndex {
  /** The file as messages name it. */
  readonly name: string;
  readonly #reread: ResultsReread;
  readonly #table: FingerprintTable;
  readonly #fingerprint: FingerprintOf;
  readonly #offsets = new Column((n) => new Float64Array(n));
  readonly #lengths = new Column((n) => new Uint32Array(n));
  readonly #marks = new Column((n) => new Uint8Array(n));
  readonly #inputLines: Column | null;
  #size = 0;
  #superseded = false;
  /** The last custom_id found, and its entry: a run asks twice about a line (has it one? which?). */
  #lastId: string | null = null;
  #lastEntry = -1;
  /** While `isNewest` asks about the line at this offset: that line's own entry needs no reading. */
  #asking = -1;

  /** An empty index of the results file at `path` (`name`: as messages name it), which it reads again. */
  constructor(path: string, name: string, options: ResultsIndexOptions = {}) {
    this.name = name;
    this.#reread = new ResultsReread(path, name);
    this.#fingerprint = options.fingerprint ?? fingerprintOf;
    this.#table = new FingerprintTable(
      (custom_id, entry) => this.#isKey(custom_id, entry),
      this.#fingerprint,
    );
    this.#inputLines = options.inputLines === true ? new Column((n) => new Uint32Array(n)) : null;
  }

  /** custom_ids indexed. */
  get size(): number {
    return this.#size;
  }

  /**
   * A complete line of `custom_id` at `offset`, `length` bytes, of input line `inputLine`, later in
   * the file than any noted before. Returns true when it replaces an older line of the same custom_id.
   */
  note(custom_id: string, offset: number, length: number, inputLine = 0): boolean {
    this.#lastId = null;
    let entry = this.#table.get(custom_id);
    const replaces = entry >= 0;
    if (!replaces) {
      entry = this.#size;
      this.#size += 1;
      this.#table.add(custom_id, entry);
    }
    this.#superseded ||= replaces;
    this.#offsets.set(entry, offset);
    this.#lengths.set(entry, length);
    this.#marks.set(entry, 0);
    this.#inputLines?.set(entry, inputLine);
    return replaces;
  }

  /** The entry of `custom_id`, or -1. Entries are numbered from 0 in the order their ids first came. */
  find(custom_id: string): number {
    if (this.#lastId !== custom_id) {
      this.#lastEntry = this.#table.get(custom_id);
      this.#lastId = custom_id;
    }
    return this.#lastEntry;
  }

  /** Whether the line at `offset` is the newest of `custom_id` (the one an entry keeps). Reads no line of its own. */
  isNewest(custom_id: string, offset: number): boolean {
    this.#asking = offset;
    try {
      const entry = this.#table.get(custom_id);
      return entry >= 0 && this.#offsets.get(entry) === offset;
    } finally {
      this.#asking = -1;
    }
  }

  offsetOf(entry: number): number {
    return this.#offsets.get(entry);
  }

  /** Bytes of the entry's line, line end included. */
  lengthOf(entry: number): number {
    return this.#lengths.get(entry);
  }

  /** The input line of the entry's result (0 unless the index keeps input lines). */
  inputLineOf(entry: number): number {
    return this.#inputLines?.get(entry) ?? 0;
  }

  /** Marks an entry (a run: its custom_id is in the input; a merge: an input line has it). */
  mark(entry: number): void {
    this.#marks.set(entry, 1);
  }

  isMarked(entry: number): boolean {
    return this.#marks.get(entry) === 1;
  }

  /** The entry's line, read again, without its line end. */
  text(entry: number): string {
    return this.#reread.text(this.#offsets.get(entry), this.#lengths.get(entry));
  }

  /** The custom_id of the entry's line, read again. */
  customIdOf(entry: number): string {
    return customIdOfResultLine(this.text(entry), `${this.name} at byte ${this.#offsets.get(entry)}`);
  }

  /**
   * Every entry, in the order of their lines in the file (`'file'`) or of their input lines, ties in
   * file order (`'input'`, when the index keeps input lines).
   */
  entries(order: 'file' | 'input' = 'file'): Uint32Array {
    const entries = new Uint32Array(this.#size);
    for (let i = 0; i < entries.length; i += 1) entries[i] = i;
    const inputLines = this.#inputLines;
    const offsets = this.#offsets;
    if (order === 'input' && inputLines !== null) {
      entries.sort((a, b) => inputLines.get(a) - inputLines.get(b) || offsets.get(a) - offsets.get(b));
    } else if (this.#superseded) {
      // A replaced line moves its entry later in the file; otherwise entries are in file order.
      entries.sort((a, b) => offsets.get(a) - offsets.get(b));
    }
    return entries;
  }

  /** Where the lines of `entries` are, in their order, made as they are read (a rewrite's ranges). */
  *ranges(entries: Uint32Array = this.entries()): Generator<{ offset: number; length: number }> {
    for (const entry of entries) yield { offset: this.#offsets.get(entry), length: this.#lengths.get(entry) };
  }

  /** Closes the file it reads lines again from (a later read opens it again). */
  close(): void {
    this.#reread.close();
  }

  #isKey(custom_id: string, entry: number): boolean {
    if (this.#offsets.get(entry) === this.#asking) return true;
    const id = this.customIdOf(entry);
    if (id === custom_id) return true;
    if (this.#fingerprint(id) >>> 0 !== this.#fingerprint(custom_id) >>> 0) {
      throw new ResultsFileError(
        `${this.name}: results file changed since it was scanned: the line at byte ${this.#offsets.get(entry)} is not what it was`,
      );
    }
    return false;
  }
}
