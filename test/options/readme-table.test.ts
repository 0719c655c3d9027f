/**
 * The README's option tables are the options as defined: same flags, same order, same defaults,
 * same words. And every library option says its default in its JSDoc.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { defaultShown } from '../../src/cli/command.js';
import { cancelCommand } from '../../src/cli/cancel.js';
import { estimateCommand } from '../../src/cli/estimate.js';
import { mockServerCommand } from '../../src/cli/mock-server.js';
import { mergeCommand } from '../../src/cli/merge.js';
import { pricingCommand } from '../../src/cli/pricing.js';
import { resultsCommand } from '../../src/cli/results.js';
import { runCommand } from '../../src/cli/run.js';
import { statusCommand } from '../../src/cli/status.js';
import { submitCommand } from '../../src/cli/submit.js';
import { summarizeCommand } from '../../src/cli/summarize.js';
import { JOB_OPTIONS, RESULTS_OPTIONS, SUBMIT_OPTIONS } from '../../src/options/batches.js';
import { type AnyOptionSpec, flagOf, type OptionTable, placeholderOf } from '../../src/options/define.js';
import { ESTIMATE_OPTIONS } from '../../src/options/estimate.js';
import { MOCK_LIBRARY_OPTIONS, MOCK_SERVER_OPTIONS } from '../../src/options/mock-server.js';
import { RUN_OPTIONS } from '../../src/options/run.js';
import { readmeTableAfter } from '../helpers/readme.js';

const ROOT = join(import.meta.dirname, '../..');

/** The placeholder a flag's value shows in the docs, with its space. */
function placeholder(spec: AnyOptionSpec): string {
  const shown = placeholderOf(spec);
  return shown === '' ? '' : ` ${shown}`;
}

/** A table as the README should show it: option, default, meaning. */
function rowsOf(table: OptionTable): string[][] {
  return Object.entries(table).map(([name, spec]) => [
    `${spec.alias === undefined ? '' : `\`-${spec.alias}\`, `}\`--${flagOf(name)}${placeholder(spec)}\``,
    defaultShown(spec) ?? '—',
    spec.describe,
  ]);
}

describe('the README', () => {
  it('lists every option of `run` as defined: flag, default and meaning, in order', () => {
    expect(readmeTableAfter('## `lp-batch run <input> <output>`')).toEqual(rowsOf(runCommand.options));
  });

  it('lists every option of `estimate` as defined', () => {
    expect(readmeTableAfter('## `lp-batch estimate <input>`')).toEqual(rowsOf(estimateCommand.options));
  });

  it('lists every option of `pricing` as defined', () => {
    expect(readmeTableAfter('## `lp-batch pricing`')).toEqual(rowsOf(pricingCommand.options));
  });

  it('lists every flag of `mock-server` as defined, and the program-only record option', () => {
    expect(readmeTableAfter('**Options**: the flags of `lp-batch mock-server`')).toEqual(
      rowsOf(mockServerCommand.options),
    );
    const programOnly = readmeTableAfter('In a program only:');
    expect(programOnly[0]?.[0]).toBe('`record`');
    expect(programOnly[0]?.[1]).toBe(`\`${String(MOCK_LIBRARY_OPTIONS.record.default)}\``);
  });

  it.each([
    ['submit', '### `lp-batch submit <input> <output>`', submitCommand],
    ['status', '### `lp-batch status <job>`', statusCommand],
    ['cancel', '### `lp-batch cancel <job>`', cancelCommand],
    ['results', '### `lp-batch results <job> [output]`', resultsCommand],
  ])('lists every option of `%s` as defined', (_name, heading, command) => {
    expect(readmeTableAfter(heading)).toEqual(rowsOf(command.options));
  });

  it('lists every option of `summarize` and of `merge` as defined', () => {
    expect(readmeTableAfter('## `lp-batch summarize <results>`')).toEqual(rowsOf(summarizeCommand.options));
    expect(readmeTableAfter('## Sharding: `--shard K/N` and `lp-batch merge`')).toEqual(
      rowsOf(mergeCommand.options),
    );
  });
});

describe('the library options', () => {
  it.each([
    ['src/options/run.ts', 'RunOptions', RUN_OPTIONS],
    ['src/options/estimate.ts', 'EstimateOptions', ESTIMATE_OPTIONS],
    ['src/options/batches.ts', 'SubmitOptions', SUBMIT_OPTIONS],
    ['src/options/batches.ts', 'JobOptions', JOB_OPTIONS],
    ['src/options/batches.ts', 'ResultsOptions', RESULTS_OPTIONS],
    ['src/options/mock-server.ts', 'MockServerValues', { ...MOCK_SERVER_OPTIONS, ...MOCK_LIBRARY_OPTIONS }],
  ] as const)('of %s each carry JSDoc with an @default that matches the definition', (path, name, table) => {
    const file = join(ROOT, path);
    // Only what the table's types need: no @types, no lib checks (a full program takes seconds).
    const program = ts.createProgram([file], {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
      skipLibCheck: true,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file);
    const declaration = source?.statements.find(
      (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name,
    );
    if (!declaration) throw new Error(`${path} declares no ${name}`);
    const properties = checker.getTypeAtLocation(declaration.name).getProperties();
    expect(properties.map((p) => p.name).sort()).toEqual(Object.keys(table).sort());
    for (const property of properties) {
      const spec = (table as OptionTable)[property.name] as AnyOptionSpec;
      const doc = ts.displayPartsToString(property.getDocumentationComment(checker));
      const tag = property.getJsDocTags(checker).find((t) => t.name === 'default');
      const stated = ts.displayPartsToString(tag?.text ?? []).trim();
      expect(doc, `${property.name} has no description`).not.toBe('');
      expect(stated, `${property.name} has no @default`).not.toBe('');
      const value: unknown = spec.default;
      if (spec.defaultText !== undefined) expect(stated, property.name).toBe(spec.defaultText);
      else if (value !== undefined) {
        expect(stated, property.name).toBe(typeof value === 'string' ? `'${value}'` : JSON.stringify(value));
      }
    }
  });
});
