/**
 * `runBatch({ engine: 'batches' })` and `lp-batch run --engine batches`: submit every phase of the
 * job (under `--cache schedule` and `auto`, a primer batch first: ./primer.ts), wait for its batches (writing each one's results the moment it has ended), and summarize, as
 * a run of the normal engine does, into the same results file. Run again after an interruption (Ctrl-C,
 * kill -9), it takes up the job from its job file instead of submitting again. Past `--deadline`, the
 * batches still running are canceled and what they did not run goes through the normal engine.
 */
import { UsageError } from '../errors.js';
import { countInputLines } from '../input/input-source.js';
import type { RunSettings } from '../options/run.js';
import { nanosToUsd } from '../pricing/cost.js';
import type { RunBatchOptions, RunBatchReport, RunInternals } from '../run/run-batch.js';
import { writeReportFiles } from '../run/report-files.js';
import { withStop } from '../run/run-report.js';
import { runFiles } from '../run/run-files.js';
import { Shutdown } from '../run/shutdown.js';
import type { ShownPath } from '../types.js';
import { systemClock } from '../clock.js';
import type { BatchInfo } from '../client/batch-info.js';
import type { BatchConnection } from './batch-connection.js';
import { accountLines } from './input-passes.js';
import { jobPathOf, lineDefaultsOfJob, pendingBatches, readJobFile } from './job-file.js';
import { describeInterruption, type Ended, type Fallback, type Finished, jobReportOf } from './job-report.js';
import { SINGLE_PHASE } from './phases.js';
import { PRIMER_PLAN } from './primer.js';
import { type WaitOutcome, waitForBatches } from './poll.js';
import { ResultsTaker, type Session, withWritingSession } from './session.js';
import { statusOf } from './status.js';
import { submitPhase } from './submit-pass.js';
import { prepareSubmission, submissionSpec, submitContextOf } from './submitting.js';

/** Runs the job of `options` on the Message Batches engine (see the top of this file). */
export async function runBatchJob(
  options: RunBatchOptions,
  internals: RunInternals,
  settings: RunSettings,
): Promise<RunBatchReport> {
  refuseNormalOnly(settings);
  const clock = internals.clock ?? systemClock;
  const shutdown = internals.shutdown ?? new Shutdown();
  const detach = shutdown.interruptOn(options.signal);
  // Under --cache schedule and auto, the cached prefixes are primed before the rest go (./primer.ts).
  const plan = settings.cache === 'off' ? SINGLE_PHASE : PRIMER_PLAN;
  try {
    const { spec, files } = await submissionSpec({
      settings,
      inputPath: options.inputPath,
      outputPath: options.outputPath,
      apiKey: options.apiKey,
      env: internals.env ?? process.env,
      cwd: internals.cwd ?? process.cwd(),
      stdin: internals.stdin ?? (() => process.stdin),
      clock,
      shutdown,
      plan,
      onWarning: options.onWarning,
      onResult: options.onResult,
    });
    const startedAt = clock.now();
    const ended = await withWritingSession(spec, async (session, connection): Promise<Ended> => {
      const infos = new Map<string, BatchInfo>();
      const ctx = submitContextOf(session, settings, plan);
      const taker = new ResultsTaker(session);
      const watched = () =>
        session.job.batches.filter(
          (batch) => batch.id !== null && !batch.results_written && !taker.taken.has(batch),
        );
      const wait = async (deadlineEpochMs: number | null): Promise<WaitOutcome> => {
        await taker.prepare(watched());
        return waitForBatches({
          api: session.api,
          clock,
          stop: shutdown.draining,
          firstWaitMs: settings.pollInterval * 1000,
          maxWaitMs: settings.maxPollInterval * 1000,
          deadlineEpochMs,
          watched,
          onStatus: (seen) => {
            for (const [id, info] of seen) infos.set(id, info);
            options.onBatchStatus?.(statusOf(session.job, session.jobFile.shown, infos));
          },
          onEnded: (batch, info) => taker.take(batch, info),
        });
      };
      const deadline = settings.deadline as number | undefined;
      const deadlineEpochMs =
        deadline === undefined ? null : Date.parse(session.job.created_at) + Math.round(deadline * 1000);

      const check = await prepareSubmission(ctx, settings.maxCost);
      let { stop } = check;
      let outcome: WaitOutcome = 'ended';
      let looked = false;
      for (let phase = 0; stop === null && phase < plan.phases && outcome === 'ended'; phase += 1) {
        await submitPhase(ctx, phase);
        // A phase with no batch running (no line of its own, or all done) needs no look; the run
        // looks once all the same, which tells its status.
        const idle = watched().length === 0 && !shutdown.draining.aborted;
        if (idle && (looked || phase < plan.phases - 1)) continue;
        looked = true;
        outcome = shutdown.draining.aborted ? 'stopped' : await wait(deadlineEpochMs);
      }
      if (outcome === 'deadline') {
        const late = watched();
        for (const batch of late)
          if (batch.id !== null) infos.set(batch.id, await session.api.cancel(batch.id));
        session.warn(
          `--deadline: ${late.length} batches had not ended ${deadline} s after the job began: canceled; what they did not run goes through the normal engine`,
        );
        outcome = (await wait(null)) === 'ended' ? 'deadline' : 'stopped';
      }
      stop ??= shutdown.reason && describeInterruption(shutdown.reason, watched());
      const status = statusOf(session.job, session.jobFile.shown, infos);
      if (outcome === 'deadline' && stop === null) {
        return { status, fallback: await finishNormally(session, connection, settings, options) };
      }
      const accounting = await accountLines(session.input, lineDefaultsOfJob(session.job), session.out);
      warnForeign(session, accounting.foreign);
      const closeStop = await session.out.close(settings.order);
      const finished: Finished = {
        summary: session.out.summary.build(clock.now() - startedAt),
        stop: stop ?? closeStop,
        notSent: accounting.notInFile,
        unsaved: session.out.unsaved,
        batchCostNanos: session.out.summary.totals.costNanos,
        skipped: check.skipped,
      };
      return { status, finished };
    });
    const report = jobReportOf(ended, settings, clock.now() - startedAt);
    const failed = await writeReportFiles(files, report.summary);
    return failed === null || report.stop !== null ? report : withStop(report, failed);
  } finally {
    detach();
    shutdown.dispose();
  }
}

/**
 * Past the deadline, once the canceled batches have ended and their results are written: the normal
 * engine sends what is not done (errored, canceled, expired, never submitted), as any resumed run
 * does, under what is left of `--max-cost`.
 */
async function finishNormally(
  session: Session,
  connection: BatchConnection,
  settings: RunSettings,
  options: RunBatchOptions,
): Promise<Fallback> {
  const { out } = session;
  await out.close(settings.order);
  const batchCostNanos = out.summary.totals.costNanos;
  const kept = out.summary.totals.succeeded + (settings.skipErrored ? out.summary.totals.errored : 0);
  const maxCost = settings.maxCost === undefined ? undefined : settings.maxCost - nanosToUsd(batchCostNanos);
  const outcome = await runFiles({
    shard: null,
    settings: {
      ...settings,
      overwrite: false,
      maxCost: maxCost === undefined ? undefined : Math.max(0, maxCost),
    },
    input: session.input,
    output: out.file,
    endpoint: connection.connection.endpoint,
    prices: session.prices.withTier('standard'),
    secrets: connection.connection.secrets,
    clock: session.clock,
    shutdown: session.shutdown,
    total: options.onProgress ? await countInputLines(session.input) : null,
    // Whatever --cache auto would mark was submitted unmarked: the rest goes as it went.
    sharedHeads: null,
    onWarning: options.onWarning,
    onProgress: options.onProgress,
    onResult: options.onResult,
  });
  return {
    outcome,
    keySource: connection.connection.keySource,
    batchResults: kept,
    batchCostNanos,
    batchUnsaved: out.unsaved,
  };
}

/**
 * The options of a run that have no meaning for Message Batches, refused rather than ignored.
 * @throws UsageError naming the option and what to do
 */
function refuseNormalOnly(settings: RunSettings): void {
  const refuse = (flag: string, why: string) => {
    throw new UsageError(`${flag}: ${why}: leave it out with --engine batches`);
  };
  if (settings.stream) refuse('--stream', 'a Message Batch runs no stream (its results hold whole messages)');
  if (settings.limit !== undefined) {
    refuse('--limit', 'a Message Batch takes the whole file (a trial of a few lines is a normal run)');
  }
  if (settings.shard !== undefined) {
    refuse('--shard', "the batches run on the provider's fleet, not on N machines");
  }
}

function warnForeign(session: Session, foreign: number): void {
  if (foreign === 0) return;
  session.warn(
    `${session.out.file.shown} holds ${foreign} results for custom_ids that are not in ${session.input.shown}: kept as they are`,
  );
}

/**
 * Refuses a run of the normal engine on a results file whose job still has batches whose results are
 * not in it: their requests would be sent, and paid, twice.
 * @throws UsageError naming the job file and what to do
 */
export async function refusePendingJob(output: ShownPath, job: ShownPath | null): Promise<void> {
  const jobFile = job ?? { path: jobPathOf(output.path), shown: jobPathOf(output.shown) };
  const found = await readJobFile(jobFile.path, jobFile.shown);
  if (found === null || found.provider === 'mock' || found.output !== output.path) return;
  const pending = pendingBatches(found);
  if (pending.length === 0) return;
  throw new UsageError(
    `${jobFile.shown} has ${pending.length} batches whose results are not in ${output.shown} yet: write them first (lp-batch results ${jobFile.shown}, or run again with --engine batches), or cancel them (lp-batch cancel ${jobFile.shown}) and then write them; sending those requests now would pay for them twice`,
  );
}
