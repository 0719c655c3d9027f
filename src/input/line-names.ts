/**
 * The custom_id naming rule over a whole input, in one place: every line gets exactly one name, the
 * same on every run over the same input, and no name is ever two lines'. A line's own custom_id is
 * its name, unless an earlier line holds it; a line without a usable one is `line-<N>`; `line-<N>`
 * belongs to line N alone. A run names lines with it, and so does `lp-batch merge --input`.
 */
import { UsageError } from '../errors.js';
import { FingerprintTable, type FingerprintOf, fingerprintOf } from '../fingerprint-table.js';
import { EarlierLines } from './earlier-lines.js';
import { autoCustomId, lineOfAutoCustomId, wantedCustomId } from './parse-line.js';

/** The name a line got, and why it is not the one it asked for (null: it is). */
export interface LineName {
  custom_id: string;
  /** `custom_id: "q1" repeats line 4; ...`: the line is refused, under its own `line-<N>`. */
  clash: string | null;
}

/** Where the input of a LineNames comes from, when it can be read again. */
export interface RereadableInput {
  /** The path of the regular file the lines are read from. */
  path: string;
  /** The file as messages name it. */
  shown: string;
}

/** The explicit ids seen, each with the line that first used it. */
interface SeenIds {
  /** The line that holds `custom_id`, or -1. */
  get(custom_id: string): number;
  /** Notes `custom_id` for `line`; `get` just did not find it. */
  set(custom_id: string, line: number): void;
}

/**
 * Names the lines of one input, in order. Keeps only the explicit ids seen: as 32-bit fingerprints
 * (8 to 16 bytes an id) when the input is a regular file, which is read again to confirm a
 * fingerprint that matches; whole, in a Map, when it is a stream (standard input, a FIFO), which cannot.
 */
export class LineNames {
  readonly #seen: SeenIds;

  /**
   * @param input the regular file the lines come from; null (default) for a stream
   * @param fingerprint the fingerprint of a custom_id (tests pass a poor one to force collisions)
   */
  constructor(input: RereadableInput | null = null, fingerprint: FingerprintOf = fingerprintOf) {
    this.#seen = input === null ? wholeIds() : fingerprintedIds(input, fingerprint);
  }

  /**
   * Line `line` asks for `wanted` (its own custom_id, or its `line-<N>`). An id already used, or the
   * automatic name of another line, is refused: the line is named `line-<N>` instead, which no other
   * line can hold (an explicit `line-<N>` on another line is refused even before line N is read: the
   * input is streamed, and a name given now must still be right when line N comes).
   */
  assign(wanted: string, line: number): LineName {
    const clash = this.#clash(wanted, line);
    const custom_id = clash === null ? wanted : autoCustomId(line);
    // A line's automatic name is its own for good: only explicit ids need remembering.
    if (clash === null && lineOfAutoCustomId(custom_id) !== line) this.#seen.set(custom_id, line);
    return { custom_id, clash };
  }

  #clash(custom_id: string, line: number): string | null {
    const first = this.#seen.get(custom_id);
    if (first !== -1) {
      return `custom_id: "${custom_id}" repeats line ${first}; custom_ids must be unique`;
    }
    const owner = lineOfAutoCustomId(custom_id);
    if (owner !== null && owner !== line) {
      return `custom_id: "${custom_id}" is the automatic name of line ${owner}; give this line another custom_id`;
    }
    return null;
  }
}

function wholeIds(): SeenIds {
  const seen = new Map<string, number>();
  return {
    get: (custom_id) => seen.get(custom_id) ?? -1,
    set: (custom_id, line) => void seen.set(custom_id, line),
  };
}

/**
 * Fingerprints of the ids, each with its line. A matching fingerprint is confirmed by reading that
 * line again and naming it as it was named: the id it asked for (it got it, or it would not be here).
 */
function fingerprintedIds(input: RereadableInput, fingerprint: FingerprintOf): SeenIds {
  const earlier = new EarlierLines(input.path);
  const isKey = (custom_id: string, line: number): boolean => {
    const text = earlier.textOf(line);
    const asked = text === null ? null : wantedCustomId(text, line);
    if (asked === custom_id) return true;
    // Its fingerprint was this one when the line was read: the file is not what it was.
    if (asked === null || fingerprint(asked) >>> 0 !== fingerprint(custom_id) >>> 0) {
      throw new UsageError(
        `${input.shown} changed while it was read (line ${line} is not what it was): leave the input as it is until the run ends`,
      );
    }
    return false;
  };
  const table = new FingerprintTable(isKey, fingerprint);
  return { get: (custom_id) => table.get(custom_id), set: (custom_id, line) => table.add(custom_id, line) };
}
