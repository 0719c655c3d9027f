/**
 * `lp-batch estimate <input>`: what a run of the file would cost, before it runs. The estimate
 * itself is the library's `estimate` (same options, same checks); this file prints it.
 */
import type { EstimateFileOptions } from '../estimate/estimate.js';
import { resolveOptions } from '../options/define.js';
import { ESTIMATE_OPTIONS } from '../options/estimate.js';
import { REPORT_OPTIONS } from '../options/shared.js';
import { type CliIO, defineCommand } from './command.js';
import { formatEstimate } from './estimate-table.js';
import { EXIT } from './exit-codes.js';

export const estimateCommand = defineCommand({
  command: 'estimate <input>',
  describe:
    'What a run of <input> would cost: tokens and USD per model, from input only to every max_tokens; sends nothing, needs no key',
  positionals: { input: 'JSONL file of requests' },
  options: { ...ESTIMATE_OPTIONS, ...REPORT_OPTIONS },
  async handler(positionals, given, io) {
    const { json } = resolveOptions(REPORT_OPTIONS, given);
    return printEstimate({ ...given, inputPath: positionals.input ?? '' }, json, io);
  },
});

/** Estimates `options.inputPath` and prints the report on stdout (warnings on stderr). Shared with `run --dry-run`. */
export async function printEstimate(options: EstimateFileOptions, json: boolean, io: CliIO): Promise<number> {
  // Loaded when an estimate starts (see ./index.ts).
  const { estimateWith } = await import('../estimate/estimate.js');
  const { report, prices } = await estimateWith(
    { ...options, onWarning: (message) => io.stderr.write(`lp-batch: warning: ${message}\n`) },
    { env: io.env, cwd: io.cwd, stdin: io.stdin },
  );
  io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatEstimate(report, prices));
  return EXIT.ok;
}
