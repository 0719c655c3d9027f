/**
 * A run once its options are checked and its endpoint known: resume from the results file, read the
 * input line by line, send what is not done (./dispatch-lines.ts), append each result the moment it
 * is final, and leave exactly one line per custom_id at the end.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { Clock } from '../clock.js';
import type { Endpoint } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { namesInterleavedThinking } from '../input/schema-rules.js';
import { DispatchGate } from '../limits/dispatch-gate.js';
import type { RunSettings } from '../options/run.js';
import { createRedactor } from '../output/redact.js';
import { failureOf } from '../output/result-line.js';
import type { ResultEntry } from '../output/results-scan.js';
import { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from '../output/summary.js';
import type { ResultLine } from '../types.js';
import { nanosToUsd } from '../pricing/cost.js';
import { dispatchLines } from './dispatch-lines.js';
import { LineIntake } from './intake.js';
import { Recorder } from './recorder.js';
import { finalizeResults, prepareResults, refuseSameFile } from './resume.js';
import type { RunStop, Shutdown } from './shutdown.js';

/** A file as the run reads or writes it, and as messages name it (the path as given). */
export interface RunFile {
  path: string;
  shown: string;
}

export interface RunPlan {
  settings: RunSettings;
  input: RunFile;
  output: RunFile;
  endpoint: Endpoint;
  /** Values never to be written anywhere (the key). */
  secrets: string[];
  clock: Clock;
  shutdown: Shutdown;
  /** Lines in the input, for progress; null when not counted. */
  total: number | null;
  onWarning?: ((message: string) => void) | undefined;
  onProgress?: ((progress: RunProgress) => void) | undefined;
  onResult?: ((line: ResultLine) => void) | undefined;
}

/** Where a run stands, after every line dealt with. */
export interface RunProgress {
  /** Lines in the input (blank ones aside), or null when they were not counted. */
  total: number | null;
  /** Results written or counted: succeeded + errored, resumed ones included. */
  done: number;
  succeeded: number;
  errored: number;
  retries: number;
  /** Requests dispatched and not yet final (running or queued for a slot). */
  inFlight: number;
  costUsd: number;
  /** Input tokens, cache writes and reads included. */
  inputTokens: number;
  outputTokens: number;
  /** Requests allowed in flight now (adaptive concurrency). */
  concurrency: number;
}

/** What the run reports before its stop is put in words (see run-batch.ts). */
export interface RunOutcome {
  summary: RunSummary;
  stop: RunStop | null;
  notSent: number;
  budget: { limitNanos: number; spentNanos: number } | null;
  concurrency: { final: number; shrinks: number };
}

/** Runs every request of the input, appending results to the output. Never throws for a bad line or request. */
export async function runFiles(plan: RunPlan): Promise<RunOutcome> {
  const { settings, input, output, clock, shutdown } = plan;
  const redact = createRedactor(plan.secrets);
  const warn = (message: string) => plan.onWarning?.(redact(message));
  refuseSameFile(input.path, output.path);

  const prepared = await prepareResults(output.path, settings.overwrite);
  if (prepared.cutBytes > 0) {
    warn(
      `${output.shown}: cut away a torn last line (${prepared.cutBytes} bytes) left by an interrupted run`,
    );
  }
  const startedAt = clock.now();
  shutdown.setGrace(secondsToMs(settings.grace), clock);
  // Every retry wait and gate wait listens to these, one per request in flight: many, on purpose.
  setMaxListeners(0, shutdown.draining, shutdown.aborted);
  const summary = new SummaryBuilder();
  const writer = new ResultsWriter(output.path);
  const recorder = new Recorder({ writer, summary, redact, warn, onResult: plan.onResult });
  const transport = new Transport({
    endpoint: plan.endpoint,
    connections: settings.concurrency,
    timeoutMs: secondsToMs(settings.timeout),
    idleTimeoutMs: secondsToMs(settings.idleTimeout),
    maxResponseBytes: settings.maxResponseBytes,
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
    file: input.shown,
    defaults: {
      model: settings.model,
      maxTokens: settings.maxTokens,
      interleavedThinking: namesInterleavedThinking(plan.endpoint.headers['anthropic-beta']),
    },
    prior: prepared.prior,
    skipErrored: settings.skipErrored,
  });
  const { onProgress, total } = plan;
  const progress = (inFlight: number) => {
    if (!onProgress) return;
    const { costNanos, ...totals } = summary.totals;
    onProgress({ total, ...totals, inFlight, costUsd: nanosToUsd(costNanos), concurrency: gate.concurrency });
  };
  progress(0);

  let dispatched;
  try {
    dispatched = await dispatchLines({
      inputPath: input.path,
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
        onRetry: (error) => {
          const { type, kind } = failureOf(error);
          summary.addRetry(type, kind);
        },
      },
    });
  } finally {
    shutdown.dispose();
    writer.close();
    await transport.close();
  }
  if (dispatched.changed > 0)
    warn(`${dispatched.changed} requests changed since their result was written: sent again`);
  const foreign = countForeign(prepared.prior, intake.matched, recorder);
  if (foreign > 0 && dispatched.inputRead) {
    warn(
      `${output.shown} holds ${foreign} results for custom_ids that are not in ${input.shown}: kept as they are`,
    );
  }
  await finalizeResults(output.path, settings.order, dispatched.mayHaveDuplicates || prepared.superseded > 0);
  return {
    summary: summary.build(clock.now() - startedAt),
    stop: shutdown.reason,
    notSent: dispatched.notSent,
    budget: gate.budget,
    concurrency: { final: gate.concurrency, shrinks: gate.shrinks },
  };
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
