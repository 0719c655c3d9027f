/**
 * The run: resume from the results file, read the input line by line, send what is not done with
 * bounded concurrency and read-ahead, append each result the moment it is final, and leave exactly
 * one line per custom_id at the end.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { type Clock, systemClock } from '../clock.js';
import type { Endpoint } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { readJsonlLines } from '../input/jsonl-reader.js';
import type { LineDefaults } from '../input/parse-line.js';
import { DispatchGate } from '../limits/dispatch-gate.js';
import { notSentFailure } from '../output/result-line.js';
import { createRedactor } from '../output/redact.js';
import type { ResultEntry } from '../output/results-scan.js';
import { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from '../output/summary.js';
import { nanosToUsd } from '../pricing/cost.js';
import { errorTypeOf } from '../retry/policy.js';
import type { BatchRequest } from '../types.js';
import { type ExecuteContext, type Execution, executeRequest } from './execute-request.js';
import { LineIntake } from './intake.js';
import { Recorder } from './recorder.js';
import { finalizeResults, prepareResults, refuseSameFile } from './resume.js';
import { type RunStop, Shutdown } from './shutdown.js';

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
  /** After `signal` (or an interrupt), how long requests in flight may finish before they are aborted, ms. Default 30 000. */
  graceMs?: number;
  /** Values that must never be written anywhere (the API key). */
  secrets?: string[];
  /** Graceful stop, as Ctrl-C: dispatch nothing more, let what is in flight finish (for up to `graceMs`). */
  signal?: AbortSignal;
  /** The run's shutdown, when the caller drives it (the CLI: Ctrl-C interrupts, a second one aborts). */
  shutdown?: Shutdown;
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
  const maxRetryWaitMs = opts.maxRetryWaitMs ?? RUN_DEFAULTS.maxRetryWaitMs;
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
  const shutdown = opts.shutdown ?? new Shutdown();
  shutdown.setGrace(opts.graceMs ?? RUN_DEFAULTS.graceMs, clock);
  const detach = shutdown.interruptOn(opts.signal);
  // Every retry wait and gate wait listens to these, one per request in flight: many, on purpose.
  setMaxListeners(0, shutdown.draining, shutdown.aborted);
  const summary = new SummaryBuilder();
  const writer = new ResultsWriter(opts.outputPath);
  const recorder = new Recorder({ writer, summary, redact, warn });
  const intake = new LineIntake({
    file: opts.inputPath,
    defaults: opts.defaults ?? {},
    prior: prepared.prior,
    skipErrored: opts.skipErrored === true,
  });
  const transport = new Transport({
    endpoint: opts.endpoint,
    connections: concurrency,
    timeoutMs: opts.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs ?? RUN_DEFAULTS.idleTimeoutMs,
    signal: shutdown.aborted,
    redact,
  });
  // p-limit is the one count of requests in flight; adaptive concurrency moves its limit.
  const limit = pLimit(concurrency);
  const gate = new DispatchGate({
    maxConcurrency: concurrency,
    rpm: opts.rpm,
    itpm: opts.itpm,
    otpm: opts.otpm,
    maxCostUsd: opts.maxCostUsd,
    adaptive: opts.adaptiveConcurrency !== false,
    maxPauseMs: maxRetryWaitMs,
    clock,
    onConcurrencyChange: (n) => {
      limit.concurrency = n;
    },
  });
  const inFlight = () => limit.activeCount + limit.pendingCount;
  /** Results still to be written: awaited before the file is closed. */
  const unsettled = new Set<Promise<void>>();
  let notSent = 0;
  let changed = 0;
  let mayHaveDuplicates = prepared.superseded > 0;
  let wake: (() => void) | null = null;
  let failure: { error: unknown } | null = null;

  const progress = () => {
    if (!opts.onProgress) return;
    const { costNanos, ...t } = summary.totals;
    opts.onProgress({
      ...t,
      inFlight: inFlight(),
      costUsd: nanosToUsd(costNanos),
      concurrency: gate.concurrency,
    });
  };
  const ctx: ExecuteContext = {
    transport,
    gate,
    clock,
    retry: { maxRetries: opts.maxRetries ?? RUN_DEFAULTS.maxRetries, maxRetryWaitMs },
    shutdown,
    forceStream: opts.stream === true,
    onRetry: (error) => summary.addRetry(errorTypeOf(error)),
  };

  const settle = (req: BatchRequest, hash: string, execution: Execution) => {
    if (execution.kind === 'not_sent') {
      notSent += 1;
      if (execution.reason === 'over_budget') {
        shutdown.stop({ reason: 'budget', message: `the budget of $${opts.maxCostUsd} is reached` });
      }
      return;
    }
    recorder.executed({ ...req, model: req.params.model, paramsHash: hash }, execution);
    if (execution.kind === 'errored' && execution.stop !== null) {
      shutdown.stop({ reason: execution.stop, message: redact(execution.failure.message) });
    }
  };
  const dispatch = (req: BatchRequest, json: string, hash: string) => {
    const task = limit((): Promise<Execution> =>
      shutdown.draining.aborted
        ? Promise.resolve({ kind: 'not_sent', reason: 'aborted' })
        : executeRequest(req, json, ctx),
    )
      .then((execution) => settle(req, hash, execution))
      .catch((error: unknown) => {
        // Recording failed (the results file, the onResult callback): nothing more is sent, and the
        // run ends with this error once what is in flight is settled.
        failure ??= { error };
        shutdown.drain();
      })
      .finally(() => {
        unsettled.delete(task);
        progress();
        wake?.();
      });
    unsettled.add(task);
  };
  const slotFreed = () => new Promise<void>((resolve) => (wake = resolve));

  let inputRead = false;
  try {
    for await (const { line, text, invalidUtf8 } of readJsonlLines(opts.inputPath)) {
      if (shutdown.draining.aborted) break;
      const taken = intake.take(text, line, warn, invalidUtf8);
      if (taken.kind === 'invalid') {
        if (prepared.prior.has(taken.custom_id)) mayHaveDuplicates = true;
        recorder.errored(taken, notSentFailure(taken.message), { attempts: 0, latencyMs: 0 });
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
      while (inFlight() >= concurrency) await slotFreed();
      if (shutdown.draining.aborted) {
        notSent += 1;
        break;
      }
      dispatch(taken.req, taken.json, taken.hash);
    }
    inputRead = !shutdown.draining.aborted;
  } catch (error) {
    failure ??= { error };
    shutdown.drain();
  } finally {
    // Whatever ended the loop, results of requests already sent are paid for: wait and write them.
    while (unsettled.size > 0) await Promise.all(unsettled);
    detach();
    shutdown.dispose();
    writer.close();
    await transport.close();
  }
  if (failure !== null) throw failure.error;
  if (changed > 0) warn(`${changed} requests changed since their result was written: sent again`);
  const foreign = countForeign(prepared.prior, intake.matched, recorder);
  if (foreign > 0 && inputRead) {
    warn(
      `${opts.outputPath} holds ${foreign} results for custom_ids that are not in ${opts.inputPath}: kept as they are`,
    );
  }
  await finalizeResults(opts.outputPath, opts.order ?? 'completion', mayHaveDuplicates);
  const budget = gate.budget;
  return {
    summary: summary.build(clock.now() - startedAt),
    stop: shutdown.reason,
    notSent,
    budget: budget && { limitUsd: nanosToUsd(budget.limitNanos), spentUsd: nanosToUsd(budget.spentNanos) },
    concurrency: { final: gate.concurrency, shrinks: gate.shrinks },
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
