/**
 * Waiting for a job's batches: a look at each batch still watched, then a wait that starts short and
 * doubles up to a cap (a batch takes minutes to hours; the first looks catch a small one early), until
 * every batch has ended, a deadline passes, or the run is told to stop. Each batch is handed over the
 * moment it is seen ended, so its results are written while the others run.
 */
import type { Clock } from '../clock.js';
import type { BatchApi } from '../client/batch-api.js';
import type { BatchInfo } from '../client/batch-info.js';
import type { JobBatch } from './job-file.js';

export interface WaitOptions {
  api: BatchApi;
  clock: Clock;
  /** Stops the waiting (Ctrl-C): the batches keep running on the gateway. */
  stop: AbortSignal;
  /** The first wait between two looks, ms; each wait doubles up to `maxWaitMs`. */
  firstWaitMs: number;
  maxWaitMs: number;
  /** Epoch ms past which the waiting gives up (`--deadline`); null for none. */
  deadlineEpochMs: number | null;
  /** The batches to wait for, asked before each look: created, results not yet written. */
  watched: () => JobBatch[];
  /** After each look: every watched batch as it stands. */
  onStatus: (infos: ReadonlyMap<string, BatchInfo>) => void;
  /** A watched batch has ended: its results are taken here. It must no longer be watched after. */
  onEnded: (batch: JobBatch, info: BatchInfo) => Promise<void>;
}

/** How the waiting ended: every batch ended, the deadline passed, or it was stopped. */
export type WaitOutcome = 'ended' | 'deadline' | 'stopped';

/** The wait after one of `previousMs`: doubled, at most `maxMs`. Pure. */
export function nextWaitMs(previousMs: number, maxMs: number): number {
  return Math.min(previousMs * 2, maxMs);
}

/** Looks at the watched batches until none is left (see WaitOptions). */
export async function waitForBatches(o: WaitOptions): Promise<WaitOutcome> {
  let waitMs = Math.min(o.firstWaitMs, o.maxWaitMs);
  for (;;) {
    const infos = new Map<string, BatchInfo>();
    const watched = o.watched();
    for (const batch of watched) {
      if (o.stop.aborted) return 'stopped';
      if (batch.id !== null) infos.set(batch.id, await o.api.retrieve(batch.id));
    }
    o.onStatus(infos);
    for (const batch of watched) {
      const info = batch.id === null ? undefined : infos.get(batch.id);
      if (info?.processing_status === 'ended' && !o.stop.aborted) await o.onEnded(batch, info);
    }
    if (o.stop.aborted) return 'stopped';
    if (o.watched().length === 0) return 'ended';
    const leftMs = o.deadlineEpochMs === null ? Infinity : o.deadlineEpochMs - o.clock.nowEpochMs();
    if (leftMs <= 0) return 'deadline';
    try {
      await o.clock.sleep(Math.min(waitMs, leftMs), o.stop);
    } catch {
      return 'stopped';
    }
    waitMs = nextWaitMs(waitMs, o.maxWaitMs);
  }
}
