/**
 * The run: resume from the results file, read the input line by line, send what is not done with
 * bounded concurrency and read-ahead, append each result the moment it is final, and leave exactly
 * one line per custom_id at the end.
 */
import { setMaxListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { type Clock, systemClock } from '../clock.js';
import type { Endpoint } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { DispatchGate } from '../limits/dispatch-gate.js';
import { resolveOptions } from '../options/define.js';
import { RUN_OPTIONS, type RunOptions } from '../options/run.js';
import { createRedactor } from '../output/redact.js';
import type { ResultEntry } from '../output/results-scan.js';
import { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from '../output/summary.js';
import { nanosToUsd } from '../pricing/cost.js';
import { errorTypeOf } from '../retry/policy.js';
import { dispatchLines } from './dispatch-lines.js';
import { LineIntake } from './intake.js';
import { Recorder } from './recorder.js';
import { finalizeResults, prepareResults, refuseSameFile } from './resume.js';
import { type RunStop, Shutdown } from './shutdown.js';

export interface RunBatchOptions extends RunOptions {
  /** The JSONL file of requests. */
  inputPath: string;
  /** The JSONL file of results: created, or resumed when it exists (see `overwrite`). */
  outputPath: string;
  endpoint: Endpoint;
  /** Values that must never be written anywhere (the API key). */
  secrets?: string[];
  /** Aborting it stops the run as Ctrl-C does: nothing more is sent, what is in flight gets `grace` seconds. */
  signal?: AbortSignal | undefined;
  /** The run's shutdown, when the caller drives it (the CLI: Ctrl-C interrupts, a second one aborts). */
  shutdown?: Shutdown;
  clock?: Clock;
  /** Told of each warning (unknown parameters, unpriced models, a torn last line cut away, ...). */
  onWarning?: ((message: string) => void) | undefined;
  /** Told after every line dealt with. */
  onProgress?: ((progress: RunProgress) => void) | undefined;
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
  /** Budget state under `maxCost`, else null. */
  budget: { limitUsd: number; spentUsd: number } | null;
  /** Times adaptive concurrency was cut, and the concurrency at the end. */
  concurrency: { final: number; shrinks: number };
}

/** Runs every request of `inputPath`, appending results to `outputPath`. Never throws for a bad line or request. */
export async function runBatch(opts: RunBatchOptions): Promise<RunBatchReport> {
  const settings = resolveOptions(RUN_OPTIONS, opts);
  const clock = opts.clock ?? systemClock;
  const redact = createRedactor(opts.secrets ?? []);
  const warn = (message: string) => opts.onWarning?.(redact(message));
  refuseSameFile(opts.inputPath, opts.outputPath);

  const prepared = await prepareResults(opts.outputPath, settings.overwrite);
  if (prepared.cutBytes > 0) {
    warn(
      `${opts.outputPath}: cut away a torn last line (${prepared.cutBytes} bytes) left by an interrupted run`,
    );
  }
  const startedAt = clock.now();
  const shutdown = opts.shutdown ?? new Shutdown();
  shutdown.setGrace(secondsToMs(settings.grace), clock);
  const detach = shutdown.interruptOn(opts.signal);
  // Every retry wait and gate wait listens to these, one per request in flight: many, on purpose.
  setMaxListeners(0, shutdown.draining, shutdown.aborted);
  const summary = new SummaryBuilder();
  const writer = new ResultsWriter(opts.outputPath);
  const recorder = new Recorder({ writer, summary, redact, warn });
  const transport = new Transport({
    endpoint: opts.endpoint,
    connections: settings.concurrency,
    timeoutMs: secondsToMs(settings.timeout),
    idleTimeoutMs: secondsToMs(settings.idleTimeout),
    signal: shutdown.aborted,
    redact,
  });
  const limit = pLimit(settings.concurrency);
  const gate = new DispatchGate({
    maxConcurrency: settings.concurrency,
    adaptive: settings.adaptiveConcurrency,
    rpm: settings.rpm,
    itpm: settings.itpm,
    otpm: settings.otpm,
    maxCostUsd: settings.maxCost,
    maxPauseMs: secondsToMs(settings.maxRetryWait),
    clock,
    onConcurrencyChange: (n) => {
      limit.concurrency = n;
    },
  });
  const intake = new LineIntake({
    file: opts.inputPath,
    defaults: { model: settings.model, maxTokens: settings.maxTokens },
    prior: prepared.prior,
    skipErrored: settings.skipErrored,
  });
  const { onProgress } = opts;
  const progress = (inFlight: number) => {
    if (!onProgress) return;
    const { costNanos, ...totals } = summary.totals;
    onProgress({ ...totals, inFlight, costUsd: nanosToUsd(costNanos), concurrency: gate.concurrency });
  };

  let dispatched;
  try {
    dispatched = await dispatchLines({
      inputPath: opts.inputPath,
      concurrency: settings.concurrency,
      limit,
      intake,
      recorder,
      shutdown,
      prior: prepared.prior,
      warn,
      onProgress: progress,
      onOverBudget: () =>
        shutdown.stop({ reason: 'budget', message: `the budget of $${settings.maxCost} is reached` }),
      execute: {
        transport,
        gate,
        clock,
        retry: { maxRetries: settings.maxRetries, maxRetryWaitMs: secondsToMs(settings.maxRetryWait) },
        shutdown,
        forceStream: settings.stream,
        onRetry: (error) => summary.addRetry(errorTypeOf(error)),
      },
    });
  } finally {
    detach();
    shutdown.dispose();
    writer.close();
    await transport.close();
  }
  if (dispatched.changed > 0)
    warn(`${dispatched.changed} requests changed since their result was written: sent again`);
  const foreign = countForeign(prepared.prior, intake.matched, recorder);
  if (foreign > 0 && dispatched.inputRead) {
    warn(
      `${opts.outputPath} holds ${foreign} results for custom_ids that are not in ${opts.inputPath}: kept as they are`,
    );
  }
  await finalizeResults(
    opts.outputPath,
    settings.order,
    dispatched.mayHaveDuplicates || prepared.superseded > 0,
  );
  const budget = gate.budget;
  const report: RunBatchReport = {
    summary: summary.build(clock.now() - startedAt),
    stop: shutdown.reason,
    notSent: dispatched.notSent,
    budget: budget && { limitUsd: nanosToUsd(budget.limitNanos), spentUsd: nanosToUsd(budget.spentNanos) },
    concurrency: { final: gate.concurrency, shrinks: gate.shrinks },
  };
  if (settings.summary !== undefined) {
    await writeFile(settings.summary, `${JSON.stringify(report.summary, null, 2)}\n`);
  }
  return report;
}

function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
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
