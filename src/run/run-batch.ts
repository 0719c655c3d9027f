/**
 * The run: read the input line by line, turn each line into a request (or an errored result), send
 * the requests with bounded concurrency and read-ahead, and append each result the moment it is final.
 */
import pLimit from 'p-limit';
import type { Endpoint } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { readJsonlLines } from '../input/jsonl-reader.js';
import { type LineDefaults, parseRequestLine } from '../input/parse-line.js';
import { hashParams } from '../output/params-hash.js';
import { createRedactor } from '../output/redact.js';
import { erroredLine } from '../output/result-line.js';
import { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from '../output/summary.js';
import type { StopReason } from '../retry/policy.js';
import type { BatchRequest } from '../types.js';
import { type Clock, systemClock } from './clock.js';
import { type Execution, executeRequest } from './execute-request.js';

export interface RunBatchOptions {
  inputPath: string;
  outputPath: string;
  endpoint: Endpoint;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Retries after the first attempt. Default 8. */
  maxRetries?: number;
  /** Cap on any wait between attempts, ms. Default 60 000. */
  maxRetryWaitMs?: number;
  /** Per-attempt limit on headers and body, ms. Default 600 000. */
  timeoutMs?: number;
  /** Longest silence inside a stream, ms. Default 120 000. */
  idleTimeoutMs?: number;
  /** Stream every request. Default false (a line's own `stream: true` is always honoured). */
  stream?: boolean;
  /** Fill-ins for lines without `model` / `max_tokens`. */
  defaults?: LineDefaults;
  /** Values that must never be written anywhere (the API key). */
  secrets?: string[];
  /** Graceful stop: dispatch nothing more, let what is in flight finish. */
  stopSignal?: AbortSignal;
  /** Hard stop: abort attempts in flight; they are cut off, not written. */
  abortSignal?: AbortSignal;
  clock?: Clock;
  onWarning?: (message: string) => void;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunProgress {
  done: number;
  succeeded: number;
  errored: number;
  retries: number;
  inFlight: number;
  costUsd: number;
}

export interface RunStop {
  reason: StopReason | 'interrupted';
  message: string;
}

export interface RunBatchReport {
  summary: RunSummary;
  /** Why dispatching stopped early, or null when every line was dealt with. */
  stop: RunStop | null;
  /** Requests read but cut off or never dispatched (a later run sends them). */
  notSent: number;
}

export const RUN_DEFAULTS = {
  concurrency: 8,
  maxRetries: 8,
  maxRetryWaitMs: 60_000,
  timeoutMs: 600_000,
  idleTimeoutMs: 120_000,
} as const;

/** Runs every request of `inputPath`, appending results to `outputPath`. Never throws for a bad line or request. */
export async function runBatch(opts: RunBatchOptions): Promise<RunBatchReport> {
  const clock = opts.clock ?? systemClock;
  const concurrency = opts.concurrency ?? RUN_DEFAULTS.concurrency;
  const warn = opts.onWarning ?? (() => {});
  const redact = createRedactor(opts.secrets ?? []);
  const startedAt = clock.now();
  const summary = new SummaryBuilder();
  const writer = new ResultsWriter(opts.outputPath);
  const transport = new Transport({
    endpoint: opts.endpoint,
    connections: concurrency,
    timeoutMs: opts.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs ?? RUN_DEFAULTS.idleTimeoutMs,
  });
  const limit = pLimit(concurrency);
  const seen = new Map<string, number>();
  const warnedKeys = new Set<string>();
  const warnedModels = new Set<string>();
  let stop: RunStop | null = null;
  let notSent = 0;
  let inFlight = 0;
  let wake: (() => void) | null = null;

  const stopping = () => stop !== null || opts.stopSignal?.aborted === true;
  const progress = () => {
    if (!opts.onProgress) return;
    const t = summary.totals;
    opts.onProgress({ ...t, inFlight, costUsd: t.costNanos / 1e9 });
  };
  const ctx = {
    transport,
    clock,
    retry: {
      maxRetries: opts.maxRetries ?? RUN_DEFAULTS.maxRetries,
      maxRetryWaitMs: opts.maxRetryWaitMs ?? RUN_DEFAULTS.maxRetryWaitMs,
    },
    abortSignal: opts.abortSignal,
    forceStream: opts.stream === true,
    redact,
    onRetry: (error: { type: string }) => summary.addRetry(error.type),
  };

  const record = (req: BatchRequest, execution: Execution) => {
    if (execution.kind === 'cut_off') {
      notSent += 1;
      return;
    }
    writer.append(execution.result);
    const result = execution.result;
    if ('cost_usd' in result && execution.kind === 'done') {
      if (execution.costNanos === null && !warnedModels.has(execution.pricedAs)) {
        warnedModels.add(execution.pricedAs);
        warn(`model "${execution.pricedAs}" is not in the price table: its cost is unknown, not $0`);
      }
      summary.addSucceeded(req.params.model, result.result.message.usage, execution.costNanos, {
        latencyMs: result.latency_ms,
        ttftMs: result.ttft_ms,
      });
    } else if (result.result.type === 'errored') {
      summary.addErrored(req.params.model, result.result.error.error.type);
    }
    if (execution.kind === 'stop' && stop === null)
      stop = { reason: execution.reason, message: execution.message };
  };

  const dispatch = (req: BatchRequest, json: string, hash: string) => {
    inFlight += 1;
    void limit(async () => {
      if (stopping()) return { kind: 'cut_off' } as const;
      return executeRequest(req, json, hash, ctx);
    })
      .then((execution) => record(req, execution))
      .finally(() => {
        inFlight -= 1;
        progress();
        wake?.();
      });
  };

  try {
    for await (const { line, text } of readJsonlLines(opts.inputPath)) {
      if (stopping()) break;
      const parsed = parseRequestLine(text, line, opts.inputPath, opts.defaults ?? {});
      if (!parsed.ok) {
        writer.append(
          erroredLine(parsed, invalid(parsed.message), { status: null, attempts: 0, latencyMs: 0 }),
        );
        summary.addErrored(NO_MODEL, 'invalid_request_error');
        progress();
        continue;
      }
      const req = parsed.request;
      const firstLine = seen.get(req.custom_id);
      if (firstLine !== undefined) {
        const message = `${opts.inputPath}:${line}: custom_id: "${req.custom_id}" repeats line ${firstLine}; custom_ids must be unique`;
        writer.append(erroredLine(req, invalid(message), { status: null, attempts: 0, latencyMs: 0 }));
        summary.addErrored(req.params.model, 'invalid_request_error');
        progress();
        continue;
      }
      seen.set(req.custom_id, line);
      for (const key of parsed.unknownKeys) {
        if (warnedKeys.has(key)) continue;
        warnedKeys.add(key);
        warn(`${opts.inputPath}:${line}: unknown parameter "${key}" passed through as is (warned once)`);
      }
      for (const warning of parsed.warnings) warn(`${opts.inputPath}:${line}: ${warning}`);

      // Bounded read-ahead: wait for a free slot before reading on.
      while (inFlight >= concurrency) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (stopping()) {
        notSent += 1;
        break;
      }
      const json = JSON.stringify(req.params);
      dispatch(req, json, hashParams(json));
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    writer.close();
    await transport.close();
  }
  if (stop === null && opts.stopSignal?.aborted) stop = { reason: 'interrupted', message: 'interrupted' };
  return { summary: summary.build(clock.now() - startedAt), stop, notSent };
}

function invalid(message: string) {
  return { type: 'invalid_request_error', message, requestId: null };
}
