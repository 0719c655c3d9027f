/**
 * Intake: one input line → what the run does with it. Parsing and validation, custom_id uniqueness,
 * and the resume decision against an earlier result. Keeps only what uniqueness needs (the ids seen).
 */
import { type LineDefaults, parseRequestLine } from '../input/parse-line.js';
import type { InvalidUtf8 } from '../input/utf8.js';
import { hashParams } from '../output/params-hash.js';
import type { ResultEntry } from '../output/results-scan.js';
import type { BatchRequest } from '../types.js';
import { decideResume } from './resume.js';

export type Intake =
  /** Not sendable: written as an errored result (invalid_request_error, status null). */
  | { kind: 'invalid'; custom_id: string; line: number; message: string; model: string | null }
  /** Already final in the results file (succeeded, or errored under --skip-errored). */
  | { kind: 'resumed'; req: BatchRequest; prior: ResultEntry }
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
   * Takes line `line` (`invalidUtf8`: where its bytes stop being UTF-8); `warn` receives the warnings
   * it raises (unknown params once per name, unknown block types once per type).
   */
  take(text: string, line: number, warn: (message: string) => void, invalidUtf8?: InvalidUtf8): Intake {
    const { file } = this.#opts;
    const parsed = parseRequestLine(text, line, file, this.#opts.defaults, invalidUtf8);
    const custom_id = parsed.ok ? parsed.request.custom_id : parsed.custom_id;
    const first = this.#seen.get(custom_id);
    if (first !== undefined) {
      // The duplicate is reported under its own line's name so that the first line keeps its result.
      const message = `${file}:${line}: custom_id: "${custom_id}" repeats line ${first}; custom_ids must be unique`;
      if (this.#opts.prior.has(`line-${line}`)) this.matched.add(`line-${line}`);
      return {
        kind: 'invalid',
        custom_id: `line-${line}`,
        line,
        message,
        model: parsed.ok ? parsed.request.params.model : null,
      };
    }
    this.#seen.set(custom_id, line);
    if (this.#opts.prior.has(custom_id)) this.matched.add(custom_id);
    if (!parsed.ok) return { kind: 'invalid', custom_id, line, message: parsed.message, model: null };

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

    const req = parsed.request;
    let json: string;
    try {
      json = JSON.stringify(req.params);
    } catch (error) {
      const message = `${file}:${line}: params: cannot be serialized: ${(error as Error).message}`;
      return { kind: 'invalid', custom_id, line, message, model: req.params.model };
    }
    const hash = hashParams(json);
    const prior = this.#opts.prior.get(custom_id);
    const decision = decideResume(prior, hash, this.#opts.skipErrored);
    if (prior && (decision === 'done' || decision === 'keep')) return { kind: 'resumed', req, prior };
    return {
      kind: 'send',
      req,
      json,
      hash,
      changed: decision === 'send_changed',
      hadPrior: prior !== undefined,
    };
  }
}
