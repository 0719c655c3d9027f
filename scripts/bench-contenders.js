/**
 * The three contenders and one measured run of any of them: a fresh child process against a
 * simulator, its output checked (one result per request, none errored unless faults were injected).
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runMeasured } from './bench-spawn.js';
import { countResults } from './bench-util.js';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
export const LP_BATCH = fileURLToPath(new URL('../bin/lp-batch.js', import.meta.url));

/** What every contender finds in its environment: a key (lp-batch and the SDK both read this one). */
export const BENCH_ENV = { ANTHROPIC_API_KEY: 'sk-bench-not-a-real-key-0123456789' };

export const CONTENDERS = {
  bare: {
    label: 'bare undici loop',
    args: ({ input, url, c }) => [here('bench-bare.js'), input, url, String(c)],
    count: (run) => {
      const { succeeded, errored } = JSON.parse(run.stdout.trim().split('\n').at(-1) || '{}');
      return { lines: succeeded + errored, distinct: succeeded + errored, succeeded, errored };
    },
  },
  'lp-batch': {
    label: 'lp-batch run',
    // Exactly as a user runs it: the built CLI, progress off, output file on.
    args: ({ input, output, url, c }) => [
      LP_BATCH,
      'run',
      input,
      output,
      '--provider',
      'anthropic',
      '--base-url',
      url,
      '-c',
      String(c),
      '--progress',
      'none',
    ],
    count: (_run, output) => countResults(output),
  },
  sdk: {
    label: 'SDK + p-limit',
    args: ({ input, output, url, c }) => [here('bench-sdk.js'), input, output, url, String(c)],
    count: (_run, output) => countResults(output),
  },
};

/** The bench itself broke (a contender crashed, lost or doubled results): not a figure, a failure. */
export class BenchBroken extends Error {}

/**
 * One run of contender `name` on `input` (`n` requests) at concurrency `c` against `sim`. The output
 * starts empty unless `resume`. With `faults`, errored results are allowed and a run still going at
 * `timeoutMs` is stopped and judged on what it finished (`capped`); otherwise either breaks the bench.
 * Resolves with req/s (succeeded per second of the child's wall time, start-up included), the
 * child's CPU per request and peak RSS, what the server saw, and the time to the first request.
 */
export async function measureRun(
  name,
  { sim, input, output, n, c, timeoutMs, rusageFile, faults = false, resume = false },
) {
  const contender = CONTENDERS[name];
  if (!resume) rmSync(output, { force: true });
  await sim.stats(); // starts a fresh window of server counts
  const run = await runMeasured({
    args: contender.args({ input, output, url: sim.url, c }),
    env: BENCH_ENV,
    timeoutMs,
    rusageFile,
  });
  const server = await sim.stats();
  const counts = await contender.count(run, output);
  const where = `${contender.label} (${n} requests, -c ${c})`;
  const capped = run.timedOut && faults;
  if (run.timedOut && !faults) throw new BenchBroken(`${where}: no exit within ${timeoutMs} ms`);
  if (!capped) {
    const okCodes = faults ? [0, 1] : [0];
    if (!okCodes.includes(run.code)) {
      throw new BenchBroken(`${where}: exit code ${run.code} (signal ${run.signal})\n${run.stderr}`);
    }
    if (counts.lines !== n || counts.distinct !== n) {
      throw new BenchBroken(
        `${where}: ${counts.lines} result lines, ${counts.distinct} distinct custom_ids, expected ${n}\n${run.stderr}`,
      );
    }
    if (counts.errored > 0 && !faults) {
      throw new BenchBroken(
        `${where}: ${counts.errored} errored against a fault-free simulator\n${run.stderr}`,
      );
    }
  }
  const wallMs = run.wallMs;
  return {
    contender: name,
    n,
    c,
    capped,
    wallMs,
    reqPerSec: (counts.succeeded / wallMs) * 1000,
    succeeded: counts.succeeded,
    errored: counts.errored,
    cpuUsPerReq: run.rusage ? run.rusage.cpuUs / Math.max(1, counts.succeeded) : undefined,
    peakRssBytes: run.rusage?.maxRssBytes,
    firstRequestMs: server.firstAt > 0 ? server.firstAt - run.startedAt : undefined,
    server,
  };
}
