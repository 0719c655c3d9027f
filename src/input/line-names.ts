/**
 * The custom_id naming rule over a whole input, in one place: every line gets exactly one name, the
 * same on every run over the same input, and no name is ever two lines'. A line's own custom_id is
 * its name, unless an earlier line holds it; a line without a usable one is `line-<N>`; `line-<N>`
 * belongs to line N alone. A run names lines with it, and so does `lp-batch merge --input`.
 */
import { autoCustomId, lineOfAutoCustomId } from './parse-line.js';

/** The name a line got, and why it is not the one it asked for (null: it is). */
export interface LineName {
  custom_id: string;
  /** `custom_id: "q1" repeats line 4; ...`: the line is refused, under its own `line-<N>`. */
  clash: string | null;
}

/** Names the lines of one input, in order. Keeps only the explicit ids seen (one map entry each). */
export class LineNames {
  /** custom_id → the line that first used it. */
  readonly #seen = new Map<string, number>();

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
    if (first !== undefined) {
      return `custom_id: "${custom_id}" repeats line ${first}; custom_ids must be unique`;
    }
    const owner = lineOfAutoCustomId(custom_id);
    if (owner !== null && owner !== line) {
      return `custom_id: "${custom_id}" is the automatic name of line ${owner}; give this line another custom_id`;
    }
    return null;
  }
}
