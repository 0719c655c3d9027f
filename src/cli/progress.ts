/**
 * Progress on stderr: a cli-progress bar on a terminal, plain periodic lines elsewhere (CI logs).
 * While the bar is drawn, every other line for stderr (warnings, the Ctrl-C notice) goes through
 * `log`, which prints it above the bar instead of under it, where the next frame would erase it.
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from '../run/run-batch.js';
import { progressLine, ratePerSecond } from './progress-line.js';
import { usd } from './text-table.js';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

export interface ProgressReporter {
  update(progress: RunProgress): void;
  /** Print `text` (whole lines) on stderr without garbling the display. */
  log(text: string): void;
  /** Draw the last state and let go of the terminal; `log` then writes straight to stderr. */
  stop(): void;
}

/** The stream progress is drawn on: stderr, whose width a terminal knows. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Seconds between plain lines. */
const PLAIN_INTERVAL_MS = 10_000;

/** A display of the run's progress on `stderr`; the total comes with each update (null: not counted). */
export function createProgressReporter(
  mode: ProgressMode,
  stderr: ProgressStream,
  now: () => number = () => performance.now(),
): ProgressReporter {
  const resolved = mode === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : mode;
  const write = (text: string) => {
    stderr.write(text);
  };
  if (resolved === 'none') return { update: () => {}, log: write, stop: () => {} };
  const started = now();
  return resolved === 'bar' ? barReporter(stderr, now, started, write) : plainReporter(now, started, write);
}

function barReporter(
  stderr: ProgressStream,
  now: () => number,
  started: number,
  write: (text: string) => void,
): ProgressReporter {
  const bars = new cliProgress.MultiBar({
    stream: stderr,
    // The whole line is ours: cut to the terminal's width, the figures that matter kept.
    format: (_options, _params, payload: { progress: RunProgress }) =>
      progressLine(payload.progress, now() - started, stderr.columns ?? 80),
    hideCursor: true,
    noTTYOutput: true,
    // The terminal wraps what is logged above the bar (a long warning stays whole); the bar's own
    // line never needs it, being cut to the width.
    linewrap: true,
  });
  let bar: cliProgress.SingleBar | null = null;
  let stopped = false;
  return {
    update: (p) => {
      if (stopped) return;
      // Created with the run's first snapshot, so even the first frame shows real figures.
      if (bar === null) bar = bars.create(p.total ?? 0, p.done, { progress: p });
      else bar.update(p.done, { progress: p });
    },
    log: (text) => {
      if (bar === null || stopped) write(text);
      else bars.log(text);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (bar === null) return;
      // Lines logged since the last frame are written first, then the last frame stays, and a newline.
      bars.update();
      bars.stop();
    },
  };
}

function plainReporter(now: () => number, started: number, write: (text: string) => void): ProgressReporter {
  let last: RunProgress | null = null;
  let lastPrinted = started;
  const line = (p: RunProgress) =>
    `lp-batch: ${p.done}${p.total === null ? '' : `/${p.total}`} done (${p.succeeded} ok, ${p.errored} errored), ` +
    `${ratePerSecond(p, now() - started).toFixed(1)} req/s, ${p.inFlight} in flight (concurrency ${p.concurrency}), ` +
    `${p.inputTokens.toLocaleString('en-US')} in / ${p.outputTokens.toLocaleString('en-US')} out tokens, ${usd(p.costUsd)}, ${p.retries} retries\n`;
  return {
    update: (p) => {
      last = p;
      if (now() - lastPrinted >= PLAIN_INTERVAL_MS) {
        lastPrinted = now();
        write(line(p));
      }
    },
    log: write,
    stop: () => {
      if (last) write(line(last));
    },
  };
}
