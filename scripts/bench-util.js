/** Shared pieces of the benchmark: the request every line carries, input files, statistics, formatting. */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The params of request `i`: small, text only, realistic, and priced (no unknown-model warning). */
export function requestParams(i) {
  return {
    model: 'claude-haiku-4-5',
    max_tokens: 64,
    system: 'You are a concise assistant. Answer in at most two sentences.',
    messages: [
      {
        role: 'user',
        content: `Question ${i}: why does streaming a JSONL file line by line keep a batch runner's memory flat?`,
      },
    ],
  };
}

/** Writes `n` Message Batches lines (`req-0` ...) to `path`; resolves with the file size in bytes. */
export async function writeRequestsFile(path, n) {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const line = `${JSON.stringify({ custom_id: `req-${i}`, params: requestParams(i) })}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

/**
 * Reads a results file and counts what a contender wrote: complete lines, distinct custom_ids, and
 * results by `result.type`. A torn last line (a killed run) is not counted; no file (a run stopped
 * before it wrote one) counts as nothing written.
 */
export async function countResults(path) {
  if (!existsSync(path)) return { lines: 0, distinct: 0, succeeded: 0, errored: 0 };
  const ids = new Set();
  const byType = {};
  let lines = 0;
  const reader = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of reader) {
    if (line.trim() === '') continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    lines++;
    ids.add(entry.custom_id);
    const type = entry.result?.type ?? 'unknown';
    byType[type] = (byType[type] ?? 0) + 1;
  }
  return {
    lines,
    distinct: ids.size,
    succeeded: byType.succeeded ?? 0,
    errored: lines - (byType.succeeded ?? 0),
  };
}

/** The median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max }` of a non-empty list, rounded to `digits` decimals. */
export function stats(values, digits = 3) {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
  };
}

export function round(value, digits = 3) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** `12345.6` → `12 346`. */
export function formatInt(value) {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Left-aligned columns two spaces apart. */
export function formatRows(rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => String(cell ?? '').padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
