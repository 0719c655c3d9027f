/**
 * Intake: one input line → what the run does with it. Parsing and validation, custom_id uniqueness
 * (`check`, which `lp-batch estimate` shares), and the resume decision against an earlier result
 * (`take`). Keeps only what uniqueness needs (the ids seen).
 */
import {
  autoCustomId,
  type LineDefaults,
  lineOfAutoCustomId,
  parseRequestLine,
} from '../input/parse-line.js';
import type { InvalidUtf8 } from '../input/utf8.js';
import { fingerprintMetadata, hashParams } from '../output/params-hash.js';
import { NO_MODEL } from '../output/summary.js';
import type { ResultEntry } from '../output/results-scan.js';
import type { BatchRequest } from '../types.js';
import { decideResume } from './resume.js';

/** A line that cannot be sent: written as an errored result (invalid_request_error, status null). */
export interface InvalidLine {
  kind: 'invalid';
  custom_id: string;
  line: number;
  /** `file:line: field: what is wrong`. */
  message: string;
  model: string | null;
  metadata?: Record<string, unknown>;
}

/** What `check` makes of a line: a request that can be sent, or why not. */
export type Checked = InvalidLine | { kind: 'valid'; req: BatchRequest };

export type Intake =
  | InvalidLine
  /**
   * Already final in the results file (succeeded, or errored under --skip-errored); it keeps the
   * metadata it was written with: `metadataChanged` when the line's is different now.
   */
  | { kind: 'resumed'; req: BatchRequest; prior: ResultEntry; metadataChanged: boolean }
  /** To send; `changed` when an earlier result was for different params. */
  | { kind: 'send'; req: BatchRequest; json: string; hash: string; changed: boolean; hadPrior: boolean };

export interface IntakeOptions {
  file: string;
  defaults: LineDefaults;
  prior: ReadonlyMap<string, ResultEntry>;
  skipErrored: boolean;
}

export class LineIntake {
  readonly #opts: IntakeOptions;
  /** custom_id → the line that first used it. */
  readonly #seen = new Map<string, number>();
  /** Ids of earlier results that this input still asks for. */
  readonly matched = new Set<string>();
  /** Top-level params lp-batch does not know, each reported once. */
  readonly #warnedKeys = new Set<string>();
  /** Warnings about values sent as is (an unknown block type), each reported once. */
  readonly #warnedValues = new Set<string>();

  constructor(opts: IntakeOptions) {
    this.#opts = opts;
  }

  /**
   * Checks line `line` (`invalidUtf8`: where its bytes stop being UTF-8) as every command that reads
   * an input does: parsing and validation, custom_id naming and uniqueness. `warn` receives the
   * warnings it raises (unknown params once per name, unknown block types once per type).
   * `lp-batch estimate` stops here; a run goes on to `take`'s resume decision.
   */
  check(text: string, line: number, warn: (message: string) => void, invalidUtf8?: InvalidUtf8): Checked {
    const { file } = this.#opts;
    const parsed = parseRequestLine(text, line, file, this.#opts.defaults, invalidUtf8);
    const wanted = parsed.ok ? parsed.request.custom_id : parsed.custom_id;
    const metadata = parsed.ok ? parsed.request.metadata : parsed.metadata;
    const clash = this.#clash(wanted, line);
    // A line whose id is taken is reported under its own line's name, which no other line can hold:
    // the line that has the id keeps its result, and this one gets a result of its own.
    const custom_id = clash === null ? wanted : autoCustomId(line);
    // A line's automatic name is its own for good: only explicit ids need remembering.
    if (clash === null && lineOfAutoCustomId(custom_id) !== line) this.#seen.set(custom_id, line);
    if (this.#opts.prior.has(custom_id)) this.matched.add(custom_id);
    if (clash !== null || !parsed.ok) {
      const message = clash === null ? (parsed as { message: string }).message : `${file}:${line}: ${clash}`;
      const model = parsed.ok ? parsed.request.params.model : null;
      return { kind: 'invalid', custom_id, line, message, model, ...(metadata && { metadata }) };
    }

    for (const key of parsed.unknownKeys) {
      if (this.#warnedKeys.has(key)) continue;
      this.#warnedKeys.add(key);
      warn(`${file}:${line}: unknown parameter "${key}" passed through as is (warned once)`);
    }
    for (const { path, message } of parsed.warnings) {
      if (this.#warnedValues.has(message)) continue;
      this.#warnedValues.add(message);
      warn(`${file}:${line}: ${path}: ${message} (warned once)`);
    }
    return { kind: 'valid', req: parsed.request };
  }

  /** `check`, then what the run does with a valid line: resume it from its earlier result, or send it. */
  take(text: string, line: number, warn: (message: string) => void, invalidUtf8?: InvalidUtf8): Intake {
    const checked = this.check(text, line, warn, invalidUtf8);
    if (checked.kind === 'invalid') return checked;
    const { file } = this.#opts;
    const { req } = checked;
    const { custom_id, metadata } = req;
    let json: string;
    try {
      json = JSON.stringify(req.params);
    } catch (error) {
      const message = `${file}:${line}: params: cannot be serialized: ${(error as Error).message}`;
      return {
        kind: 'invalid',
        custom_id,
        line,
        message,
        model: req.params.model,
        ...(metadata && { metadata }),
      };
    }
    const hash = hashParams(json);
    const prior = this.#opts.prior.get(custom_id);
    const decision = decideResume(prior, hash, this.#opts.skipErrored);
    if (prior && (decision === 'done' || decision === 'keep')) {
      const metadataChanged = prior.metadata_hash !== fingerprintMetadata(req.metadata);
      return { kind: 'resumed', req, prior, metadataChanged };
    }
    return {
      kind: 'send',
      req,
      json,
      hash,
      changed: decision === 'send_changed',
      hadPrior: prior !== undefined,
    };
  }

  /**
   * Why `custom_id` cannot be line `line`'s, or null when it is free. The naming rule: an explicit
   * id belongs to the first line that has it; `line-<N>` belongs to line N, so an explicit
   * `line-<N>` on another line is refused even before line N is read (the input is streamed, and
   * a name given now must still be right when line N comes). Every line thus has exactly one name,
   * the same on every run over the same input, and no name is ever two lines'.
   */
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

  /**
   * The earlier result of a line that is not taken (beyond `--limit`, or after a stop), found by its
   * custom_id alone (its own, or `line-<N>`) without validating the line: reading the rest of a large
   * file only to count it must stay cheap. `final` when a run would not send it again (succeeded,
   * or errored under --skip-errored). Marks the id as asked for, so its result is not foreign.
   */
  earlierResult(text: string, line: number): { prior: ResultEntry; model: string; final: boolean } | null {
    const { prior: results } = this.#opts;
    if (results.size === 0) return null;
    const custom_id = customIdOf(text) ?? `line-${line}`;
    const prior = results.get(custom_id);
    if (prior === undefined) return null;
    this.matched.add(custom_id);
    const final = prior.type === 'succeeded' || this.#opts.skipErrored;
    return { prior, model: prior.model ?? NO_MODEL, final };
  }
}

/** A line's own `custom_id` when it is JSON with a string one, else null. */
function customIdOf(text: string): string | null {
  try {
    const value = JSON.parse(text) as { custom_id?: unknown } | null;
    return typeof value?.custom_id === 'string' ? value.custom_id : null;
  } catch {
    return null;
  }
}
