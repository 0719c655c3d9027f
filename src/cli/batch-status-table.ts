/** Renders where a job's batches stand (`lp-batch status`, `lp-batch cancel`) as a table for a person. */
import type { RequestCounts } from '../types.js';
import type { BatchJobStatus, BatchStatus } from '../batches/status.js';
import { int, textTable } from './text-table.js';

const COLUMNS = [
  'batch',
  'phase',
  'status',
  'requests',
  'processing',
  'succeeded',
  'errored',
  'canceled',
  'expired',
  'results',
];
const COUNTS = ['processing', 'succeeded', 'errored', 'canceled', 'expired'] as const;

/** The table, the totals, and what to do next. */
export function formatBatchStatus(status: BatchJobStatus): string {
  const rows = status.batches.map(batchRow);
  const total = [
    'total',
    '',
    '',
    int(status.totals.requests),
    ...COUNTS.map((name) => int(status.totals[name])),
    '',
  ];
  const lines = [textTable([COLUMNS, ...rows, total])];
  const running = status.batches.filter((batch) => batch.processing_status !== 'ended').length;
  const unwritten = status.batches.filter((batch) => !batch.results_written).length;
  if (status.batches.length === 0) lines.push(`${status.job}: no batch submitted yet`);
  else if (running > 0) lines.push(`${running} of ${status.batches.length} batches have not ended`);
  else if (unwritten > 0) {
    lines.push(
      `every batch has ended: lp-batch results ${status.job} writes the results of ${unwritten} of them`,
    );
  } else lines.push('every batch has ended and its results are written');
  if (status.batches.some((batch) => batch.id === null)) {
    lines.push(
      'creating: a run stopped while creating it; the next submission finds it on the gateway or submits it again',
    );
  }
  return `${lines.join('\n')}\n`;
}

function batchRow(batch: BatchStatus): string[] {
  return [
    batch.id ?? '(creating)',
    String(batch.phase),
    batch.processing_status,
    int(batch.requests),
    ...countCells(batch.request_counts),
    batch.results_written ? 'written' : '-',
  ];
}

function countCells(counts: RequestCounts | null): string[] {
  return COUNTS.map((name) => (counts === null ? '?' : int(counts[name])));
}
