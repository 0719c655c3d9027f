/** The benchmark's human-readable tables, printed before the BENCH_RESULT line. */
import { formatInt, formatMb } from './bench-util.js';

/** Prints the throughput and the memory table to stdout. */
export function printTable({ bare, lp, ratio, memory, heapGrowth, rssGrowth, minRatio, maxHeapGrowth }) {
  const bestRate = (runs) => Math.max(...runs.map((r) => r.reqPerSec));
  const bestCpu = (runs) => Math.min(...runs.map((r) => r.cpuUsPerReq));
  const throughput = [
    ['throughput', 'req/s (best)', 'runs', 'client CPU us/req'],
    ['bare undici', formatInt(bestRate(bare)), listRates(bare), bestCpu(bare).toFixed(1)],
    ['lp-batch', formatInt(bestRate(lp)), listRates(lp), bestCpu(lp).toFixed(1)],
    [
      'ratio',
      `${ratio.toFixed(2)}x`,
      `target >= ${minRatio}x`,
      `${(bestCpu(lp) / bestCpu(bare)).toFixed(2)}x CPU`,
    ],
  ];
  const mem = [['memory', 'lines', 'input', 'peak RSS', 'peak heap', 'req/s']];
  for (const [name, m] of Object.entries(memory)) {
    mem.push([
      name,
      formatInt(m.lines),
      formatMb(m.inputBytes),
      formatMb(m.peakRss),
      formatMb(m.peakHeap),
      formatInt(m.reqPerSec),
    ]);
  }
  mem.push([
    'big/small',
    '',
    '',
    `${rssGrowth.toFixed(2)}x`,
    `${heapGrowth.toFixed(2)}x`,
    `target <= ${maxHeapGrowth}x heap`,
  ]);
  process.stdout.write(`\n${formatRows(throughput)}\n\n${formatRows(mem)}\n\n`);
}

function listRates(runs) {
  return runs.map((r) => formatInt(r.reqPerSec)).join(', ');
}

/** Left-aligned columns two spaces apart. */
function formatRows(rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => String(cell).padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
