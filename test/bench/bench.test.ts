/**
 * `npm run bench` as a person runs it, on tiny sizes: every case runs, every figure is in the JSON
 * line and in the results file. It checks the instrument, not lp-batch's speed (that is what the
 * bench's own targets are for).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/run-helpers.js';

const BENCH = join(import.meta.dirname, '../../scripts/bench.js');

/**
 * Tiny sizes, one round each; fault runs capped at 10 s: lp-batch's backoff sets their pace (a second
 * or two), and a loaded machine must not cut them before their first result.
 */
const TINY = [
  '--rounds 1 --n 100',
  '--latency-rounds 1 --latency-n 100 --latency-ms 20',
  '--fault-rounds 1 --fault-n 20 --fault-latency-ms 0 --fault-cap-s 10',
  '--capacity-n 20 --capacity-latency-ms 5',
  '--memory-sizes 50,100 --startup-rounds 1',
].flatMap((flags) => flags.split(' '));

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BENCH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Every figure the bench promises, as paths into the JSON line; each must be a finite number.
const RATES = [
  'req_s.median',
  'req_s.min',
  'req_s.max',
  'wall_s.median',
  'first_request_ms.median',
  'server_cpu_pct.median',
];
const MEASURED = [...RATES, 'cpu_us_per_req.median', 'peak_rss_mb.median'];
const FIGURES = [
  'machine.cpus',
  'machine.load_start',
  ...['bare', 'lp_batch', 'sdk'].flatMap((c) => MEASURED.map((f) => `throughput.${c}.${f}`)),
  'throughput.lp_batch_vs_bare.median',
  'throughput.lp_batch_vs_sdk.median',
  'throughput.lp_batch_cpu_vs_bare.median',
  ...['bare', 'lp_batch', 'sdk'].flatMap((c) => MEASURED.map((f) => `latency.${c}.${f}`)),
  'latency.ideal_req_s',
  'latency.lp_batch_vs_ideal.median',
  ...RATES.map((f) => `faults.clean.${f}`),
  ...['overload', 'mix'].flatMap((v) =>
    ['req_s.median', 'responses_529.median', 'responses_429.median', 'capped_runs'].map(
      (f) => `faults.${v}.${f}`,
    ),
  ),
  'faults.overload_time_vs_clean.median',
  'faults.mix_vs_clean.median',
  'capacity.requests_sent',
  'capacity.responses_529',
  'capacity.rate_529',
  'capacity.req_s',
  'memory.runs.0.peak_rss_mb',
  'memory.runs.1.peak_rss_mb',
  'memory.resume.peak_rss_mb',
  'memory.resume.requests_sent',
  'memory.largest_vs_smallest',
  'startup.lp_batch_version_ms.median',
  'startup.node_ms.median',
  'estimate.lines',
  'estimate.lines_per_s.median',
];

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);

describe('npm run bench', () => {
  it('runs every case on tiny sizes and reports every figure as a JSON line and in the results file', async () => {
    const results = join(tmp.dir, 'RESULTS.md');
    const run = await runBench([...TINY, '--results', results]);
    // The bench needs dist/ (npm test builds it first); its stderr says what went wrong.
    expect(run.code, run.stderr).toBe(0);

    const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    const result: unknown = JSON.parse(line?.slice('BENCH_RESULT '.length) ?? 'null');
    const missing = FIGURES.filter((path) => !Number.isFinite(at(result, path)));
    expect(missing).toEqual([]);

    // The contenders all did the whole job, and the simulator injected what each case asked for.
    expect(at(result, 'throughput.lp_batch.errored')).toBe(0);
    expect(at(result, 'memory.resume.requests_sent')).toBe(0);
    expect(at(result, 'faults.clean.responses_529')).toBeUndefined();
    const faultsSeen = (variant: string) =>
      Number(at(result, `faults.${variant}.responses_529.median`)) +
      Number(at(result, `faults.${variant}.responses_429.median`));
    expect(faultsSeen('overload')).toBeGreaterThan(0);
    expect(faultsSeen('mix')).toBeGreaterThan(0);
    // lp-batch estimate exists, so the bench times it, on the largest memory size (--memory-sizes 50,100).
    expect(at(result, 'estimate.lines')).toBe(100);

    // Every target of issue 11 and issue 8 point 16 is judged: met, missed, or n/a with a reason.
    const targets = at(result, 'targets') as { figure: string; met: boolean | null; target: string | null }[];
    // Eleven targets, plus one peak RSS row per memory size.
    expect(targets.map((t) => t.figure)).toHaveLength(11 + 2);
    for (const t of targets) expect([true, false, null]).toContain(t.met);
    expect(run.stdout).toMatch(/lp-batch \/ bare undici\s+\d/);

    const markdown = readFileSync(results, 'utf8');
    expect(markdown).toContain(`Node ${process.version}`);
    expect(markdown).toContain('| lp-batch run |');
    expect(markdown).toContain(line);
  }, 60_000);

  it('runs only the cases --cases names, and leaves the results file as it is', async () => {
    const results = join(tmp.dir, 'RESULTS.md');
    const run = await runBench([...TINY, '--cases', 'capacity', '--results', results]);
    expect(run.code, run.stderr).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    const result = JSON.parse(line?.slice('BENCH_RESULT '.length) ?? 'null') as Record<string, unknown>;
    expect(Number.isFinite(at(result, 'capacity.rate_529'))).toBe(true);
    expect(Object.keys(result).filter((key) => key in { throughput: 1, faults: 1, memory: 1 })).toEqual([]);
    expect(() => readFileSync(results, 'utf8')).toThrow();
    expect(run.stderr).toContain('only capacity');
  }, 60_000);

  it('refuses an unknown flag with one line and exit 2, before starting anything', async () => {
    const run = await runBench(['--rouns', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('got `--rouns`');
    expect(run.stdout).toBe('');
  });
});
