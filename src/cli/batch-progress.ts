/**
 * Progress of a batches run while it waits, on stderr: on a terminal a cli-progress bar per batch and
 * one for the total (requests done out of those submitted); elsewhere a plain line for each batch
 * whose counts changed and one for the total, after each look at the batches.
 */
import cliProgress from 'cli-progress';
import type { BatchJobStatus, BatchStatus } from '../batches/status.js';
import type { ProgressMode } from './progress.js';
import { int } from './text-table.js';

export interface BatchProgressReporter {
  update(status: BatchJobStatus): void;
  /** Print `text` (whole lines) on stderr without garbling the display. */
  log(text: string): void;
  /** Draw the last state and let go of the terminal; `log` then writes straight to stderr. */
  stop(): void;
}

/** Batches shown with a bar of their own; beyond, only in the total. */
const BARS_SHOWN = 8;

/** A display of the batches' progress on `stderr`. */
export function createBatchProgressReporter(
  mode: ProgressMode,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
): BatchProgressReporter {
  const resolved = mode === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : mode;
  const write = (text: string) => {
    stderr.write(text);
  };
  if (resolved === 'none') return { update: () => {}, log: write, stop: () => {} };
  return resolved === 'bar' ? barReporter(stderr) : plainReporter(stderr);
}

function barReporter(stderr: NodeJS.WritableStream): BatchProgressReporter {
  const bars = new cliProgress.MultiBar(
    {
      stream: stderr,
      format:
        '{bar} {value}/{total} {name} {state} | {succeeded} ok, {errored} errored, {canceled} canceled, {expired} expired',
      hideCursor: true,
      noTTYOutput: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const shown = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | null = null;
  let stopped = false;
  return {
    update: (status) => {
      if (stopped) return;
      for (const batch of status.batches.slice(0, BARS_SHOWN)) {
        const name = batch.id ?? '(creating)';
        let bar = shown.get(name);
        if (!bar) {
          bar = bars.create(
            batch.requests,
            0,
            payloadOf(name, batch.processing_status, batch.request_counts),
          );
          shown.set(name, bar);
        }
        bar.setTotal(batch.requests);
        bar.update(doneOf(batch), payloadOf(name, batch.processing_status, batch.request_counts));
      }
      const more = status.batches.length - Math.min(status.batches.length, BARS_SHOWN);
      const name = more > 0 ? `total (${more} more batches)` : 'total';
      const state = `${status.batches.filter((batch) => batch.processing_status === 'ended').length}/${status.batches.length} ended`;
      const totals = status.totals;
      total ??= bars.create(totals.requests, 0, payloadOf(name, state, totals));
      total.setTotal(totals.requests);
      total.update(totals.requests - totals.processing, payloadOf(name, state, totals));
    },
    log: (text) => {
      if (total === null || stopped) stderr.write(text);
      else bars.log(text);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (total === null) return;
      bars.update();
      bars.stop();
    },
  };
}

function plainReporter(stderr: NodeJS.WritableStream): BatchProgressReporter {
  const said = new Map<string, string>();
  let last: BatchJobStatus | null = null;
  let lastTotal = '';
  const totalLine = (status: BatchJobStatus) => {
    const ended = status.batches.filter((batch) => batch.processing_status === 'ended').length;
    const t = status.totals;
    return `lp-batch: total: ${ended} of ${status.batches.length} batches ended, ${int(t.requests - t.processing)}/${int(t.requests)} done (${counts(t)}), ${int(t.processing)} processing\n`;
  };
  return {
    log: (text) => {
      stderr.write(text);
    },
    update: (status) => {
      last = status;
      for (const batch of status.batches) {
        const line = `lp-batch: ${batch.id ?? '(creating)'}: ${batch.processing_status}, ${int(doneOf(batch))}/${int(batch.requests)} done${batch.request_counts ? ` (${counts(batch.request_counts)})` : ''}\n`;
        const key = batch.id ?? '(creating)';
        if (said.get(key) === line) continue;
        said.set(key, line);
        stderr.write(line);
      }
      const line = totalLine(status);
      if (line !== lastTotal) stderr.write(line);
      lastTotal = line;
    },
    stop: () => {
      if (last === null) return;
      const line = totalLine(last);
      if (line !== lastTotal) stderr.write(line);
      lastTotal = line;
    },
  };
}

type Counts = NonNullable<BatchStatus['request_counts']>;

function doneOf(batch: BatchStatus): number {
  if (batch.request_counts === null) return batch.processing_status === 'ended' ? batch.requests : 0;
  return batch.requests - batch.request_counts.processing;
}

function counts(c: Counts): string {
  return `${int(c.succeeded)} ok, ${int(c.errored)} errored, ${int(c.canceled)} canceled, ${int(c.expired)} expired`;
}

function payloadOf(name: string, state: string, c: Counts | null) {
  return {
    name,
    state,
    succeeded: c === null ? '?' : int(c.succeeded),
    errored: c === null ? '?' : int(c.errored),
    canceled: c === null ? '?' : int(c.canceled),
    expired: c === null ? '?' : int(c.expired),
  };
}
