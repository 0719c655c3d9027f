/**
 * Where a final result goes: one line appended to the results file, one entry in the summary,
 * progress for the display, and a warning the first time a model turns out to have no price.
 */
import { erroredLine } from '../output/result-line.js';
import type { ResultEntry } from '../output/results-scan.js';
import type { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type SummaryBuilder } from '../output/summary.js';
import { costNanos } from '../pricing/cost.js';
import type { BatchRequest } from '../types.js';
import type { Execution } from './execute-request.js';

export class Recorder {
  readonly #writer: ResultsWriter;
  readonly #summary: SummaryBuilder;
  readonly #warn: (message: string) => void;
  readonly #warnedModels = new Set<string>();

  constructor(writer: ResultsWriter, summary: SummaryBuilder, warn: (message: string) => void) {
    this.#writer = writer;
    this.#summary = summary;
    this.#warn = warn;
  }

  /** A request's final result: appended now, counted in the summary. */
  executed(req: BatchRequest, execution: Extract<Execution, { result: unknown }>): void {
    const line = execution.result;
    this.#writer.append(line);
    if ('cost_usd' in line && execution.kind === 'done') {
      if (execution.costNanos === null) this.#warnUnpriced(execution.pricedAs);
      this.#summary.addSucceeded(req.params.model, line.usage, execution.costNanos, {
        latencyMs: line.latency_ms,
        ttftMs: line.ttft_ms,
      });
    } else if (line.result.type === 'errored') {
      this.#summary.addErrored(req.params.model, line.result.error.error.type);
    }
  }

  /** A line that could not be sent: written as an errored invalid_request_error. */
  invalid(id: { custom_id: string; line: number }, message: string, model: string | null): void {
    const error = { type: 'invalid_request_error', message, requestId: null };
    this.#writer.append(erroredLine(id, error, { status: null, attempts: 0, latencyMs: 0 }));
    this.#summary.addErrored(model ?? NO_MODEL, 'invalid_request_error');
  }

  /** An earlier run's result that stands: counted in the summary, not written again. */
  resumed(model: string, prior: ResultEntry): void {
    if (prior.type === 'errored') {
      this.#summary.addErrored(model, prior.error_type ?? 'api_error', { resumed: true });
      return;
    }
    const usage = prior.usage ?? { input_tokens: 0, output_tokens: 0 };
    const nanos = costNanos(model, usage) ?? (prior.model ? costNanos(prior.model, usage) : null);
    if (nanos === null) this.#warnUnpriced(model);
    this.#summary.addSucceeded(model, usage, nanos, { resumed: true });
  }

  #warnUnpriced(model: string): void {
    if (this.#warnedModels.has(model)) return;
    this.#warnedModels.add(model);
    this.#warn(`model "${model}" is not in the price table: its cost is unknown, not $0`);
  }
}
