/**
 * The run: resume from the results file, read the input line by line, send what is not done with
 * bounded concurrency and read-ahead, append each result the moment it is final, and leave exactly
 * one line per custom_id at the end.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { Endpoint } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { readJsonlLines } from '../input/jsonl-reader.js';
import type { LineDefaults } from '../input/parse-line.js';
import { createRedactor } from '../output/redact.js';
import type { ResultEntry } from '../output/results-scan.js';
import { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from '../output/summary.js';
import type { StopReason } from '../retry/policy.js';
import type { BatchRequest } from '../types.js';
import { type Clock, systemClock } from './clock.js';
import { DispatchGate } from './dispatch-gate.js';
import { type ExecuteContext, type Execution, executeRequest } from './execute-request.js';
import { LineIntake } from './intake.js';
import { Recorder } from './recorder.js';
import { finalizeResults, prepareResults, refuseSameFile } from './resume.js';
import { linkAbort, onAbort } from './signals.js';

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
  /** Requests per minute; undefined: no limit. */
  rpm?: number | undefined;
  /** Input tokens per minute (estimated before sending, corrected after); undefined: no limit. */
  itpm?: number | undefined;
  /** Output tokens per minute (max_tokens reserved, the unused part refunded); undefined: no limit. */
  otpm?: number | undefined;
  /** Shrink concurrency on 529/429 and grow it back slowly. Default true. */
  adaptiveConcurrency?: boolean;
  /** Budget in USD: no request is sent whose worst case could pass it; undefined: no budget. */
  maxCostUsd?: number | undefined;
  /** Start afresh: remove the results file instead of resuming from it. Default false. */
  overwrite?: boolean;
  /** Keep earlier errored results instead of sending those requests again. Default false. */
  skipErrored?: boolean;
  /** Order of the final file: `completion` (default, as results came) or `input` (by input line). */
  order?: 'completion' | 'input';
  /** After `stopSignal`, how long requests in flight may finish before they are aborted, ms. Default 30 000. */
  graceMs?: number;
  /** Values that must never be written anywhere (the API key). */
  secrets?: string[];
  /** Graceful stop: dispatch nothing more, let what is in flight finish (for up to `graceMs`). */
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
  inputTokens: number;
  outputTokens: number;
  /** Requests allowed in flight now (adaptive concurrency). */
  concurrency: number;
}

export interface RunStop {
  reason: StopReason | 'interrupted' | 'budget';
  message: string;
}

export interface RunBatchReport {
  summary: RunSummary;
  /** Why dispatching stopped early, or null when every line was dealt with. */
  stop: RunStop | null;
  /** Requests read but cut off or never dispatched (a later run sends them). */
  notSent: number;
  /** Budget state under `maxCostUsd`, else null. */
  budget: { limitUsd: number; spentUsd: number } | null;
  /** Times adaptive concurrency was cut, and the concurrency at the end. */
  concurrency: { final: number; shrinks: number };
}

export const RUN_DEFAULTS = {
  concurrency: 8,
  maxRetries: 8,
  maxRetryWaitMs: 60_000,
  timeoutMs: 600_000,
  idleTimeoutMs: 120_000,
  graceMs: 30_000,
} as const;

/** Runs every request of `inputPath`, appending results to `outputPath`. Never throws for a bad line or request. */
export async function runBatch(opts: RunBatchOptions): Promise<RunBatchReport> {
  const clock = opts.clock ?? systemClock;
  const concurrency = opts.concurrency ?? RUN_DEFAULTS.concurrency;
  const redact = createRedactor(opts.secrets ?? []);
  const warn = (message: string) => opts.onWarning?.(redact(message));
  refuseSameFile(opts.inputPath, opts.outputPath);

  const prepared = await prepareResults(opts.outputPath, opts.overwrite === true);
  if (prepared.cutBytes > 0) {
    warn(
      `${opts.outputPath}: cut away a torn last line (${prepared.cutBytes} bytes) left by an interrupted run`,
    );
  }
  const startedAt = clock.now();
  const summary = new SummaryBuilder();
  const writer = new ResultsWriter(opts.outputPath);
  const recorder = new Recorder(writer, summary, warn);
  const intake = new LineIntake({
    file: opts.inputPath,
    defaults: opts.defaults ?? {},
    prior: prepared.prior,
    skipErrored: opts.skipErrored === true,
  });
  const hardStop = linkAbort(opts.abortSignal);
  // Every retry wait listens to it, and there may be one per request in flight: many, on purpose.
  setMaxListeners(0, hardStop.signal);
  const transport = new Transport({
    endpoint: opts.endpoint,
    connections: concurrency,
    timeoutMs: opts.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs ?? RUN_DEFAULTS.idleTimeoutMs,
    signal: hardStop.signal,
    redact,
  });
  // Aborted when no new attempt may start: a graceful stop, a hard stop, or a stop reason (401/403,
  // spend cap, budget). Attempts waiting at the gate or about to retry are then cut off, not sent.
  const noMoreDispatch = linkAbort(hardStop.signal);
  setMaxListeners(0, noMoreDispatch.signal);
  let graceTimer: NodeJS.Timeout | undefined;
  const detachStop = onAbort(opts.stopSignal, () => {
    noMoreDispatch.abort();
    graceTimer = setTimeout(() => hardStop.abort(), opts.graceMs ?? RUN_DEFAULTS.graceMs);
  });
  const limit = pLimit(concurrency);
  const gate = new DispatchGate({
    maxConcurrency: concurrency,
    rpm: opts.rpm,
    itpm: opts.itpm,
    otpm: opts.otpm,
    maxCostUsd: opts.maxCostUsd,
    adaptive: opts.adaptiveConcurrency !== false,
    maxPauseMs: opts.maxRetryWaitMs ?? RUN_DEFAULTS.maxRetryWaitMs,
    clock,
    onConcurrencyChange: (n) => {
      limit.concurrency = n;
    },
  });
  let stop: RunStop | null = null;
  let notSent = 0;
  let inFlight = 0;
  let changed = 0;
  let mayHaveDuplicates = prepared.superseded > 0;
  let wake: (() => void) | null = null;

  const stopping = () => noMoreDispatch.signal.aborted;
  const stopWith = (reason: RunStop) => {
    if (stop === null) stop = reason;
    noMoreDispatch.abort();
  };
  const progress = () => {
    if (!opts.onProgress) return;
    const { costNanos, ...t } = summary.totals;
    opts.onProgress({ ...t, inFlight, costUsd: costNanos / 1e9, concurrency: gate.concurrency });
  };
  const ctx: ExecuteContext = {
    transport,
    gate,
    clock,
    retry: {
      maxRetries: opts.maxRetries ?? RUN_DEFAULTS.maxRetries,
      maxRetryWaitMs: opts.maxRetryWaitMs ?? RUN_DEFAULTS.maxRetryWaitMs,
    },
    abortSignal: hardStop.signal,
    dispatchSignal: noMoreDispatch.signal,
    forceStream: opts.stream === true,
    redact,
    onRetry: (error) => summary.addRetry(error.type),
  };

  const settle = (req: BatchRequest, execution: Execution) => {
    if (execution.kind === 'cut_off' || execution.kind === 'over_budget') {
      notSent += 1;
      if (execution.kind === 'over_budget') {
        stopWith({ reason: 'budget', message: `the budget of $${opts.maxCostUsd} is reached` });
      }
      return;
    }
    recorder.executed(req, execution);
    if (execution.kind === 'stop') stopWith({ reason: execution.reason, message: execution.message });
  };
  const dispatch = (req: BatchRequest, json: string, hash: string) => {
    inFlight += 1;
    void limit(async (): Promise<Execution> =>
      stopping() ? { kind: 'cut_off' } : executeRequest(req, json, hash, ctx),
    )
      .then((execution) => settle(req, execution))
      .finally(() => {
        inFlight -= 1;
        progress();
        wake?.();
      });
  };
  const slotFreed = () => new Promise<void>((resolve) => (wake = resolve));

  let inputRead = false;
  try {
    for await (const { line, text, invalidUtf8 } of readJsonlLines(opts.inputPath)) {
      if (stopping()) break;
      const taken = intake.take(text, line, warn, invalidUtf8);
      if (taken.kind === 'invalid') {
        if (prepared.prior.has(taken.custom_id)) mayHaveDuplicates = true;
        recorder.invalid(taken, taken.message, taken.model);
        progress();
        continue;
      }
      if (taken.kind === 'resumed') {
        recorder.resumed(taken.req.params.model, taken.prior);
        continue;
      }
      if (taken.changed) changed += 1;
      if (taken.hadPrior) mayHaveDuplicates = true;
      // Bounded read-ahead: no line is read while every slot is busy.
      while (inFlight >= concurrency) await slotFreed();
      if (stopping()) {
        notSent += 1;
        break;
      }
      dispatch(taken.req, taken.json, taken.hash);
    }
    inputRead = !stopping();
  } catch (error) {
    noMoreDispatch.abort();
    throw error;
  } finally {
    // Whatever ended the loop, results of requests already sent are paid for: wait and write them.
    while (inFlight > 0) await slotFreed();
    detachStop();
    clearTimeout(graceTimer);
    writer.close();
    await transport.close();
  }
  if (changed > 0) warn(`${changed} requests changed since their result was written: sent again`);
  const foreign = countForeign(prepared.prior, intake.matched, recorder);
  if (foreign > 0 && inputRead) {
    warn(
      `${opts.outputPath} holds ${foreign} results for custom_ids that are not in ${opts.inputPath}: kept as they are`,
    );
  }
  await finalizeResults(opts.outputPath, opts.order ?? 'completion', mayHaveDuplicates);
  if (stop === null && (opts.stopSignal?.aborted || hardStop.signal.aborted)) {
    stop = { reason: 'interrupted', message: 'interrupted' };
  }
  const budget = gate.budget;
  return {
    summary: summary.build(clock.now() - startedAt),
    stop,
    notSent,
    budget: budget && { limitUsd: budget.limitUsd, spentUsd: budget.spentUsd },
    concurrency: { final: gate.concurrency, shrinks: gate.stats().shrinks },
  };
}

/** Earlier results this run did not come to: they stay in the file, so they count in its summary. */
function countForeign(
  prior: ReadonlyMap<string, ResultEntry>,
  matched: ReadonlySet<string>,
  recorder: Recorder,
) {
  let count = 0;
  for (const [id, entry] of prior) {
    if (matched.has(id)) continue;
    count += 1;
    recorder.resumed(entry.model ?? NO_MODEL, entry);
  }
  return count;
}
