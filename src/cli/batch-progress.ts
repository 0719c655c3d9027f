/**
 * Progress of a batches run while it waits, on stderr: on a terminal a cli-progress bar per batch and
 * one for the total (requests done out of those submitted); elsewhere a plain line for each batch
 * whose counts changed and one for the total, after each look at the batches.
 */
import cliProgress from 'cli-progress';
import type { BatchJobStatus, BatchStatus } from '../batches/status.js';
import { fitLine, type LinePiece } from './progress-line.js';
import type { ProgressMode, ProgressStream } from './progress.js';
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
  stderr: ProgressStream,
): BatchProgressReporter {
  const resolved = mode === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : mode;
  const write = (text: string) => {
    stderr.write(text);
  };
  if (resolved === 'none') return { update: () => {}, log: write, stop: () => {} };
  return resolved === 'bar' ? barReporter(stderr) : plainReporter(stderr);
}

function barReporter(stderr: ProgressStream): BatchProgressReporter {
  const bars = new cliProgress.MultiBar({
    stream: stderr,
    // Each line is ours: cut to the terminal's width, the figures that matter kept (./progress-line.ts).
    format: (_options, _params, payload: { line: Line }) => {
      const { pieces, done, requests } = payload.line;
      return fitLine(pieces, requests === 0 ? 0 : Math.min(1, done / requests), stderr.columns ?? 80);
    },
    hideCursor: true,
    noTTYOutput: true,
    // The terminal wraps what is logged above the bars; the bars' own lines never need it.
    linewrap: true,
  });
  const shown = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | null = null;
  let stopped = false;
  const draw = (bar: cliProgress.SingleBar | undefined, line: Line) => {
    if (bar === undefined) return bars.create(line.requests, line.done, { line });
    bar.setTotal(line.requests);
    bar.update(line.done, { line });
    return bar;
  };
  return {
    update: (status) => {
      if (stopped) return;
      for (const batch of status.batches.slice(0, BARS_SHOWN)) {
        const name = batch.id ?? '(creating)';
        const line = lineOf(
          name,
          batch.processing_status,
          doneOf(batch),
          batch.requests,
          batch.request_counts,
        );
        shown.set(name, draw(shown.get(name), line));
      }
      const more = status.batches.length - Math.min(status.batches.length, BARS_SHOWN);
      const name = more > 0 ? `total (${more} more batches)` : 'total';
      const ended = status.batches.filter((batch) => batch.processing_status === 'ended').length;
      const t = status.totals;
      const line = lineOf(
        name,
        `${ended}/${status.batches.length} ended`,
        t.requests - t.processing,
        t.requests,
        t,
      );
      total = draw(total ?? undefined, line);
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

/** What one bar shows: a batch, or the total. */
interface Line {
  pieces: LinePiece[];
  done: number;
  requests: number;
}

/** The figures of a bar, most useful first kept: done, which batch, its state, then its counts. */
function lineOf(name: string, state: string, done: number, requests: number, c: Counts | null): Line {
  const pieces = [
    { text: `${int(done)}/${int(requests)}`, rank: 9 },
    { text: `${name} ${state}`, rank: 8 },
    ...(c === null
      ? []
      : [
          { text: `${int(c.succeeded)} ok`, rank: 7 },
          { text: `${int(c.errored)} errored`, rank: 6 },
          { text: `${int(c.expired)} expired`, rank: 5 },
          { text: `${int(c.canceled)} canceled`, rank: 4 },
        ]),
  ];
  return { pieces, done, requests };
}
