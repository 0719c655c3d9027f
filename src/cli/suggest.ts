/**
 * Mistakes on the command line caught before yargs parses it, so each gets one line with the nearest
 * right spelling: an unknown command (`rnu` → `run`) or an unknown flag (`--concurency` →
 * `--concurrency`). Pure: argv and the command table in, a message or null out.
 */
import { type AnyOptionSpec, flagOf, type OptionTable } from '../options/define.js';

/** What this check needs to know of a command. */
export interface CommandShape {
  /** yargs' command string: the name first (`run <input> <output>`). */
  command: string;
  options: OptionTable;
}

/** Flags every command and the bare program take (yargs' own). */
const GLOBAL_FLAGS = ['help', 'version'];

/**
 * The first mistake in `argv` (without node and script), as one line without the `lp-batch: `
 * prefix, or null when every command and flag is known. Values are not checked here (the option
 * table does that), nor is anything after `--`.
 */
export function findArgvMistake(argv: readonly string[], commands: readonly CommandShape[]): string | null {
  const first = argv[0];
  if (first === undefined) return null;
  if (first.startsWith('-')) {
    return unknownFlag(first, new Set(GLOBAL_FLAGS), new Set(), GLOBAL_FLAGS, 'lp-batch --help');
  }
  const names = commands.map((c) => nameOf(c.command));
  const command = commands.find((c) => nameOf(c.command) === first);
  if (command === undefined) {
    const near = nearest(first, names);
    return `unknown command \`${first}\`${near === null ? '' : `: did you mean \`${near}\`?`} (the commands: ${names.join(', ')})`;
  }
  const { known, aliases, shown } = flagsOf(command.options);
  for (const arg of argv.slice(1)) {
    if (arg === '--') break;
    // `-` is a positional: standard input.
    if (!arg.startsWith('-') || arg === '-' || isNumber(arg)) continue;
    const mistake = unknownFlag(arg, known, aliases, shown, `lp-batch ${first} --help`);
    if (mistake !== null) return mistake;
  }
  return null;
}

/**
 * The candidate nearest to `word` by edit distance (an insertion, a deletion, a substitution or a
 * swap of two neighbours each count 1; a candidate that `word` begins, 1 too), or null when none is
 * within a third of its length (at least 1, at most 3). Ties go to the first candidate.
 */
export function nearest(word: string, candidates: readonly string[]): string | null {
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    const distance = word.length >= 3 && candidate.startsWith(word) ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.length, b.length);
}

function unknownFlag(
  arg: string,
  known: ReadonlySet<string>,
  aliases: ReadonlySet<string>,
  shown: readonly string[],
  help: string,
): string | null {
  if (arg.startsWith('--')) {
    const name = arg.slice(2).split('=')[0] ?? '';
    if (known.has(name)) return null;
    const near = nearest(name, shown);
    return `unknown option --${name}${near === null ? '' : `: did you mean --${near}?`} (${help} lists them)`;
  }
  const letter = arg.slice(1, 2);
  if (aliases.has(letter)) return null;
  return `unknown option -${letter} (${help} lists them)`;
}

/** Every spelling yargs accepts for a table's flags, and the ones to suggest. */
function flagsOf(table: OptionTable): { known: Set<string>; aliases: Set<string>; shown: string[] } {
  const known = new Set(GLOBAL_FLAGS);
  const aliases = new Set<string>();
  const shown = [...GLOBAL_FLAGS];
  for (const [name, spec] of Object.entries<AnyOptionSpec>(table)) {
    const flag = flagOf(name);
    shown.push(flag);
    known.add(flag).add(name);
    if (spec.kind === 'boolean') {
      shown.push(`no-${flag}`);
      known.add(`no-${flag}`);
    }
    if (spec.alias !== undefined) aliases.add(spec.alias);
  }
  return { known, aliases, shown };
}

function nameOf(command: string): string {
  return command.split(' ')[0] ?? command;
}

function isNumber(arg: string): boolean {
  return arg.trim() !== '' && Number.isFinite(Number(arg));
}
