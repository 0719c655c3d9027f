/** Result lines and temp folders for the results-file tests. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ResultEntry, type ResultsScan, resultEntryOf } from '../../src/output/results-scan.js';
import type { ResultLine } from '../../src/types.js';

/** A succeeded line as lp-batch writes it, with `text` as the whole answer. */
export function succeeded(custom_id: string, line: number, text = 'hello', params_hash = 'h1'): ResultLine {
  return {
    custom_id,
    line,
    result: {
      type: 'succeeded',
      message: {
        id: `msg_${custom_id}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 5 },
      },
    },
    usage: { input_tokens: 3, output_tokens: 5 },
    cost_usd: 0.0001,
    attempts: 1,
    latency_ms: 12,
    params_hash,
  };
}

/** An errored line as lp-batch writes it. */
export function errored(custom_id: string, line: number, params_hash = 'h1'): ResultLine {
  return {
    custom_id,
    line,
    result: {
      type: 'errored',
      error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: null },
    },
    error_kind: 'http_error',
    status: 529,
    attempts: 5,
    latency_ms: 40,
    params_hash,
  };
}

/** The bytes of a results file holding `lines`, each ended by `eol`. */
export function toJsonl(lines: readonly unknown[], eol = '\n'): string {
  return lines.map((line) => JSON.stringify(line) + eol).join('');
}

/** A fresh folder under the OS temp folder, and a way to remove it. */
export async function makeTempFolder(): Promise<{
  folder: string;
  file: (name: string) => string;
  remove: () => Promise<void>;
}> {
  const folder = await mkdtemp(join(tmpdir(), 'lp-batch-results-'));
  return {
    folder,
    file: (name) => join(folder, name),
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/** Write `content` to `name` in `folder` and return its path. */
export async function writeResults(
  folder: string,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, content);
  return path;
}

/** The entries of a scan, each line read again, by custom_id in file order (what the index stands for). */
export function entriesOf(scan: ResultsScan | null): Map<string, ResultEntry> {
  const entries = new Map<string, ResultEntry>();
  if (scan === null) return entries;
  for (const entry of scan.index.entries()) {
    const result = resultEntryOf(scan.index, entry);
    entries.set(scan.index.customIdOf(entry), result);
  }
  scan.index.close();
  return entries;
}

/** A scan as plain data: its entries read again instead of its index. */
export function scanData(scan: ResultsScan | null) {
  if (scan === null) return null;
  const { index: _index, ...rest } = scan;
  return { ...rest, entries: entriesOf(scan) };
}
