/**
 * Progress on stderr: a cli-progress bar on a terminal, plain periodic lines elsewhere (CI logs).
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from '../run/run-batch.js';
import { usd } from './text-table.js';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

export interface ProgressReporter {
  update(progress: RunProgress): void;
  stop(): void;
}

/** Seconds between plain lines. */
const PLAIN_INTERVAL_MS = 10_000;

/** A display of the run's progress on `stderr`; the total comes with each update (null: not counted). */
export function createProgressReporter(
  mode: ProgressMode,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  now: () => number = () => performance.now(),
): ProgressReporter {
  const resolved = mode === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : mode;
  if (resolved === 'none') return { update: () => {}, stop: () => {} };
  const started = now();
  const rate = (done: number) => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? (done / seconds).toFixed(1) : '0.0';
  };

  if (resolved === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr,
        format:
          '{bar} {value}/{total} | {rate} req/s | ETA {eta_formatted} | {inFlight}/{concurrency} in flight | {tokens} tok | {cost} | {errored} errored | {retries} retries',
        hideCursor: true,
        etaBuffer: 50,
        noTTYOutput: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let shown = false;
    return {
      update: (p) => {
        // Shown from the run's first report, which brings the total.
        if (!shown) {
          shown = true;
          bar.start(p.total ?? 0, p.done);
        }
        bar.update(p.done, {
          rate: rate(p.done),
          inFlight: p.inFlight,
          concurrency: p.concurrency,
          tokens: tokens(p),
          cost: usd(p.costUsd),
          errored: p.errored,
          retries: p.retries,
        });
      },
      stop: () => {
        if (shown) bar.stop();
      },
    };
  }

  let last: RunProgress | null = null;
  let lastPrinted = started;
  const line = (p: RunProgress) =>
    `lp-batch: ${p.done}${p.total === null ? '' : `/${p.total}`} done (${p.succeeded} ok, ${p.errored} errored), ` +
    `${rate(p.done)} req/s, ${p.inFlight} in flight (concurrency ${p.concurrency}), ${tokens(p)} tokens, ${usd(p.costUsd)}, ${p.retries} retries\n`;
  return {
    update: (p) => {
      last = p;
      if (now() - lastPrinted >= PLAIN_INTERVAL_MS) {
        lastPrinted = now();
        stderr.write(line(p));
      }
    },
    stop: () => {
      if (last) stderr.write(line(last));
    },
  };
}

function tokens(p: RunProgress): string {
  return `${p.inputTokens.toLocaleString('en-US')} in / ${p.outputTokens.toLocaleString('en-US')} out`;
}
