/**
 * The passes of the batches engine over its input after submission, each with the run's own line
 * check (`LineIntake.check`), so that every line has the name and model a run gives it: the index
 * that joins a batch's results to their lines (model and metadata), and the accounting at the end
 * that counts in the summary what this session did not write (as a resumed run does).
 */
import { type InputSource, readInputBatches } from '../input/input-source.js';
import type { LineDefaults } from '../input/parse-line.js';
import { notSentFailure } from '../output/result-line.js';
import { NO_MODEL } from '../output/summary.js';
import { LineIntake } from '../run/intake.js';
import { PriorResults } from '../run/prior-results.js';
import type { JobOutput } from './job-output.js';

/** What a batch's result line takes from its input line. */
export interface LineInfo {
  model: string | null;
  metadata?: Record<string, unknown> | undefined;
}

/** Warnings of these passes are the submission's, given once there: not again. */
const SILENT = () => {};

/** The model and metadata of the lines whose custom_id is in `ids` (the requests of the batches to download). */
export async function indexLines(
  input: InputSource,
  defaults: LineDefaults,
  ids: ReadonlySet<string>,
): Promise<Map<string, LineInfo>> {
  const intake = new LineIntake({
    file: input.shown,
    path: input.kind === 'file' ? input.path : undefined,
    defaults,
    prior: PriorResults.none(),
    skipErrored: false,
    batches: true,
  });
  const index = new Map<string, LineInfo>();
  for await (const chunk of readInputBatches(input, new AbortController().signal)) {
    for (const { line, text, invalidUtf8 } of chunk) {
      const checked = intake.check(text, line, SILENT, invalidUtf8);
      const custom_id = checked.kind === 'invalid' ? checked.custom_id : checked.req.custom_id;
      if (!ids.has(custom_id)) continue;
      const info =
        checked.kind === 'invalid'
          ? { model: checked.model, metadata: checked.metadata }
          : { model: checked.req.params.model, metadata: checked.req.metadata };
      index.set(custom_id, info);
    }
  }
  return index;
}

export interface Accounting {
  /** Lines of the input with no result in the file (still in a batch, or never submitted). */
  notInFile: number;
  /** Results in the file for custom_ids the input does not have: kept, counted. */
  foreign: number;
}

/**
 * Counts in the summary every line of the input this session did not write: its earlier result, as a
 * resumed run counts it, or nothing. An invalid line with no result at all is written now (one line
 * per input line, whatever file the results go to). Then the file's results for lines the input no
 * longer has.
 */
export async function accountLines(
  input: InputSource,
  defaults: LineDefaults,
  out: JobOutput,
): Promise<Accounting> {
  const intake = new LineIntake({
    file: input.shown,
    path: input.kind === 'file' ? input.path : undefined,
    defaults,
    prior: out.prior,
    skipErrored: false,
    batches: true,
  });
  let notInFile = 0;
  for await (const chunk of readInputBatches(input, new AbortController().signal)) {
    for (const { line, text, invalidUtf8 } of chunk) {
      const checked = intake.check(text, line, SILENT, invalidUtf8);
      const custom_id = checked.kind === 'invalid' ? checked.custom_id : checked.req.custom_id;
      if (out.written.has(custom_id)) continue;
      const model = (checked.kind === 'invalid' ? checked.model : checked.req.params.model) ?? NO_MODEL;
      const prior = out.prior.get(custom_id);
      if (prior !== undefined) out.recorder.resumed(model, prior);
      else if (checked.kind === 'invalid') {
        out.recorder.errored(checked, notSentFailure(checked.message), { attempts: 0, latencyMs: 0 });
      } else notInFile += 1;
    }
  }
  let foreign = 0;
  // Every line of the input has asked for its name by now (this pass reads them all).
  for (const entry of out.prior.unasked()) {
    if (out.written.has(entry.custom_id)) continue;
    foreign += 1;
    out.recorder.resumed(entry.model ?? NO_MODEL, entry);
  }
  return { notInFile, foreign };
}
