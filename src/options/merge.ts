/** The options of `lp-batch merge <results..>` (the command line's alone). */
import { option } from './define.js';

export const MERGE_OPTIONS = {
  output: option.string({
    alias: 'o',
    arg: 'FILE',
    describe: 'The merged results file (required; written atomically, never one of the files merged)',
  }),
  input: option.string({
    arg: 'FILE',
    describe:
      'The input the shards ran: every line of it must have a result (exit 2 naming those that have none)',
  }),
  overwrite: option.boolean({
    default: false,
    describe: 'Replace `-o` when it already holds results (only ever lp-batch output)',
  }),
};
