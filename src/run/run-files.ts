/**
 * A run once its options and paths are checked, its results file locked and its endpoint known:
 * resume from the results file, read the input line by line, send what is not done
 * (./dispatch-lines.ts), append each result the moment it is final, and leave exactly one line per
 * custom_id at the end. A failed write to the results file stops the run (`write_error`).
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.js';
import type { Endpoint } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { setUpCaching } from '../cache/run-caching.js';
import type { SharedHeads } from '../cache/shared-heads.js';
import type { LineDefaults } from '../input/parse-line.js';
import { namesInterleavedThinking } from '../input/schema-rules.js';
import { DispatchGate } from '../limits/dispatch-gate.js';
import { Slots } from '../limits/slots.js';
import type { RunSettings } from '../options/run.js';
import { createRedactor } from '../output/redact.js';
import { failureOf } from '../output/result-line.js';
import { ResultsWriter } from '../output/results-writer.js';
import { NO_MODEL, type RunSummary, SummaryBuilder } from '../output/summary.js';
import type { ResultLine, ShownPath } from '../types.js';
import { type InputSource, readInputBatches } from '../input/input-source.js';
import { nanosToUsd } from '../pricing/cost.js';
import type { PriceTable } from '../pricing/price-table.js';
import { dispatchLines } from './dispatch-lines.js';
import { LineIntake } from './intake.js';
import type { PriorResults } from './prior-results.js';
import { Recorder } from './recorder.js';
import type { Shard } from './shard.js';
import { finalizeResults, prepareResults } from './resume.js';
import type { RunStop, Shutdown } from './shutdown.js';

export interface RunPlan {
  /** Under `--shard`, with this shard's share of the job's limits (see ./shard.ts). */
  settings: RunSettings;
  /** `--shard`: the lines of this shard only; null: every line. */
  shard: Shard | null;
  input: InputSource;
  output: ShownPath;
  endpoint: Endpoint;
  /** The prices results and the budget are counted at (`--pricing`). */
  prices: PriceTable;
  /** Values never to be written anywhere (the key). */
  secrets: string[];
  clock: Clock;
  shutdown: Shutdown;
  /** Lines in the input, for progress; null when not counted. */
  total: number | null;
  /** `--cache auto` on a regular file: the tools+system prefixes its lines share (the counting pass); else null. */
  sharedHeads: SharedHeads | null;
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
  /** Of `done`, the results that came from earlier runs (not this run's work: leave them out of rates). */
  resumed: number;
  succeeded: number;
  errored: number;
  retries: number;
  /** Attempts sent and not yet answered (a request waiting out a retry, or for a slot, is not in flight). */
  inFlight: number;
  costUsd: number;
  /** Input tokens, cache writes and reads included. */
  inputTokens: number;
  outputTokens: number;
  /** Requests allowed in flight now (adaptive concurrency). */
  concurrency: number;
}

/** Requests skipped because their worst case did not fit what was left of `maxCost`. */
export interface Skipped {
  count: number;
  /** The first SKIPPED_IDS_KEPT of their custom_ids, in the order they were skipped. */
  custom_ids: string[];
}

/** How many skipped custom_ids a run keeps to name: enough to find them, bounded on any input. */
export const SKIPPED_IDS_KEPT = 100;

/** What the run reports before its stop is put in words (see run-batch.ts). */
export interface RunOutcome {
  summary: RunSummary;
  /** Why requests were left unsent: a stop, or `budget` when some were skipped (null: none). */
  stop: RunStop | null;
  /** Requests a later run would send (see Dispatched.notSent). */
  notSent: number;
  /** Whether every line of the input was read (else `notSent` counts only the lines read). */
  inputRead: boolean;
  budget: { limitNanos: number; spentNanos: number; skipped: Skipped } | null;
  concurrency: { final: number; shrinks: number };
  /** Results received but not written, the results file having failed (see `write_error`). */
  unsaved: ResultLine[];
}

/** Runs every request of the input, appending results to the output. Never throws for a bad line or request. */
export async function runFiles(plan: RunPlan): Promise<RunOutcome> {
  const { settings, input, output, clock, shutdown } = plan;
  const redact = createRedactor(plan.secrets);
  const warn = (message: string) => plan.onWarning?.(redact(message));

  const prepared = await prepareResults(output, settings.overwrite);
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
  const writer = new ResultsWriter(output.path, {
    // Nothing more is sent once results cannot be kept; what is in flight finishes (see `unsaved`).
    onFailure: (error) => shutdown.stop(writeError(output, error)),
  });
  const { prices } = plan;
  const recorder = new Recorder({ writer, summary, prices, redact, warn, onResult: plan.onResult });
  const transport = new Transport({
    endpoint: plan.endpoint,
    connections: settings.concurrency,
    timeoutMs: secondsToMs(settings.timeout),
    idleTimeoutMs: secondsToMs(settings.idleTimeout),
    maxResponseBytes: settings.maxResponseBytes,
    signal: shutdown.aborted,
    redact,
    // No request goes out while a result final before it is not in the file (see ResultsWriter).
    beforeSend: () => writer.flush(),
  });
  const slots = new Slots(settings.concurrency);
  const gate = new DispatchGate({
    maxConcurrency: settings.concurrency,
    adaptive: settings.adaptiveConcurrency,
    rpm: settings.rpm,
    itpm: settings.itpm,
    otpm: settings.otpm,
    maxCostUsd: settings.maxCost,
    prices,
    maxPauseMs: secondsToMs(settings.maxRetryWait),
    clock,
    onConcurrencyChange: (n) => {
      slots.limit = n;
    },
  });
  const caching = setUpCaching(settings.cache, plan.sharedHeads, prices, clock);
  const intake = new LineIntake({
    file: input.shown,
    path: input.kind === 'file' ? input.path : undefined,
    defaults: lineDefaultsOf(settings, plan.endpoint),
    prior: prepared.prior,
    skipErrored: settings.skipErrored,
    shard: plan.shard ?? undefined,
    caching: caching.requests,
  });
  const skipped: Skipped = { count: 0, custom_ids: [] };
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
      batches: readInputBatches(input, shutdown.draining),
      lineLimit: settings.limit,
      // Only a regular file is read on after a stop, to count what was left (see DispatchOptions).
      countRest: input.kind === 'file',
      concurrency: settings.concurrency,
      slots,
      intake,
      recorder,
      shutdown,
      prior: prepared.prior,
      warn,
      onProgress: progress,
      onSkipped: (req) => {
        skipped.count += 1;
        if (skipped.custom_ids.length < SKIPPED_IDS_KEPT) skipped.custom_ids.push(req.custom_id);
      },
      execute: {
        transport,
        gate,
        prices,
        clock,
        retry: { maxRetries: settings.maxRetries, maxRetryWaitMs: secondsToMs(settings.maxRetryWait) },
        shutdown,
        forceStream: settings.stream,
        cache: caching.gate,
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
    prepared.prior.close();
  }
  for (const message of caching.warnings()) warn(message);
  const foreign = countForeign(prepared.prior, recorder);
  if (dispatched.changed > 0)
    warn(`${dispatched.changed} requests changed since their result was written: sent again`);
  if (dispatched.metadataChanged > 0) {
    warn(
      `${dispatched.metadataChanged} results kept from earlier runs have metadata that differs from their input line's now: they keep the metadata they were written with`,
    );
  }
  if (foreign.count > 0 && dispatched.inputRead) {
    const where =
      plan.shard === null ? input.shown : `shard ${plan.shard.k}/${plan.shard.n} of ${input.shown}`;
    warn(
      `${output.shown} holds ${foreign.count} results for custom_ids that are not in ${where} (${listIds(foreign.ids, foreign.count)}): kept as they are`,
    );
  }
  let stop = writer.failure === null ? null : writeError(output, writer.failure);
  if (stop === null) {
    const mayHaveDuplicates = dispatched.mayHaveDuplicates || prepared.superseded > 0;
    await finalizeResults(output, settings.order, mayHaveDuplicates).catch((error: unknown) => {
      const message = `could not rewrite ${output.shown} (${(error as Error).message}): every result is in it; the next run tidies it`;
      stop = { reason: 'write_error', message };
    });
  }
  const budget = gate.budget && { ...gate.budget, skipped };
  return {
    summary: summary.build(clock.now() - startedAt, {
      notSent: dispatched.notSent,
      budget: budget && {
        limit_usd: nanosToUsd(budget.limitNanos),
        spent_usd: nanosToUsd(budget.spentNanos),
        skipped: skipped.count,
        skipped_custom_ids: skipped.custom_ids,
      },
    }),
    // Skipping for the budget does not stop dispatching, but leaves work for a later run all the same.
    stop:
      stop ??
      shutdown.reason ??
      (skipped.count > 0 ? { reason: 'budget', message: 'requests skipped' } : null),
    notSent: dispatched.notSent,
    inputRead: dispatched.inputRead,
    budget,
    concurrency: { final: gate.concurrency, shrinks: gate.shrinks },
    unsaved: writer.unsaved.map((line) => JSON.parse(line) as ResultLine),
  };
}

/** How the run reads a line: `--model`, `--max-tokens`, and whether `--header` names an interleaved-thinking beta. */
export function lineDefaultsOf(
  settings: Pick<RunSettings, 'model' | 'maxTokens'>,
  endpoint: Endpoint,
): LineDefaults {
  return {
    model: settings.model,
    maxTokens: settings.maxTokens,
    interleavedThinking: namesInterleavedThinking(endpoint.headers['anthropic-beta']),
  };
}

/** The stop of a run whose results file failed: one line naming the file and the error. */
function writeError(output: ShownPath, error: Error): RunStop {
  return { reason: 'write_error', message: `cannot write results to ${output.shown}: ${error.message}` };
}

/** The first few ids, quoted, and how many more: `"a", "b" and 3 more`. */
function listIds(ids: readonly string[], count: number): string {
  const shown = ids.map((id) => JSON.stringify(id)).join(', ');
  return count > ids.length ? `${shown} and ${count - ids.length} more` : shown;
}

function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** How many ids `countForeign` names. */
const FOREIGN_IDS_NAMED = 5;

/** Earlier results this run did not come to: they stay in the file, so they count in its summary. */
function countForeign(prior: PriorResults, recorder: Recorder): { count: number; ids: string[] } {
  let count = 0;
  const ids: string[] = [];
  for (const entry of prior.unasked()) {
    count += 1;
    if (ids.length < FOREIGN_IDS_NAMED) ids.push(entry.custom_id);
    recorder.resumed(entry.model ?? NO_MODEL, entry);
  }
  return { count, ids };
}
