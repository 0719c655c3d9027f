/**
 * `lp-batch merge`: the results files of the shards of one job joined into one results file, line
 * for line as they are (the newest line of each custom_id of each file, a torn last line left out).
 * Refused, before anything is written, when a custom_id has a result in two files: which one is
 * right cannot be told. Given the input, every line of it must have a result. Streaming: memory is
 * one entry per custom_id, never a file.
 */
import { ResultsFileError, UsageError } from '../errors.js';
import { type InputSource, readInputLines } from '../input/input-source.js';
import { LineNames } from '../input/line-names.js';
import { wantedCustomId } from '../input/parse-line.js';
import type { ShownPath } from '../types.js';
import { readResultsFileLines, type TornTail } from './results-lines.js';
import { parseResultLine } from './results-parse.js';
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
 * may be replaced). With `input`, checks that every line of it has a result.
 * @throws ResultsFileError when a custom_id has results in two files, naming the first few and how
 *   many, or when a file is not lp-batch output; UsageError when a file is missing. Nothing is written then.
 */
export async function mergeResultsFiles(
  sources: readonly ShownPath[],
  output: ShownPath,
  input: InputSource | null,
): Promise<MergeReport> {
  /** custom_id → the source that has its result. */
  const ids = new Map<string, number>();
  const duplicates: IdList = { count: 0, ids: [] };
  const copies: LineRanges[] = [];
  const tornTails: MergeReport['tornTails'] = [];
  for (const [n, source] of sources.entries()) {
    const { ranges, fileIds, tornTail } = await finalLinesOf(source);
    if (tornTail !== null) tornTails.push({ file: source.shown, tail: tornTail });
    for (const id of fileIds) {
      const earlier = ids.get(id);
      if (earlier === undefined) ids.set(id, n);
      else noteId(duplicates, `"${id}" (in ${sources[earlier]?.shown} and ${source.shown})`);
    }
    copies.push({ path: source.path, name: source.shown, ranges });
  }
  if (duplicates.count > 0) {
    throw new ResultsFileError(
      `${duplicates.count} custom_ids have a result in more than one file: ${listed(duplicates)}; nothing was written. Were the shards of different inputs, or of different --shard counts?`,
    );
  }
  const results = ids.size;
  // Checked before writing, but the output is written either way: every result is kept, and a run
  // on the merged file sends only what is missing.
  const check = input === null ? null : await checkAgainstInput(input, ids);
  await writeResultsFileAtomically(output.path, copies);
  return { results, missing: check?.missing ?? null, extra: check?.extra ?? null, tornTails };
}

/** The ranges of the final lines of one file (all its lines when no custom_id repeats), and its ids. */
async function finalLinesOf(
  source: ShownPath,
): Promise<{ ranges: ByteRange[]; fileIds: Iterable<string>; tornTail: TornTail | null }> {
  const newest = new Map<string, ByteRange>();
  let superseded = 0;
  let first: number | null = null;
  const ended = await readResultsFileLines(source.path, ({ text, offset, length, fileLine }) => {
    const { custom_id } = parseResultLine(text, `${source.shown}:${fileLine}`);
    first ??= offset;
    if (newest.delete(custom_id)) superseded += 1;
    newest.set(custom_id, { offset, length, custom_id });
  });
  if (ended === null) throw new UsageError(`results file not found: ${source.shown}`);
  const end = ended.tornTail?.offset ?? ended.size;
  const ranges =
    superseded > 0
      ? [...newest.values()].sort((a, b) => a.offset - b.offset)
      : first === null
        ? []
        : [{ offset: first, length: end - first }];
  return { ranges, fileIds: newest.keys(), tornTail: ended.tornTail };
}

/**
 * Names every line of `input` by the naming rule, as a run does, and finds the names with no result
 * (missing) and the results with no line (extra). Consumes `ids`.
 */
async function checkAgainstInput(
  input: InputSource,
  ids: Map<string, unknown>,
): Promise<{ missing: IdList; extra: IdList }> {
  const names = new LineNames();
  const missing: IdList = { count: 0, ids: [] };
  for await (const { line, text } of readInputLines(input, new AbortController().signal)) {
    const { custom_id } = names.assign(wantedCustomId(text, line), line);
    if (!ids.delete(custom_id)) noteId(missing, custom_id);
  }
  const extra: IdList = { count: ids.size, ids: [...takeFirst(ids.keys(), IDS_NAMED)] };
  return { missing, extra };
}

function noteId(list: IdList, id: string): void {
  list.count += 1;
  if (list.ids.length < IDS_NAMED) list.ids.push(id);
}

function* takeFirst<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let taken = 0;
  for (const item of items) {
    yield item;
    taken += 1;
    if (taken >= n) return;
  }
}

/** `a, b, c and 4 more`. */
export function listed(list: IdList): string {
  const shown = list.ids.join(', ');
  return list.count > list.ids.length ? `${shown} and ${list.count - list.ids.length} more` : shown;
}
