/**
 * `lp-batch merge A.jsonl B.jsonl ... -o ALL.jsonl [--input IN.jsonl]`: the results files of the
 * shards of one job (`run --shard K/N`) joined into one, which `summarize` and a later `run` read
 * like any other. Exit 2 when a custom_id has a result in two files (nothing is written) or, given
 * the input, when a line of it has no result (the merged file is written: a run on it sends those).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ResultsFileError, UsageError } from '../errors.js';
import { inputSource } from '../input/input-source.js';
import { resolveOptions } from '../options/define.js';
import { MERGE_OPTIONS } from '../options/merge.js';
import { indexFinalResults } from '../output/final-results.js';
import { checkWritablePath, refuseSameFiles } from '../output/path-checks.js';
import { lockResultsFile } from '../output/results-lock.js';
import type { ShownPath } from '../types.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';

export const mergeCommand = defineCommand({
  command: 'merge <results..>',
  describe: 'Join the results files of the shards of one job (`run --shard K/N`) into one: -o FILE',
  positionals: { results: 'results files of the shards, as `run` wrote them' },
  options: MERGE_OPTIONS,
  async handler(_positionals, given, io, lists) {
    const { output, input, overwrite } = resolveOptions(MERGE_OPTIONS, given);
    if (output === undefined) throw new UsageError('merge needs the file to write: -o FILE');
    const say = (text: string) => io.stderr.write(`lp-batch: ${text}\n`);
    const at = (shown: string): ShownPath => ({ path: resolve(io.cwd, shown), shown });
    const sources = (lists.results ?? []).map(at);
    const target = at(output);
    const source = input === undefined ? null : inputSource(input, io.cwd, io.stdin);
    refuseSameFiles([
      ...sources.map((file) => ({ ...file, role: 'the results file' })),
      { ...target, role: '-o' },
      ...(source === null
        ? []
        : [{ role: '--input', shown: source.shown, path: source.kind === 'stdin' ? null : source.path }]),
    ]);
    checkWritablePath({ ...target, role: '-o' }, { regularFile: true, writableFolder: true });

    const { listed, mergeResultsFiles } = await import('../output/merge.js');
    const lock = await lockResultsFile(target, { warn: (message) => say(`warning: ${message}`) });
    try {
      await refuseResults(target, overwrite);
      const merged = await mergeResultsFiles(sources, target, source);
      for (const { file, tail } of merged.tornTails) {
        say(
          `warning: ${file}: a torn last line (${tail.bytes} bytes, a write cut short) is not a result: left out`,
        );
      }
      say(`merged ${merged.results} results from ${sources.length} files into ${target.shown}`);
      if (merged.extra !== null && merged.extra.count > 0) {
        say(
          `warning: ${merged.extra.count} results are for custom_ids that are not in ${input} (${listed(merged.extra)}): kept`,
        );
      }
      if (merged.missing === null || merged.missing.count === 0) return EXIT.ok;
      say(
        `${merged.missing.count} requests of ${input} have no result in the files merged (${listed(merged.missing)}): ${target.shown} holds the results there are; \`lp-batch run ${input} ${target.shown}\` sends only those`,
      );
      return EXIT.config;
    } finally {
      lock.release();
    }
  },
});

/**
 * An existing `-o` is replaced only when it is lp-batch output and holds no result, or with
 * `--overwrite`: a merged file may be the only copy of results someone paid for.
 */
async function refuseResults(target: ShownPath, overwrite: boolean): Promise<void> {
  if (!existsSync(target.path)) return;
  const index = await indexFinalResults(target);
  if (index.results === 0 && index.tornTail !== null) {
    throw new ResultsFileError(
      `${target.shown}: not an lp-batch results file: no complete result line (${index.tornTail.bytes} bytes without a line end); name another -o`,
    );
  }
  if (index.results > 0 && !overwrite) {
    throw new UsageError(
      `${target.shown} already holds ${index.results} results: name another -o, or add --overwrite to replace it`,
    );
  }
}
