/**
 * Where a final result goes: one line appended to the results file (the only place that builds one),
 * the same line to the `onResult` callback, one entry in the summary, and a warning the first time a
 * model turns out to have no price.
 */
import { redactDeep } from '../output/redact.js';
import {
  erroredLine,
  type Failure,
  type LineId,
  notRunLine,
  succeededLine,
  succeededLineJson,
} from '../output/result-line.js';
import type { ResultEntry } from '../output/results-scan.js';
import type { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type SummaryBuilder } from '../output/summary.js';
import { nanosToUsd } from '../pricing/cost.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { ErroredLine, Message, NotRunType, ResultLine } from '../types.js';
import type { Execution } from './execute-request.js';

export interface RecorderOptions {
  writer: ResultsWriter;
  summary: SummaryBuilder;
  /**
   * The prices of what this recorder writes (its tier: the engine's), and of an earlier run's usage:
   * a resumed result is priced again at these prices, at the batch tier when a Message Batch ran it
   * and the standard tier otherwise.
   */
  prices: PriceTable;
  /** Applied to every text the server gave (errors, and a succeeded message): it may echo the key. */
  redact: (text: string) => string;
  warn: (message: string) => void;
  /** Each line written, in the order written. */
  onResult?: ((line: ResultLine) => void) | undefined;
}

/** A request as the recorder needs it: its id and line, the model it asked for, its params' hash. */
export interface RecordedRequest extends LineId {
  paramsHash?: string | undefined;
  /** The Message Batch that ran it (the batches engine). */
  batchId?: string | undefined;
}

export class Recorder {
  readonly #opts: RecorderOptions;
  readonly #warnedModels = new Set<string>();

  constructor(opts: RecorderOptions) {
    this.#opts = opts;
  }

  /** A request that succeeded: written now, counted in the summary. */
  succeeded(req: RecordedRequest, execution: Extract<Execution, { kind: 'succeeded' }>): void {
    const { priced, attempts, latencyMs, ttftMs } = execution;
    const { message, json } = this.#redacted(execution.message, execution.messageJson);
    const extra = {
      costUsd: priced.nanos === null ? null : nanosToUsd(priced.nanos),
      attempts,
      latencyMs,
      ttftMs,
      paramsHash: req.paramsHash,
      batchId: req.batchId,
    };
    const { writer, onResult } = this.#opts;
    if (json === null) writer.append(succeededLine(req, message, extra));
    else writer.appendJson(succeededLineJson(req, message, json, extra));
    onResult?.(succeededLine(req, message, extra));
    if (priced.nanos === null) this.#warnUnpriced(priced.pricedAs);
    // The summary's percentiles are of the times as written (whole ms), so they match the file.
    const timing = {
      latencyMs: Math.round(latencyMs),
      ttftMs: ttftMs === undefined ? undefined : Math.round(ttftMs),
      tier: this.#opts.prices.tier,
    };
    const saved = this.#opts.prices.cacheSavingNanos(priced.pricedAs, message.usage);
    this.#opts.summary.addSucceeded(req.model ?? NO_MODEL, message.usage, priced.nanos, timing, saved);
  }

  /** A request that failed for good, or a line that could not be sent (`attempts` 0). */
  errored(
    req: RecordedRequest,
    failure: Failure,
    extra: { attempts: number; latencyMs: number },
  ): ErroredLine {
    const { redact } = this.#opts;
    // Anything the server said may echo the key: every text it gave is redacted before it is stored.
    // (The type is one of Anthropic's, never the server's own text.)
    const redacted = {
      ...failure,
      message: redact(failure.message),
      requestId: failure.requestId === null ? null : redact(failure.requestId),
    };
    const line = erroredLine(req, redacted, { ...extra, paramsHash: req.paramsHash, batchId: req.batchId });
    this.#write(line);
    this.#opts.summary.addErrored(req.model ?? NO_MODEL, failure.type, failure.kind);
    return line;
  }

  /** A request its Message Batch did not run: canceled, or expired. */
  notRun(req: RecordedRequest, type: NotRunType, extra: { latencyMs: number }): ResultLine {
    const line = notRunLine(req, type, {
      attempts: 1,
      latencyMs: extra.latencyMs,
      paramsHash: req.paramsHash,
      batchId: req.batchId,
    });
    this.#write(line);
    this.#opts.summary.addNotRun(req.model ?? NO_MODEL, type);
    return line;
  }

  /** An earlier run's result that stands: counted in the summary, not written again. */
  resumed(model: string, prior: ResultEntry): void {
    const { summary } = this.#opts;
    if (prior.type === 'errored') {
      summary.addErrored(model, prior.error_type ?? 'api_error', prior.error_kind ?? 'internal', {
        resumed: true,
      });
      return;
    }
    if (prior.type !== 'succeeded') {
      summary.addNotRun(model, prior.type, { resumed: true });
      return;
    }
    const usage = prior.usage ?? { input_tokens: 0, output_tokens: 0 };
    const tier = prior.batch ? 'batch' : 'standard';
    const prices = this.#opts.prices.withTier(tier);
    const priced = prices.priceUsage(usage, model, prior.model);
    if (priced.nanos === null) this.#warnUnpriced(priced.pricedAs);
    const saved = prices.cacheSavingNanos(priced.pricedAs, usage);
    summary.addSucceeded(model, usage, priced.nanos, { resumed: true, tier }, saved);
  }

  /**
   * The message as it may be kept (the whole answer came from the server, which may echo the key: a
   * gateway's debug field), and the JSON text it came as when that text can be written as it is: on
   * one line and holding no secret. A text without a backslash can hold one only as written, which
   * one look at the text finds; any other has every string in the message checked.
   */
  #redacted(sent: Message, json: string | null): { message: Message; json: string | null } {
    const { redact } = this.#opts;
    const oneLine = json !== null && !json.includes('\n') && !json.includes('\r');
    if (oneLine && !json.includes('\\') && redact(json) === json) return { message: sent, json };
    const message = redactDeep(sent, redact);
    return { message, json: oneLine && message === sent ? json : null };
  }

  #write(line: ResultLine): void {
    this.#opts.writer.append(line);
    this.#opts.onResult?.(line);
  }

  #warnUnpriced(model: string): void {
    if (this.#warnedModels.has(model)) return;
    this.#warnedModels.add(model);
    this.#opts.warn(`model "${model}" is not in the price table: its cost is unknown, not $0`);
  }
}
