/**
 * The progress bar's line, built to fit the terminal: the most useful figures first kept (done,
 * dollars, errors), the others dropped when the line would not fit, and the bar gets what is left.
 * Pure: a snapshot, the elapsed time and the width in, one line out. `fitLine` fits any figures so:
 * the batches' display (./batch-progress.ts) draws its lines with it too.
 */
import type { RunProgress } from '../run/run-batch.js';
import { usd } from './text-table.js';

/** The narrowest bar worth drawing; below it, no bar. */
const MIN_BAR = 10;
/** The bar is worth more than the figures ranked below this (ETA, retries, tokens), less than the others. */
const BAR_RANK = 3.5;
const SEPARATOR = ' | ';

/** A figure of a progress line, with its rank: the lowest is dropped first when the line would not fit. */
export interface LinePiece {
  text: string;
  rank: number;
}

/** The figures of one snapshot, in the order shown. */
function pieces(p: RunProgress, elapsedMs: number): LinePiece[] {
  const rate = ratePerSecond(p, elapsedMs);
  const eta = p.total === null || rate <= 0 ? null : (p.total - p.done) / rate;
  const all = [
    { text: p.total === null ? `${p.done} done` : `${p.done}/${p.total}`, rank: 9 },
    { text: `${rate.toFixed(1)} req/s`, rank: 4 },
    eta === null ? null : { text: `ETA ${duration(eta)}`, rank: 3 },
    { text: `${p.inFlight}/${p.concurrency} in flight`, rank: 5 },
    { text: usd(p.costUsd), rank: 8 },
    { text: `${p.errored} errored`, rank: 7 },
    { text: `${p.retries} retries`, rank: 2 },
    { text: `${int(p.inputTokens)} in / ${int(p.outputTokens)} out tok`, rank: 1 },
  ];
  return all.filter((piece): piece is LinePiece => piece !== null);
}

/**
 * Requests per second of this run: results written since it started, not those resumed from the
 * file (they were counted in an instant, and would make the rate and the ETA a lie).
 */
export function ratePerSecond(p: RunProgress, elapsedMs: number): number {
  return elapsedMs > 0 ? ((p.done - p.resumed) / elapsedMs) * 1000 : 0;
}

/** One line of at most `columns - 1` characters (the last column would wrap on some terminals). */
export function progressLine(p: RunProgress, elapsedMs: number, columns: number): string {
  // Without a total (the input was not counted) there is nothing to fill.
  const share = p.total === null ? null : p.total === 0 ? 0 : Math.min(1, p.done / p.total);
  return fitLine(pieces(p, elapsedMs), share, columns);
}

/**
 * `pieces` joined by ` | ` in at most `columns - 1` characters, the lowest ranked dropped first, and
 * before them a bar filled to `share` (0 to 1) when there is room for one; null: no bar.
 */
export function fitLine(pieces: readonly LinePiece[], share: number | null, columns: number): string {
  const width = Math.max(20, columns) - 1;
  const kept = [...pieces];
  const text = () => kept.map((piece) => piece.text).join(SEPARATOR);
  const dropLowest = (below: number) => {
    const lowest = kept.reduce((low, piece) => (piece.rank < low.rank ? piece : low));
    if (kept.length <= 1 || lowest.rank >= below) return false;
    kept.splice(kept.indexOf(lowest), 1);
    return true;
  };
  while (text().length > width && dropLowest(Number.POSITIVE_INFINITY));
  // Room for a bar, at the price of the figures worth less than it.
  while (share !== null && width - text().length - 1 < MIN_BAR && dropLowest(BAR_RANK));
  const line = text().slice(0, width);
  const barWidth = Math.min(40, width - line.length - 1);
  return barWidth < MIN_BAR || share === null ? line : `${bar(share, barWidth)} ${line}`;
}

function bar(share: number, width: number): string {
  const full = Math.round(share * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/** `42s`, `3m05s`, `2h01m`. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function int(n: number): string {
  return n.toLocaleString('en-US');
}
