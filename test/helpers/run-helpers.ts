/** Shared set-up for tests that run files: temp folders, input files, result reading, a clock that never sleeps. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import type { MockServer } from '../../src/mock/server.js';
import type { ResultEntry } from '../../src/output/results-scan.js';
import { type RunBatchOptions, type RunBatchReport, runBatchWith } from '../../src/run/run-batch.js';
import type { ErrorBody, Message, ResultLine, Usage } from '../../src/types.js';

export const TEST_KEY = 'sk-test-SECRET-0123456789abcdef';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lp-batch-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Batches-format line asking `prompt` of `model`. */
export function requestLine(custom_id: string, prompt: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id,
    params: {
      model: 'claude-3-haiku-20240307',
      max_tokens: 50,
      messages: [{ role: 'user', content: prompt }],
      ...extra,
    },
  });
}

export function writeInput(dir: string, lines: string[], name = 'in.jsonl'): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export function readResults(path: string): ResultLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultLine);
}

export function byId(results: ResultLine[]): Map<string, ResultLine> {
  return new Map(results.map((r) => [r.custom_id, r]));
}

/**
 * A clock whose sleeps return at once, are recorded, and move its time forward by what they
 * slept (so waits computed from `now()` are over when the sleep returns, as with a real clock).
 */
export type InstantClock = Clock & { sleeps: number[] };

export function instantClock(): InstantClock {
  const sleeps: number[] = [];
  let skipped = 0;
  return {
    sleeps,
    now: () => performance.now() + skipped,
    nowEpochMs: () => Date.now() + skipped,
    random: () => 0.5,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      skipped += Math.max(0, ms);
      return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
    },
  };
}

/** Runs `lines` against `server` with an instant clock; returns the report, results and warnings. */
export async function runLines<C extends Clock = InstantClock>(
  server: MockServer,
  dir: string,
  lines: string[],
  opts: Partial<RunBatchOptions> & { clock?: C } = {},
): Promise<{
  report: RunBatchReport;
  results: ResultLine[];
  warnings: string[];
  clock: C;
  output: string;
}> {
  const { clock = instantClock() as unknown as C, ...options } = opts;
  const warnings: string[] = [];
  const inputPath = writeInput(dir, lines);
  const output = opts.outputPath ?? join(dir, 'out.jsonl');
  const report = await runBatchWith(
    {
      inputPath,
      outputPath: output,
      provider: 'anthropic',
      baseUrl: server.url,
      apiKey: TEST_KEY,
      onWarning: (w) => warnings.push(w),
      ...options,
    },
    { clock, env: {} },
  );
  return { report, results: readResults(output), warnings, clock, output };
}

/** A result line read without knowing its kind: the fields of both, optional where they differ. */
export interface AnyResult {
  custom_id: string;
  line: number;
  result: { type: string; message: Message; error: ErrorBody };
  status: number | null;
  attempts: number;
  latency_ms: number;
  usage: Usage;
  cost_usd: number | null;
  ttft_ms?: number;
  params_hash?: string;
}

/** An earlier result as the resume index keeps it: `custom_id`, its kind and its params' hash. */
export function priorResult(
  custom_id: string,
  type: 'succeeded' | 'errored',
  params_hash: string | null,
): ResultEntry {
  return {
    custom_id,
    type,
    params_hash,
    line: 1,
    usage: null,
    model: null,
    error_type: null,
    error_kind: null,
    metadata_hash: null,
    batch: false,
    offset: 0,
    length: 1,
  };
}
