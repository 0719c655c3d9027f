/**
 * What the benchmark shows: every figure beside its target (met / missed), as a table on stdout, as
 * one JSON line (`BENCH_RESULT {...}`), and as bench/RESULTS.md with the machine it ran on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatInt, formatRows } from './bench-util.js';

/**
 * The targets of issue 11's table and issue 8 point 16, judged on the medians. `at least` / `at most`
 * compare with >= / <=, `under` with <. A figure without a target is reported with status `-`.
 */
export function judgeTargets(result) {
  const { throughput: t, latency: l, faults: f, capacity: cap, memory: m, startup: s, estimate: e } = result;
  const rows = [
    target('throughput, no latency: lp-batch / bare undici', t.lp_batch_vs_bare, 'at least', 0.85, 'x'),
    target('throughput, no latency: lp-batch / SDK + p-limit', t.lp_batch_vs_sdk, 'at least', 6, 'x'),
    target(
      `throughput at ${l.latency_ms} ms: lp-batch / (concurrency / latency)`,
      l.lp_batch_vs_ideal,
      'at least',
      0.98,
      '',
    ),
    target('20 % 529s: time / fault-free time', f.overload_time_vs_clean, undefined, undefined, 'x'),
    target('20 % 529s + 5 % 429s: throughput / fault-free', f.mix_vs_clean, 'at least', 0.5, ''),
    target(
      `server takes ${cap.max_concurrent}, -c ${cap.concurrency}: 529s / requests sent`,
      cap.rate_529,
      'at most',
      0.1,
      '',
    ),
    ...m.runs.map((r) => target(`peak RSS, ${formatInt(r.lines)} lines`, r.peak_rss_mb, 'under', 100, ' MB')),
    target('peak RSS, largest / smallest input (flat)', m.largest_vs_smallest, 'at most', 1.2, 'x'),
    target(
      `peak RSS, resume over ${formatInt(m.resume.lines)} results`,
      m.resume.peak_rss_mb,
      'under',
      100,
      ' MB',
    ),
    target(
      `lp-batch --version (node -e 0: ${s.node_ms.median} ms)`,
      s.lp_batch_version_ms,
      'under',
      100,
      ' ms',
    ),
    target(
      `client CPU per request, whole process (bare loop: ${t.bare.cpu_us_per_req?.median} us)`,
      t.lp_batch.cpu_us_per_req,
      'at most',
      55,
      ' us',
    ),
    target('lp-batch estimate, text-only lines', e.lines_per_s, 'at least', 200_000, ' lines/s'),
  ];
  return rows;
}

/** `measured` is a number, a `{ median, min, max }`, or a string saying why there is none. */
function target(figure, measured, comparison, bound, unit) {
  const value = typeof measured === 'object' && measured !== null ? measured.median : measured;
  const known = typeof value === 'number' && Number.isFinite(value);
  let met = null;
  if (known && comparison === 'at least') met = value >= bound;
  if (known && comparison === 'at most') met = value <= bound;
  if (known && comparison === 'under') met = value < bound;
  return {
    figure,
    value: known ? value : (value ?? null),
    unit: unit.trim(),
    spread:
      typeof measured === 'object' && measured !== null ? { min: measured.min, max: measured.max } : null,
    target: comparison ? `${comparison} ${bound}${unit}` : null,
    met,
  };
}

/** The human-readable tables: every contender's medians and spread, then the targets. */
export function renderTables(result) {
  const { throughput: t, latency: l, faults: f, capacity: cap, memory: m, startup: s } = result;
  const spread = (st, digits = 0) => (st ? `${fmt(st.min, digits)} .. ${fmt(st.max, digits)}` : '');
  const contenderRows = (section, title) => [
    [
      title,
      'req/s median',
      'req/s min .. max',
      'CPU us/req',
      'peak RSS MB',
      'first request ms',
      'server CPU %',
    ],
    ...[
      ['bare undici loop', section.bare],
      ['lp-batch run', section.lp_batch],
      ['SDK + p-limit', section.sdk],
    ].map(([label, c]) => [
      label,
      fmt(c.req_s.median),
      spread(c.req_s),
      fmt(c.cpu_us_per_req?.median, 1),
      fmt(c.peak_rss_mb?.median, 1),
      fmt(c.first_request_ms?.median),
      fmt(c.server_cpu_pct?.median),
    ]),
  ];
  const faultRows = [
    [
      `lp-batch, ${f.n} requests, -c ${f.concurrency}, ${f.latency_ms} ms`,
      'req/s median',
      'req/s min .. max',
      '529s',
      '429s',
      'capped runs',
    ],
    ['fault-free', fmt(f.clean.req_s.median), spread(f.clean.req_s), '0', '0', String(f.clean.capped_runs)],
    ...[
      ['20 % 529s', f.overload],
      ['20 % 529s + 5 % 429s (retry-after 1 s)', f.mix],
    ].map(([label, v]) => [
      label,
      fmt(v.req_s.median),
      spread(v.req_s),
      fmt(v.responses_529.median),
      fmt(v.responses_429.median),
      String(v.capped_runs),
    ]),
  ];
  const otherRows = [
    ['other figures', 'value'],
    [
      `server takes ${cap.max_concurrent} (${cap.latency_ms} ms), lp-batch -c ${cap.concurrency}, ${cap.n} requests`,
      `${cap.responses_529} 529s of ${cap.requests_sent} sent (${(cap.rate_529 * 100).toFixed(1)} %), ${fmt(cap.req_s)} req/s = ${cap.vs_capacity}x capacity${cap.capped ? ' (capped)' : ''}`,
    ],
    ...m.runs.map((r) => [
      `lp-batch on ${formatInt(r.lines)} lines, -c ${m.concurrency}`,
      `peak RSS ${r.peak_rss_mb} MB, ${fmt(r.req_s)} req/s`,
    ]),
    [
      `resume over ${formatInt(m.resume.lines)} finished results`,
      `peak RSS ${m.resume.peak_rss_mb} MB, ${m.resume.wall_s} s, ${m.resume.requests_sent} sent`,
    ],
    ['lp-batch --version', `${s.lp_batch_version_ms.median} ms (${spread(s.lp_batch_version_ms, 1)})`],
    ['node -e 0', `${s.node_ms.median} ms (${spread(s.node_ms, 1)})`],
  ];
  const targetRows = [
    ['target', 'median', 'spread', 'target', 'status'],
    ...result.targets.map((r) => [
      r.figure,
      fmtValue(r),
      r.spread ? `${r.spread.min} .. ${r.spread.max}` : '',
      r.target ?? '-',
      status(r),
    ]),
  ];
  return [
    contenderRows(t, `no latency, ${t.n} requests, -c ${t.concurrency}, ${t.rounds} rounds`),
    contenderRows(
      l,
      `${l.latency_ms} ms latency, ${l.n} requests, -c ${l.concurrency}, ${l.rounds} rounds (ideal ${fmt(l.ideal_req_s)} req/s)`,
    ),
    faultRows,
    otherRows,
    targetRows,
  ];
}

function status(row) {
  if (row.met === null) return row.target === null ? '-' : 'n/a';
  return row.met ? 'met' : 'MISSED';
}

function fmtValue(row) {
  if (typeof row.value !== 'number') return String(row.value);
  return `${row.value < 1000 ? row.value : formatInt(row.value)}${row.unit === 'x' ? 'x' : row.unit ? ` ${row.unit}` : ''}`;
}

function fmt(value, digits = 0) {
  if (value === undefined || value === null) return '';
  return digits === 0 ? formatInt(value) : value.toFixed(digits);
}

/** The tables as text, for the terminal. */
export function printTables(result, write) {
  write(`\n${renderTables(result).map(formatRows).join('\n\n')}\n\n`);
}

/** bench/RESULTS.md: when, where, how, the tables as Markdown, and the JSON line. */
export function writeResultsFile(path, result, command) {
  const { machine: mc } = result;
  const markdown = (rows) =>
    [rows[0], rows[0].map(() => '---'), ...rows.slice(1)]
      .map((row) => `| ${row.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`)
      .join('\n');
  const text = `# Benchmark results

Written by \`${command}\` on ${mc.date}.

- Machine: ${mc.cpus} cores, ${mc.cpu_model}, ${mc.platform}; Node ${mc.node}
- Load average (1 min) at the start ${mc.load_start} and at the end ${mc.load_end}: other work shared the machine.
- Every measured run is a fresh child process against the simulator (\`scripts/bench-server.js\`) in
  its own process; contenders run interleaved, round after round. req/s counts succeeded requests
  over the child's wall time from spawn to exit (start-up included). CPU and peak RSS are the
  kernel's figures for the whole child process (getrusage). Medians, with min .. max over the rounds.

${renderTables(result).map(markdown).join('\n\n')}

## The JSON line

\`\`\`
BENCH_RESULT ${JSON.stringify(result)}
\`\`\`
`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
