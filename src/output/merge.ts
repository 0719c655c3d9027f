/**
 * `lp-batch merge`: the results files of the shards of one job joined into one results file, line
 * for line as they are (the newest line of each custom_id of each file, a torn last line left out).
 * Refused, before anything is written, when a custom_id has a result in two files: which one is
 * right cannot be told. Given the input, every line of it must have a result. Streaming: memory is
 * a lean index entry per custom_id (./results-index.ts), never a file.
 */
import { ResultsFileError, UsageError } from '../errors.js';
import { type InputSource, readInputLines } from '../input/input-source.js';
import { LineNames } from '../input/line-names.js';
import { wantedCustomId } from '../input/parse-line.js';
import type { ShownPath } from '../types.js';
import { ResultsIndex, type ResultsIndexOptions } from './results-index.js';
import { readResultsFileLines, type TornTail } from './results-lines.js';
import { customIdOfResultLine, parseResultLine } from './results-parse.js';
import { type ByteRange, type LineRanges, writeResultsFileAtomically } from './results-rewrite.js';

/** How many custom_ids a message names before "and N more". */
export const IDS_NAMED = 5;

/** Some custom_ids: how many, and the first few of them. */
export interface IdList {
  count: number;
  ids: string[];
}

export interface MergeReport {
  /** Results written to the output. */
  results: number;
  /** Input lines (by custom_id, the naming rule's) with no result in any file; null without an input. */
  missing: IdList | null;
  /** Results for custom_ids the input does not have (kept); null without an input. */
  extra: IdList | null;
  /** Files whose torn last line was left out. */
  tornTails: { file: string; tail: TornTail }[];
}

/**
 * Merges `sources` into `output` (replaced atomically: the caller holds its lock and has decided it
 * may be replaced). With `input`, checks that every line of it has a result. `options.fingerprint`:
 * see ./results-index.ts.
 * @throws ResultsFileError when a custom_id has results in two files, naming the first few and how
 *   many, or when a file is not lp-batch output; UsageError when a file is missing. Nothing is written then.
 */
export async function mergeResultsFiles(
  sources: readonly ShownPath[],
  output: ShownPath,
  input: InputSource | null,
  options: Pick<ResultsIndexOptions, 'fingerprint'> = {},
): Promise<MergeReport> {
  /** The newest line of each custom_id, file by file. */
  const indexes: ResultsIndex[] = [];
  const duplicates: IdList = { count: 0, ids: [] };
  const copies: LineRanges[] = [];
  const tornTails: MergeReport['tornTails'] = [];
  try {
    for (const source of sources) {
      // A custom_id new to this file is looked for in the files before it.
      const inEarlierFile = (custom_id: string) => {
        const earlier = indexes.find((index) => index.find(custom_id) >= 0);
        if (earlier !== undefined)
          noteId(duplicates, `"${custom_id}" (in ${earlier.name} and ${source.shown})`);
      };
      const index = new ResultsIndex(source.path, source.shown, options);
      const { ranges, tornTail } = await finalLinesOf(source, index, inEarlierFile);
      indexes.push(index);
      if (tornTail !== null) tornTails.push({ file: source.shown, tail: tornTail });
      copies.push({ path: source.path, name: source.shown, ranges });
    }
    if (duplicates.count > 0) {
      throw new ResultsFileError(
        `${duplicates.count} custom_ids have a result in more than one file: ${listed(duplicates)}; nothing was written. Were the shards of different inputs, or of different --shard counts?`,
      );
    }
    const results = indexes.reduce((sum, index) => sum + index.size, 0);
    // Checked before writing, but the output is written either way: every result is kept, and a run
    // on the merged file sends only what is missing.
    const check = input === null ? null : await checkAgainstInput(input, indexes, options);
    await writeResultsFileAtomically(output.path, copies);
    return { results, missing: check?.missing ?? null, extra: check?.extra ?? null, tornTails };
  } finally {
    for (const index of indexes) index.close();
  }
}

/**
 * Indexes the lines of one file, each checked in full, telling `onNewId` each custom_id the first
 * time it comes; returns where its final lines are (all its lines when no custom_id repeats).
 */
async function finalLinesOf(
  source: ShownPath,
  index: ResultsIndex,
  onNewId: (custom_id: string) => void,
): Promise<{ ranges: Iterable<ByteRange>; tornTail: TornTail | null }> {
  let superseded = 0;
  let first: number | null = null;
  const ended = await readResultsFileLines(source.path, ({ text, offset, length, fileLine }) => {
    const where = `${source.shown}:${fileLine}`;
    parseResultLine(text, where);
    const custom_id = customIdOfResultLine(text, where);
    first ??= offset;
    if (index.note(custom_id, offset, length)) superseded += 1;
    else onNewId(custom_id);
  });
  if (ended === null) throw new UsageError(`results file not found: ${source.shown}`);
  const end = ended.tornTail?.offset ?? ended.size;
  const ranges =
    superseded > 0 ? index.ranges() : first === null ? [] : [{ offset: first, length: end - first }];
  return { ranges, tornTail: ended.tornTail };
}

/**
 * Names every line of `input` by the naming rule, as a run does, and finds the names with no result
 * (missing) and the results with no line (extra). Marks the entries of `indexes` it finds.
 */
async function checkAgainstInput(
  input: InputSource,
  indexes: readonly ResultsIndex[],
  options: Pick<ResultsIndexOptions, 'fingerprint'>,
): Promise<{ missing: IdList; extra: IdList }> {
  const names = new LineNames(input.kind === 'file' ? input : null, options.fingerprint);
  const missing: IdList = { count: 0, ids: [] };
  for await (const { line, text } of readInputLines(input, new AbortController().signal)) {
    const { custom_id } = names.assign(wantedCustomId(text, line), line);
    if (!indexes.some((index) => markFound(index, custom_id))) noteId(missing, custom_id);
  }
  const extra: IdList = { count: 0, ids: [] };
  for (const index of indexes) {
    for (const entry of index.entries()) {
      if (index.isMarked(entry)) continue;
      extra.count += 1;
      if (extra.ids.length < IDS_NAMED) extra.ids.push(index.customIdOf(entry));
    }
  }
  return { missing, extra };
}

/** Marks the entry of `custom_id` in `index`; whether there is one. */
function markFound(index: ResultsIndex, custom_id: string): boolean {
  const entry = index.find(custom_id);
  if (entry >= 0) index.mark(entry);
  return entry >= 0;
}

function noteId(list: IdList, id: string): void {
  list.count += 1;
  if (list.ids.length < IDS_NAMED) list.ids.push(id);
}

/** `a, b, c and 4 more`. */
export function listed(list: IdList): string {
  const shown = list.ids.join(', ');
  return list.count > list.ids.length ? `${shown} and ${list.count - list.ids.length} more` : shown;
}
