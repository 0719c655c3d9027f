/**
 * Which job a command works on. A submission continues the job in its job file when that job is for
 * the same input, output and gateway (a run started again), or begins a new one; the commands that
 * read a job file (`status`, `cancel`, `results`) need one that exists and whose batches still do.
 */
import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Clock } from '../clock.js';
import type { BatchApiSpec, ProviderName } from '../client/providers.js';
import { BatchJobError } from '../errors.js';
import type { ShownPath } from '../types.js';
import { type Job, pendingBatches, readJobFile } from './job-file.js';

/** What makes a job this submission's. */
export interface JobIdentity {
  provider: ProviderName;
  /** The base URL as resolved (the provider's, or `--base-url`). */
  baseUrl: string;
  batchApi: BatchApiSpec;
  /** Absolute paths. */
  input: string;
  output: string;
  lineDefaults: Job['line_defaults'];
  pricing: string | null;
  phases: number;
}

/**
 * The job of `jobFile` for a submission: the one in the file, checked to be this input's, output's
 * and gateway's, or a new one (not written until its first batch is). With `overwrite` the job file
 * is removed, but only when no batch of it is pending (its results would be paid and lost).
 * @throws BatchJobError naming the file, what differs and what to do
 */
export async function openJobForSubmit(
  jobFile: ShownPath,
  identity: JobIdentity,
  opts: { overwrite: boolean; clock: Clock; warn: (message: string) => void },
): Promise<Job> {
  const existing = await readJobFile(jobFile.path, jobFile.shown);
  const fresh = (): Job => newJob(identity, opts.clock);
  if (existing === null) return fresh();
  const pending = pendingBatches(existing);
  if (existing.provider === 'mock') {
    // The simulator of `--provider mock` lived in the run that made the job: its batches are gone.
    if (pending.length > 0) {
      opts.warn(
        `${jobFile.shown}: the built-in simulator that ran ${pending.length} batches of an earlier run is gone: their requests are submitted again`,
      );
    }
    return fresh();
  }
  if (opts.overwrite) {
    if (pending.length > 0) {
      throw new BatchJobError(
        `--overwrite would forget ${pending.length} batches of ${jobFile.shown} whose results are not written yet (${idsOf(pending)}): get them first (lp-batch results ${jobFile.shown}) or cancel them (lp-batch cancel ${jobFile.shown})`,
      );
    }
    await rm(jobFile.path, { force: true });
    return fresh();
  }
  const differs = differenceOf(existing, identity);
  if (differs !== null) {
    throw new BatchJobError(
      `${jobFile.shown} is the job of ${differs}: name another job file with --job, or remove this one once its results are written (lp-batch status ${jobFile.shown})`,
    );
  }
  return {
    ...existing,
    line_defaults: identity.lineDefaults,
    pricing: identity.pricing,
    phases: identity.phases,
  };
}

/**
 * The job of `jobFile` for a command that reads it.
 * @throws BatchJobError when there is none, or when its batches were the built-in simulator's
 */
export async function openJobForCommand(jobFile: ShownPath): Promise<Job> {
  const job = await readJobFile(jobFile.path, jobFile.shown);
  if (job === null) {
    throw new BatchJobError(
      `no job file at ${jobFile.shown}: name the file \`lp-batch submit\` or \`lp-batch run --engine batches\` wrote (OUTPUT.job.json)`,
    );
  }
  if (job.provider === 'mock') {
    throw new BatchJobError(
      `${jobFile.shown}: its batches were on the built-in simulator of the run that made them, which is gone; use \`lp-batch run --engine batches --provider mock\` (one process), or a simulator that stays up (lp-batch mock-server) with --provider anthropic --base-url`,
    );
  }
  return job;
}

function newJob(identity: JobIdentity, clock: Clock): Job {
  return {
    created_at: new Date(clock.nowEpochMs()).toISOString(),
    provider: identity.provider,
    base_url: identity.baseUrl,
    batch_path: identity.batchApi.path,
    batch_dialect: identity.batchApi.dialect,
    input: identity.input,
    output: identity.output,
    line_defaults: identity.lineDefaults,
    pricing: identity.pricing,
    phases: identity.phases,
    batches: [],
  };
}

/** What makes `job` another submission's than `identity`, in words, or null. */
function differenceOf(job: Job, identity: JobIdentity): string | null {
  const here = process.cwd();
  if (job.input !== identity.input) return `another input (${relative(here, job.input)})`;
  if (job.output !== identity.output) return `another results file (${relative(here, job.output)})`;
  if (job.provider !== identity.provider || job.base_url !== identity.baseUrl) {
    return `another gateway (--provider ${job.provider} at ${job.base_url})`;
  }
  if (job.batch_path !== identity.batchApi.path) return `another --batch-path (${job.batch_path})`;
  return null;
}

function idsOf(batches: readonly Job['batches'][number][]): string {
  return batches.map((batch) => batch.id ?? '(being created)').join(', ');
}
