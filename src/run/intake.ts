/**
 * Intake: one input line → what the run does with it. Parsing and validation, custom_id uniqueness
 * (`check`, which `lp-batch estimate` shares), and the resume decision against an earlier result
 * (`take`). Keeps only what uniqueness needs (the ids seen, as fingerprints for a regular file).
 */
import type { FingerprintOf } from '../fingerprint-table.js';
import { LineNames, type RereadableInput } from '../input/line-names.js';
import { type LineDefaults, parseRequestLine, wantedCustomId } from '../input/parse-line.js';
import type { InvalidUtf8 } from '../input/utf8.js';
import { fingerprintMetadata, hashParams } from '../output/params-hash.js';
import { NO_MODEL } from '../output/summary.js';
import type { ResultEntry } from '../output/results-scan.js';
import type { BatchRequest } from '../types.js';
import type { CachePrefix } from '../cache/prompt-prefixes.js';
import type { RequestCaching } from '../cache/request-caching.js';
import type { PriorResults } from './prior-results.js';
import { decideResume } from './resume.js';
import { type Shard, shardOfCustomId } from './shard.js';

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

/** A line in another shard than this run's (`--shard`): another run deals with it. */
export interface OtherShard {
  kind: 'other_shard';
  custom_id: string;
}

export type Intake =
  | InvalidLine
  /**
   * Already final in the results file (succeeded, or errored under --skip-errored); it keeps the
   * metadata it was written with: `metadataChanged` when the line's is different now.
   */
  | { kind: 'resumed'; req: BatchRequest; prior: ResultEntry; metadataChanged: boolean }
  | OtherShard
  /**
   * To send: `req` as sent (`--cache auto` may have added a breakpoint), `json` its body, `hash` the
   * fingerprint of its params as written, `prefixes` what the cache schedule groups it by (null:
   * none); `changed` when an earlier result was for different params.
   */
  | {
      kind: 'send';
      req: BatchRequest;
      json: string;
      hash: string;
      prefixes: CachePrefix[] | null;
      changed: boolean;
      hadPrior: boolean;
    };

export interface IntakeOptions {
  file: string;
  /**
   * The input's path when it is a regular file, read again to confirm a custom_id held as a
   * fingerprint; undefined for a stream (standard input, a FIFO), whose ids are then kept whole.
   */
  path?: string | undefined;
  defaults: LineDefaults;
  /** Earlier results (`PriorResults.none()` for none); the lines a run names are marked in it. */
  prior: PriorResults;
  skipErrored: boolean;
  /** `--shard`: only lines whose name falls in this shard are this run's. */
  shard?: Shard | undefined;
  /** `--cache`: what is sent for a request, and its prefixes. Without it, requests go as written. */
  caching?: RequestCaching | undefined;
  /** The lines go to a Message Batch, which runs no stream: `"stream": true` is refused. */
  batches?: boolean | undefined;
  /** The fingerprint of a custom_id (see ../fingerprint-table.ts); tests pass a poor one to force collisions. */
  fingerprint?: FingerprintOf | undefined;
}

export class LineIntake {
  readonly #opts: IntakeOptions;
  readonly #names: LineNames;
  /** Top-level params lp-batch does not know, each reported once. */
  readonly #warnedKeys = new Set<string>();
  /** Warnings about values sent as is (an unknown block type), each reported once. */
  readonly #warnedValues = new Set<string>();

  constructor(opts: IntakeOptions) {
    this.#opts = opts;
    const input: RereadableInput | null =
      opts.path === undefined ? null : { path: opts.path, shown: opts.file };
    this.#names = new LineNames(input, opts.fingerprint);
  }

  /**
   * Checks line `line` (`invalidUtf8`: where its bytes stop being UTF-8) as every command that reads
   * an input does: parsing and validation, custom_id naming and uniqueness. `warn` receives the
   * warnings it raises (unknown params once per name, unknown block types once per type).
   * `lp-batch estimate` stops here; a run goes on to `take`'s resume decision.
   */
  check(text: string, line: number, warn: (message: string) => void, invalidUtf8?: InvalidUtf8): Checked {
    const checked = this.#check(text, line, warn, invalidUtf8, null);
    if (checked.kind === 'other_shard') throw new Error('unreachable: without a shard, every line is ours');
    return checked;
  }

  /** `check` within `shard`: a line whose name falls in another shard is named (later names depend on it), and left there. */
  #check(
    text: string,
    line: number,
    warn: (message: string) => void,
    invalidUtf8: InvalidUtf8 | undefined,
    shard: Shard | null,
  ): Checked | OtherShard {
    const { file } = this.#opts;
    const parsed = parseRequestLine(text, line, file, this.#opts.defaults, invalidUtf8);
    const wanted = parsed.ok ? parsed.request.custom_id : parsed.custom_id;
    const metadata = parsed.ok ? parsed.request.metadata : parsed.metadata;
    // A line whose id is taken is reported under its own line's name, which no other line can hold:
    // the line that has the id keeps its result, and this one gets a result of its own.
    const { custom_id, clash } = this.#names.assign(wanted, line);
    // Decided by the name the line got, so a refused line too is in exactly one shard.
    if (shard && shardOfCustomId(custom_id, shard.n) !== shard.k) return { kind: 'other_shard', custom_id };
    this.#opts.prior.ask(custom_id);
    const batchProblem = parsed.ok && this.#opts.batches ? batchRefusal(parsed.request.params) : null;
    if (clash !== null || !parsed.ok || batchProblem !== null) {
      const message =
        clash !== null
          ? `${file}:${line}: ${clash}`
          : parsed.ok
            ? `${file}:${line}: ${batchProblem}`
            : parsed.message;
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
    const checked = this.#check(text, line, warn, invalidUtf8, this.#opts.shard ?? null);
    if (checked.kind === 'invalid' || checked.kind === 'other_shard') return checked;
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
    // The fingerprint is of the params as written: a breakpoint `--cache auto` adds changes what a
    // request costs, not what it answers, so switching `--cache` sends nothing done again.
    const sent = this.#opts.caching?.prepare(req, json) ?? null;
    return {
      kind: 'send',
      req: sent === null || sent.params === req.params ? req : { ...req, params: sent.params },
      json: sent?.json ?? json,
      hash,
      prefixes: sent?.prefixes ?? null,
      changed: decision === 'send_changed',
      hadPrior: prior !== undefined,
    };
  }

  /**
   * The earlier result of a line that is not taken (beyond `--limit`, or after a stop), found by the
   * name the naming rule gives it without validating the line: reading the rest of a large file only
   * to count it must stay cheap. `final` when a run would not send it again (succeeded, or errored
   * under --skip-errored); `other_shard` when the line is another shard's (nothing of this run's).
   * Marks the id as asked for, so its result is not foreign.
   */
  earlierResult(
    text: string,
    line: number,
  ): { prior: ResultEntry; model: string; final: boolean } | 'other_shard' | null {
    const { prior: results, shard } = this.#opts;
    const { custom_id } = this.#names.assign(wantedCustomId(text, line), line);
    if (shard && shardOfCustomId(custom_id, shard.n) !== shard.k) return 'other_shard';
    if (!results.ask(custom_id)) return null;
    const prior = results.get(custom_id) as ResultEntry;
    const final = prior.type === 'succeeded' || this.#opts.skipErrored;
    return { prior, model: prior.model ?? NO_MODEL, final };
  }
}

/** What a Message Batch refuses of params the Messages API takes, or null: a stream. */
function batchRefusal(params: BatchRequest['params']): string | null {
  return params.stream === true
    ? 'params.stream: a Message Batch runs no stream: remove "stream" (the results hold whole messages either way)'
    : null;
}
