/**
 * What `submit` and `run --engine batches` share before the batches are created: the session of a
 * submission (the input, the results file, the job file, the gateway, from the options of a run),
 * the marks of a stopped run settled, and the `--max-cost` check of everything that would be submitted.
 */
import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import { batchApiOf, PROVIDERS, type ProviderName } from '../client/providers.js';
import type { SubmitSettings } from '../options/batches.js';
import { nanosToUsd, usdToNanos } from '../pricing/cost.js';
import { loadPriceTable } from '../pricing/price-file.js';
import type { Skipped } from '../run/run-files.js';
import type { RunStop, Shutdown } from '../run/shutdown.js';
import type { ReportFiles } from '../run/report-files.js';
import { checkRunPaths, reportFilesOf } from '../run/run-paths.js';
import type { ResultLine } from '../types.js';
import type { BatchConnection } from './batch-connection.js';
import { openJobForSubmit } from './open-job.js';
import type { PhasePlan } from './phases.js';
import { jobLineDefaults, lineDefaultsOfJob } from './job-file.js';
import { fileInput, jobFileOf, type Session, type WritingSpec } from './session.js';
import { lineDefaultsOf } from '../run/run-files.js';
import { settleMarks, type SubmitContext, worstCaseOfSubmission } from './submit-pass.js';

/** The options of a submission, whichever command makes it (`submit`, or a batches run). */
export type SubmissionSettings = SubmitSettings & {
  summary?: string | undefined;
  junit?: string | undefined;
};

export interface SubmissionCall {
  settings: SubmissionSettings;
  inputPath: string;
  outputPath: string;
  apiKey: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: () => NodeJS.ReadableStream;
  clock: Clock;
  shutdown: Shutdown;
  plan: PhasePlan;
  onWarning?: ((message: string) => void) | undefined;
  onResult?: ((line: ResultLine) => void) | undefined;
}

/**
 * The session spec of a submission: every path checked (the job file is one more output), the batch
 * API known (a provider without one is refused here, before anything is sent), the prices loaded.
 * @throws UsageError for a path, a provider or a price file that cannot be used
 */
export async function submissionSpec(
  call: SubmissionCall,
): Promise<{ spec: WritingSpec; files: ReportFiles }> {
  const { settings, cwd } = call;
  const input = fileInput(call.inputPath, cwd, call.stdin);
  const output = { path: resolve(cwd, call.outputPath), shown: call.outputPath };
  const jobFile = jobFileOf(output, settings.job, cwd);
  const files = reportFilesOf(settings, output, cwd);
  checkRunPaths(input, output, files, [], jobFile);
  const batchApi = batchApiOf(settings.provider, settings.batchPath);
  const prices = await loadPriceTable({ file: settings.pricing, cwd, tier: 'batch' });
  const spec: WritingSpec = {
    input,
    output,
    jobFile,
    connection: { ...settings, batchApi },
    apiKey: call.apiKey,
    env: call.env,
    clock: call.clock,
    shutdown: call.shutdown,
    prices,
    overwrite: settings.overwrite,
    onWarning: call.onWarning,
    onResult: call.onResult,
    openJob: (connection) =>
      openJobForSubmit(
        jobFile,
        {
          provider: settings.provider,
          baseUrl: baseUrlOf(settings.provider, settings.baseUrl, connection),
          batchApi,
          input: input.path,
          output: output.path,
          lineDefaults: jobLineDefaults(lineDefaultsOf(settings, connection.connection.endpoint)),
          pricing: settings.pricing === undefined ? null : resolve(cwd, settings.pricing),
          phases: call.plan.phases,
        },
        {
          overwrite: settings.overwrite,
          clock: call.clock,
          warn: (message) => call.onWarning?.(connection.redact(message)),
        },
      ),
  };
  return { spec, files };
}

/** The submit context of a session, with the submission's options. */
export function submitContextOf(
  session: Session,
  settings: SubmissionSettings,
  plan: PhasePlan,
): SubmitContext {
  return {
    ...session,
    defaults: lineDefaultsOfJob(session.job),
    skipErrored: settings.skipErrored,
    plan,
    limits: { maxRequests: settings.batchMaxRequests, maxBytes: settings.batchMaxBytes },
    budgeted: settings.maxCost !== undefined,
  };
}

/** Whether a submission may go on: `stop` (`budget`) when it may not, with the requests it leaves. */
export interface SubmissionCheck {
  stop: RunStop | null;
  /** The requests a refused submission did not submit; none when it goes on. */
  skipped: Skipped;
}

/**
 * Settles what a stopped run left (batches marked as being created), then, under `--max-cost`,
 * checks the worst case of everything the job would submit: over the budget, nothing is submitted
 * (a batch cannot be stopped halfway through its requests, so all of them or none).
 */
export async function prepareSubmission(
  ctx: SubmitContext,
  maxCost: number | undefined,
): Promise<SubmissionCheck> {
  const none = { count: 0, custom_ids: [] };
  await settleMarks(ctx.job, ctx.jobFile, ctx.api, ctx.warn);
  if (maxCost === undefined) return { stop: null, skipped: none };
  const worst = await worstCaseOfSubmission(ctx);
  if (worst.nanos <= usdToNanos(maxCost)) return { stop: null, skipped: none };
  const stop: RunStop = {
    reason: 'budget',
    message: `the worst case of what would be submitted is $${nanosToUsd(worst.nanos).toFixed(6)} at the batch price, over --max-cost $${maxCost}: nothing was submitted`,
  };
  return { stop, skipped: worst.requests };
}

/** Where a new job's batches are: the base URL without its trailing slash (the simulator's for `mock`). */
function baseUrlOf(provider: ProviderName, baseUrl: string | undefined, connection: BatchConnection): string {
  if (provider === 'mock') return connection.connection.endpoint.url.origin;
  return (baseUrl ?? PROVIDERS[provider].baseUrl).replace(/\/+$/, '');
}
