/** `lp-batch status <job>`: where each batch of a job stands, as the gateway says now. */
import { JOB_OPTIONS } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import { REPORT_OPTIONS } from '../options/shared.js';
import { formatBatchStatus } from './batch-status-table.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';

export const statusCommand = defineCommand({
  command: 'status <job>',
  describe: 'Show the processing status and request counts of each batch of a job, and in total',
  positionals: { job: 'The job file `lp-batch submit` or `run --engine batches` wrote (<output>.job.json)' },
  options: { ...JOB_OPTIONS, ...REPORT_OPTIONS },
  async handler(positionals, given, io) {
    const { json } = resolveOptions(REPORT_OPTIONS, given);
    const { batchStatusWith } = await import('../batches/library-status.js');
    const status = await batchStatusWith(
      { ...given, jobPath: positionals.job ?? '' },
      { env: io.env, cwd: io.cwd },
    );
    io.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatBatchStatus(status));
    return EXIT.ok;
  },
});
