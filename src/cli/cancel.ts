/**
 * `lp-batch cancel <job>`: asks the gateway to cancel every batch of a job that has not ended. Their
 * requests not yet run come back `canceled` (`lp-batch results` writes them; a later run sends them).
 */
import { JOB_OPTIONS } from '../options/batches.js';
import { resolveOptions } from '../options/define.js';
import { REPORT_OPTIONS } from '../options/shared.js';
import { formatBatchStatus } from './batch-status-table.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';

export const cancelCommand = defineCommand({
  command: 'cancel <job>',
  describe: 'Cancel every batch of a job that has not ended; `lp-batch results` then writes what they ran',
  positionals: { job: 'The job file `lp-batch submit` or `run --engine batches` wrote (<output>.job.json)' },
  options: { ...JOB_OPTIONS, ...REPORT_OPTIONS },
  async handler(positionals, given, io) {
    const { json } = resolveOptions(REPORT_OPTIONS, given);
    const job = positionals.job ?? '';
    const { cancelBatchesWith } = await import('../batches/library-status.js');
    const report = await cancelBatchesWith({ ...given, jobPath: job }, { env: io.env, cwd: io.cwd });
    if (json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return EXIT.ok;
    }
    const { canceled, ...status } = report;
    io.stdout.write(formatBatchStatus(status));
    io.stdout.write(
      canceled.length > 0
        ? `asked to cancel ${canceled.length} batches (${canceled.join(', ')}): once they have ended, lp-batch results ${job} writes what they ran, the rest as canceled\n`
        : 'no batch in progress: nothing to cancel\n',
    );
    return EXIT.ok;
  },
});
