/**
 * The options of `lp-batch summarize <results>` (the command line's alone): how the summary is
 * printed, the JUnit report, and the gates of the exit code.
 */
import { option } from './define.js';
import { GATE_OPTIONS, REPORT_FILE_OPTIONS, REPORT_OPTIONS } from './shared.js';

export const SUMMARIZE_OPTIONS = {
  /** `--json`: the shape of `run --summary`. */
  ...REPORT_OPTIONS,
  markdown: option.boolean({
    default: false,
    describe: 'Print the summary as Markdown on stdout instead of a table',
  }),
  ...REPORT_FILE_OPTIONS,
  ...GATE_OPTIONS,
};
