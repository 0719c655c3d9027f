/**
 * The job file of the Message Batches engine (`OUT.jsonl.job.json`, or `--job FILE`): where the
 * batches of a job are, and what each holds, so that the later commands and a run started again need
 * nothing else. It holds no key and no header. Replaced whole, atomically, at each change.
 *
 * A batch is recorded before it is created (`id: null`, with its requests): a run killed between the
 * create call and the record of its answer leaves that mark, and the next run looks for the batch the
 * call may have created before it sends those requests again (./orphans.ts).
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { z } from 'zod';
import { type BatchDialect, PROVIDER_NAMES, type ProviderName } from '../client/providers.js';
import { BatchJobError } from '../errors.js';
import { describeFailure, expecting, formatPath } from '../input/schema-kit.js';
import type { LineDefaults } from '../input/parse-line.js';
import { writeFileAtomically } from '../output/atomic-file.js';

/** The version of the job file's shape, its first field. */
export const JOB_FILE_VERSION = 1;

/** What a batch holds of one request: its input line and the hash of its params as submitted. */
export interface SubmittedRequest {
  line: number;
  paramsHash: string;
}

export interface JobBatch {
  /** The phase of the job's plan it belongs to, from 0 (see ./phases.ts). */
  phase: number;
  /** The gateway's id; null while the batch is being created (see the top of this file). */
  id: string | null;
  /** When its creation was asked for, ISO 8601 (this machine's clock). */
  submitted_at: string;
  /** Whether its results are in the job's output file. */
  results_written: boolean;
  /** custom_id → what the batch holds of that request. */
  requests: Map<string, SubmittedRequest>;
}

export interface Job {
  /** When the job's first batch was submitted, ISO 8601: `--deadline` counts from here. */
  created_at: string;
  provider: ProviderName;
  /** The base URL the batches are at (the provider's, or `--base-url`): never with credentials. */
  base_url: string;
  /** The batches collection's path, appended to `base_url`, and how the gateway speaks. */
  batch_path: string;
  batch_dialect: BatchDialect;
  /** Absolute paths in memory; relative to the job file's folder in the file, so that a moved folder still works. */
  input: string;
  output: string;
  /** The line fill-ins the requests were read with (`--model`, `--max-tokens`, an interleaved-thinking beta). */
  line_defaults: { model: string | null; max_tokens: number | null; interleaved_thinking: boolean };
  /** `--pricing FILE` as given at submission (absolute in memory), or null for the built-in table. */
  pricing: string | null;
  /** Phases of the plan: the batches of phase k are submitted once those of phase k - 1 have ended. */
  phases: number;
  batches: JobBatch[];
}

/** The default job file of a results file: beside it, `<output>.job.json`. */
export function jobPathOf(output: string): string {
  return `${output}.job.json`;
}

const nonEmpty = z.string(expecting('a non-empty string')).min(1, expecting('a non-empty string'));
const count = (min: number) =>
  z
    .number(expecting(`a whole number >= ${min}`))
    .int(expecting(`a whole number >= ${min}`))
    .min(min, {
      error: (issue) => describeFailure(`a whole number >= ${min}`, issue.input),
    });

const requestSchema = z.tuple([nonEmpty, count(1), nonEmpty], expecting('[custom_id, line, params_hash]'));

const batchSchema = z.object(
  {
    phase: count(0),
    id: nonEmpty.nullable(),
    submitted_at: nonEmpty,
    results_written: z.boolean(expecting('true or false')),
    requests: z.array(requestSchema, expecting('an array of [custom_id, line, params_hash]')),
  },
  expecting('a batch object'),
);

const jobSchema = z.object(
  {
    lp_batch_job: z.literal(JOB_FILE_VERSION, expecting(String(JOB_FILE_VERSION))),
    created_at: nonEmpty,
    provider: z.enum(PROVIDER_NAMES, expecting(`one of ${PROVIDER_NAMES.join(' | ')}`)),
    base_url: nonEmpty,
    batch_path: nonEmpty,
    batch_dialect: z.enum(['anthropic', 'aiml'], expecting('"anthropic" or "aiml"')),
    input: nonEmpty,
    output: nonEmpty,
    line_defaults: z.object(
      {
        model: z.string(expecting('a string or null')).nullable(),
        max_tokens: count(1).nullable(),
        interleaved_thinking: z.boolean(expecting('true or false')),
      },
      expecting('an object'),
    ),
    pricing: z.string(expecting('a string or null')).nullable(),
    phases: count(1),
    batches: z.array(batchSchema, expecting('an array of batches')),
  },
  expecting('an lp-batch job object'),
);

/**
 * The job in the file at `path` (as `shown` in messages), or null when there is none.
 * @throws BatchJobError naming the file and the field when it is not an lp-batch job file
 */
export async function readJobFile(path: string, shown: string): Promise<Job | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BatchJobError(`cannot read the job file ${shown}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BatchJobError(`${shown}: not an lp-batch job file: not JSON (${(error as Error).message})`);
  }
  const parsed = jobSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = formatPath('', issue?.path ?? []).replace(/^\./, '');
    throw new BatchJobError(
      `${shown}: not an lp-batch job file: ${at === '' ? '' : `${at}: `}${issue?.message}`,
    );
  }
  const data = parsed.data;
  const folder = dirname(path);
  return {
    ...data,
    input: resolve(folder, data.input),
    output: resolve(folder, data.output),
    pricing: data.pricing === null ? null : resolve(folder, data.pricing),
    batches: data.batches.map((batch) => ({
      ...batch,
      requests: new Map(batch.requests.map(([id, line, paramsHash]) => [id, { line, paramsHash }])),
    })),
  };
}

/** Replaces the job file at `path` with `job`, atomically (a crash leaves the old file or the new one). */
export async function writeJobFile(path: string, job: Job): Promise<void> {
  await writeFileAtomically(path, formatJob(job, dirname(path)));
}

/** Stands for a batch's request list in the indented JSON until the list is put in, one request a line. */
const REQUESTS_MARK = '\u0000requests:';

/** The job as the file holds it: indented JSON, each batch's requests one `[custom_id, line, params_hash]` a line. */
function formatJob(job: Job, folder: string): string {
  const data = {
    lp_batch_job: JOB_FILE_VERSION,
    ...job,
    input: relative(folder, job.input),
    output: relative(folder, job.output),
    pricing: job.pricing === null ? null : relative(folder, job.pricing),
    batches: job.batches.map((batch, i) => ({ ...batch, requests: `${REQUESTS_MARK}${i}` })),
  };
  return `${JSON.stringify(data, null, 2).replace(/"\\u0000requests:(\d+)"/g, (_, i: string) => {
    const requests = job.batches[Number(i)]?.requests ?? new Map<string, SubmittedRequest>();
    const lines = [...requests].map(([id, { line, paramsHash }]) => JSON.stringify([id, line, paramsHash]));
    return lines.length === 0 ? '[]' : `[\n        ${lines.join(',\n        ')}\n      ]`;
  })}\n`;
}

/** Batches whose results are not yet in the output: being created, running, or ended and not downloaded. */
export function pendingBatches(job: Job): JobBatch[] {
  return job.batches.filter((batch) => !batch.results_written);
}

/** The line fill-ins a job's lines are read with, as the intake takes them. */
export function lineDefaultsOfJob(job: Job): LineDefaults {
  const { model, max_tokens, interleaved_thinking } = job.line_defaults;
  return {
    model: model ?? undefined,
    maxTokens: max_tokens ?? undefined,
    interleavedThinking: interleaved_thinking,
  };
}

/** The line fill-ins of a run (`lineDefaultsOf` of ../run/run-files.ts) as the job file keeps them. */
export function jobLineDefaults(defaults: LineDefaults): Job['line_defaults'] {
  return {
    model: defaults.model ?? null,
    max_tokens: defaults.maxTokens ?? null,
    interleaved_thinking: defaults.interleavedThinking === true,
  };
}
