/**
 * The cases of `npm run bench`, each a function of the run's context that starts its own simulator
 * process(es), runs its contenders interleaved (A B C A B C ...) and answers its section of the JSON
 * result: medians with their spread (min, max) over the rounds.
 */
import { LP_BATCH } from './bench-contenders.js';
import { runMeasured, startSimulator } from './bench-spawn.js';
import { formatInt, round, stats } from './bench-util.js';

const CONTENDER_KEYS = { bare: 'bare', 'lp-batch': 'lp_batch', sdk: 'sdk' };

/** 20,000 small requests at -c 64, no latency: the three contenders side by side. */
export async function throughputCase(ctx) {
  const { opts } = ctx;
  return withSimulator({}, async (sim) => {
    const runs = await interleave(ctx, 'no latency', opts.rounds, Object.keys(CONTENDER_KEYS), (name) =>
      ctx.measure(name, sim, opts.n, opts.c),
    );
    return {
      n: opts.n,
      concurrency: opts.c,
      latency_ms: 0,
      rounds: opts.rounds,
      ...summarizeEach(runs),
      lp_batch_vs_bare: pairedRatio(runs['lp-batch'], runs.bare, (r) => r.reqPerSec),
      lp_batch_vs_sdk: pairedRatio(runs['lp-batch'], runs.sdk, (r) => r.reqPerSec),
      lp_batch_cpu_vs_bare: pairedRatio(runs['lp-batch'], runs.bare, (r) => r.cpuUsPerReq),
    };
  });
}

/** The same with the simulator answering after `latency-ms`: each contender against concurrency / latency. */
export async function latencyCase(ctx) {
  const { opts } = ctx;
  const n = opts['latency-n'];
  const idealReqPerSec = opts.c / (opts['latency-ms'] / 1000);
  return withSimulator({ 'latency-ms': opts['latency-ms'] }, async (sim) => {
    const runs = await interleave(
      ctx,
      `${opts['latency-ms']} ms`,
      opts['latency-rounds'],
      Object.keys(CONTENDER_KEYS),
      (name) => ctx.measure(name, sim, n, opts.c),
    );
    const vsIdeal = (name) => stats(runs[name].map((r) => r.reqPerSec / idealReqPerSec));
    return {
      n,
      concurrency: opts.c,
      latency_ms: opts['latency-ms'],
      rounds: opts['latency-rounds'],
      ideal_req_s: idealReqPerSec,
      ...summarizeEach(runs),
      bare_vs_ideal: vsIdeal('bare'),
      lp_batch_vs_ideal: vsIdeal('lp-batch'),
      sdk_vs_ideal: vsIdeal('sdk'),
    };
  });
}

/**
 * lp-batch against three simulators, interleaved: fault-free, 20 % random 529s, and issue 8's mix of
 * 20 % 529s and 5 % 429s with retry-after 1 s. A faulty run still going after `fault-cap-s` is stopped
 * and judged on the results it had written.
 */
export async function faultsCase(ctx) {
  const { opts } = ctx;
  const n = opts['fault-n'];
  const latency = { 'latency-ms': opts['fault-latency-ms'] };
  const variants = {
    clean: latency,
    overload: { ...latency, 'overload-rate': 0.2 },
    mix: { ...latency, 'overload-rate': 0.2, 'rate-limit-rate': 0.05 },
  };
  const sims = {};
  try {
    for (const [name, flags] of Object.entries(variants)) sims[name] = await startSimulator(flags);
    const runs = await interleave(ctx, 'faults', opts['fault-rounds'], Object.keys(variants), (name) =>
      ctx.measure(
        'lp-batch',
        sims[name],
        n,
        opts.c,
        name === 'clean' ? {} : { faults: true, timeoutMs: opts['fault-cap-s'] * 1000 },
      ),
    );
    const faulty = (name) => ({
      ...summarize(runs[name]),
      responses_529: stats(
        runs[name].map((r) => r.server.byStatus['529'] ?? 0),
        0,
      ),
      responses_429: stats(
        runs[name].map((r) => r.server.byStatus['429'] ?? 0),
        0,
      ),
    });
    return {
      n,
      concurrency: opts.c,
      latency_ms: opts['fault-latency-ms'],
      rounds: opts['fault-rounds'],
      cap_s: opts['fault-cap-s'],
      clean: summarize(runs.clean),
      overload: faulty('overload'),
      mix: faulty('mix'),
      // For the same n, the time ratio is the inverse throughput ratio (a capped run is projected).
      overload_time_vs_clean: pairedRatio(runs.clean, runs.overload, (r) => r.reqPerSec),
      mix_vs_clean: pairedRatio(runs.mix, runs.clean, (r) => r.reqPerSec),
    };
  } finally {
    await Promise.all(Object.values(sims).map((sim) => sim.close()));
  }
}

/** Issue 8: against a server that takes `capacity-max` at a time, -c 32 must draw few 529s. */
export async function capacityCase(ctx) {
  const { opts } = ctx;
  const n = opts['capacity-n'];
  const flags = { 'max-concurrent': opts['capacity-max'], 'latency-ms': opts['capacity-latency-ms'] };
  return withSimulator(flags, async (sim) => {
    const run = await ctx.measure('lp-batch', sim, n, opts['capacity-c'], {
      faults: true,
      timeoutMs: opts['fault-cap-s'] * 1000,
    });
    const capacityReqPerSec = opts['capacity-max'] / (opts['capacity-latency-ms'] / 1000);
    ctx.log(`bench: capacity: ${run.server.overCapacity} 529s of ${run.server.received} requests sent`);
    return {
      n,
      concurrency: opts['capacity-c'],
      max_concurrent: opts['capacity-max'],
      latency_ms: opts['capacity-latency-ms'],
      capped: run.capped,
      succeeded: run.succeeded,
      requests_sent: run.server.received,
      responses_529: run.server.overCapacity,
      rate_529: round(run.server.overCapacity / Math.max(1, run.server.received), 4),
      req_s: round(run.reqPerSec, 0),
      vs_capacity: round(run.reqPerSec / capacityReqPerSec),
    };
  });
}

/** Peak RSS of lp-batch on each size, then on a resume over the largest run's finished results. */
export async function memoryCase(ctx) {
  const { opts } = ctx;
  const sizes = opts['memory-sizes'];
  return withSimulator({}, async (sim) => {
    const runs = [];
    for (const n of sizes) {
      const run = await ctx.measure('lp-batch', sim, n, opts.c, {
        output: ctx.path(`memory-${n}.results.jsonl`),
      });
      runs.push(memoryFigures(run));
      ctx.log(`bench: memory ${formatInt(n)} lines: peak RSS ${mb(run.peakRssBytes)} MB`);
    }
    const largest = Math.max(...sizes);
    // The same input and output again: every result is already there, nothing is sent.
    const resume = await ctx.measure('lp-batch', sim, largest, opts.c, {
      output: ctx.path(`memory-${largest}.results.jsonl`),
      resume: true,
    });
    ctx.log(`bench: resume over ${formatInt(largest)} results: peak RSS ${mb(resume.peakRssBytes)} MB`);
    for (const n of sizes) ctx.remove(`memory-${n}.results.jsonl`);
    const peaks = runs.map((r) => r.peak_rss_mb);
    return {
      concurrency: opts.c,
      runs,
      resume: { ...memoryFigures(resume), requests_sent: resume.server.received },
      largest_vs_smallest: round(peaks.at(-1) / peaks[0]),
    };
  });
}

/** `lp-batch --version` and bare `node -e 0`, interleaved, wall time from spawn to exit. */
export async function startupCase(ctx) {
  const { opts } = ctx;
  const commands = { version: [LP_BATCH, '--version'], node: ['-e', '0'] };
  const runs = await interleave(
    ctx,
    'start-up',
    opts['startup-rounds'],
    Object.keys(commands),
    async (name) => {
      const run = await runMeasured({ args: commands[name], timeoutMs: 30_000 });
      if (run.code !== 0 || (name === 'version' && !/\d+\.\d+\.\d+/.test(run.stdout))) {
        throw new Error(
          `${commands[name].join(' ')}: exit code ${run.code}, printed ${JSON.stringify(run.stdout)}`,
        );
      }
      return { wallMs: run.wallMs };
    },
  );
  return {
    rounds: opts['startup-rounds'],
    lp_batch_version_ms: stats(
      runs.version.map((r) => r.wallMs),
      1,
    ),
    node_ms: stats(
      runs.node.map((r) => r.wallMs),
      1,
    ),
  };
}

/** `lp-batch estimate` on the largest text-only input, when the command exists. */
export async function estimateCase(ctx) {
  const help = await runMeasured({ args: [LP_BATCH, '--help'], timeoutMs: 30_000 });
  if (!/^\s*lp-batch estimate\b/m.test(help.stdout)) return { lines_per_s: 'n/a (no estimate command)' };
  const lines = Math.max(...ctx.opts['memory-sizes']);
  const input = await ctx.input(lines);
  const runs = await interleave(ctx, 'estimate', 3, ['estimate'], async () => {
    const run = await runMeasured({ args: [LP_BATCH, 'estimate', input], env: ctx.env, timeoutMs: 600_000 });
    if (run.code !== 0) throw new Error(`lp-batch estimate: exit code ${run.code}\n${run.stderr}`);
    return { reqPerSec: (lines / run.wallMs) * 1000 };
  });
  return {
    lines,
    lines_per_s: stats(
      runs.estimate.map((r) => r.reqPerSec),
      0,
    ),
  };
}

/** Runs `run(name, round)` for every name, round after round; logs each; answers runs by name. */
async function interleave(ctx, title, rounds, names, run) {
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      const result = await run(name, round);
      runs[name].push(result);
      const rate = result.reqPerSec === undefined ? '' : ` ${formatInt(result.reqPerSec)} req/s`;
      const time = result.wallMs === undefined ? '' : ` in ${formatInt(result.wallMs)} ms`;
      ctx.log(
        `bench: ${title}, round ${round}/${rounds}, ${name}:${rate}${time}${result.capped ? ' (capped)' : ''}`,
      );
    }
  }
  return runs;
}

async function withSimulator(flags, use) {
  const sim = await startSimulator(flags);
  try {
    return await use(sim);
  } finally {
    await sim.close();
  }
}

function summarizeEach(runs) {
  return Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [CONTENDER_KEYS[name], summarize(list)]),
  );
}

/** Medians and spread of one contender's runs; a figure no run has (a capped run's CPU) is null. */
function summarize(runs) {
  const of = (pick, digits) => {
    const values = runs.map(pick).filter((v) => v !== undefined);
    return values.length === 0 ? null : stats(values, digits);
  };
  return {
    req_s: of((r) => r.reqPerSec, 0),
    wall_s: of((r) => r.wallMs / 1000, 2),
    cpu_us_per_req: of((r) => r.cpuUsPerReq, 1),
    peak_rss_mb: of((r) => r.peakRssBytes && r.peakRssBytes / 1e6, 1),
    first_request_ms: of((r) => r.firstRequestMs, 0),
    // The simulator's CPU over the run's wall time: near 100, the server, not the client, was the limit.
    server_cpu_pct: of((r) => (r.server.cpuUs / 1000 / r.wallMs) * 100, 0),
    errored: runs.reduce((sum, r) => sum + r.errored, 0),
    capped_runs: runs.filter((r) => r.capped).length,
  };
}

/** Round by round a / b (the runs of one round ran back to back, so they saw the same noise). */
function pairedRatio(a, b, pick) {
  const ratios = a.map((run, i) => pick(run) / pick(b[i])).filter((v) => Number.isFinite(v));
  return ratios.length === 0 ? null : stats(ratios);
}

function memoryFigures(run) {
  return {
    lines: run.n,
    peak_rss_mb: run.peakRssBytes === undefined ? null : mb(run.peakRssBytes),
    wall_s: round(run.wallMs / 1000, 2),
    req_s: round(run.reqPerSec, 0),
  };
}

function mb(bytes) {
  return round(bytes / 1e6, 1);
}
