/**
 * The README's "Use in CI" workflow is a real GitHub Actions workflow: it parses as YAML, has the
 * matrix, secret, artifacts, merge, gates and summary it promises, and every lp-batch command line in
 * it is accepted by the CLI's own parser, flags and values included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommandLine } from '../src/cli/index.js';

const README = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

interface Job {
  needs?: string | string[];
  if?: string;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown[]> };
  steps: Step[];
}

/** The first ```yaml block of the "Use in CI" section, parsed. */
function workflow(): { jobs: Record<string, Job> } {
  const section = README.slice(README.indexOf('## Use in CI'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  expect(block, 'Use in CI has a ```yaml block').not.toBeNull();
  return parse(block?.[1] ?? '') as { jobs: Record<string, Job> };
}

/** Each `npx lp-batch ...` line of the workflow's steps, with its GitHub expressions filled in. */
function lpBatchCommands(jobs: Record<string, Job>): { job: string; argv: string[] }[] {
  return Object.entries(jobs).flatMap(([job, { steps }]) =>
    steps
      .flatMap((step) => (step.run ?? '').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line.startsWith('npx lp-batch '))
      .map((line) => {
        // The simple split below is right only for lines without quotes or shell operators.
        expect(line).not.toMatch(/['"\\|;&<>$`](?!\{\{)/);
        const filled = line.replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, '1');
        expect(filled).not.toContain('${{');
        return { job, argv: filled.split(/\s+/).slice(2) };
      }),
  );
}

describe("the README's CI workflow", () => {
  const { jobs } = workflow();
  const shardJob = Object.values(jobs).find((job) => job.strategy?.matrix?.shard !== undefined);
  const shards = shardJob?.strategy?.matrix?.shard ?? [];

  it('runs a matrix of shards 1..N, each with --shard K/N of the same N and a budget', () => {
    expect(shards.length).toBeGreaterThan(1);
    expect(shards).toEqual(shards.map((_, i) => i + 1));
    expect(shardJob?.strategy?.['fail-fast']).toBe(false);
    const runs = (shardJob?.steps ?? []).filter((step) => step.run?.includes('lp-batch run'));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.run).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(runs[0]?.run).toMatch(/--max-cost \d/);
  });

  it('gives the key from the secrets to the one step that sends requests, never on a command line', () => {
    const withKey = Object.values(jobs).flatMap((job) => job.steps.filter((step) => step.env?.LP_API_KEY));
    expect(withKey).toHaveLength(1);
    expect(withKey[0]?.env).toEqual({ LP_API_KEY: '${{ secrets.LP_API_KEY }}' });
    expect(withKey[0]?.run).toContain('lp-batch run');
    const yaml = README.slice(README.indexOf('## Use in CI'));
    expect(yaml).not.toMatch(/--api-key\b/);
  });

  it('uploads each shard, even a failed one, and merges them in a job that always runs after', () => {
    const upload = shardJob?.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.name).toBe('results-${{ matrix.shard }}');
    const shardName = Object.entries(jobs).find(([, job]) => job === shardJob)?.[0];
    const report = Object.values(jobs).find((job) => job.needs === shardName);
    expect(report?.if).toBe('always()');
    const download = report?.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toMatchObject({ pattern: 'results-*', 'merge-multiple': true });
    const steps = report?.steps.map((step) => step.run ?? step.uses ?? '') ?? [];
    const at = (text: string) => steps.findIndex((step) => step.includes(text));
    expect(at('actions/download-artifact')).toBeLessThan(at('lp-batch merge'));
    expect(at('lp-batch merge')).toBeLessThan(at('lp-batch summarize'));
  });

  it('uses only lp-batch commands and flags that exist, with values they accept', async () => {
    const commands = lpBatchCommands(jobs);
    expect(commands.map((c) => c.argv[0])).toEqual(['run', 'merge', 'summarize']);
    for (const { argv } of commands) {
      const parsed = await parseCommandLine(argv);
      expect(parsed?.command.command.split(' ')[0], argv.join(' ')).toBe(argv[0]);
    }
    const [run, merge, summarize] = await Promise.all(commands.map((c) => parseCommandLine(c.argv)));
    expect(run?.options).toMatchObject({ shard: `1/${shards.length}`, maxCost: 20, maxFailureRate: 0.02 });
    expect(merge?.options).toMatchObject({ output: 'results.jsonl', input: 'evals/prompts.jsonl' });
    expect(merge?.lists.results).toEqual(['results-*.jsonl']);
    expect(summarize?.options).toMatchObject({ junit: 'junit.xml', maxFailureRate: 0.02 });
  });

  it('is checked by a parser that refuses what does not exist', async () => {
    await expect(parseCommandLine(['run', 'in.jsonl', 'out.jsonl', '--shards', '1/4'])).rejects.toThrow(
      'unknown option --shards: did you mean --shard?',
    );
    await expect(parseCommandLine(['run', 'in.jsonl', 'out.jsonl', '--shard', '5/4'])).rejects.toThrow(
      'Expected `--shard` to be `K/N`',
    );
    await expect(parseCommandLine(['merge', 'a.jsonl', '-o'])).rejects.toThrow(
      'Not enough arguments following: o',
    );
    await expect(parseCommandLine(['summarize'])).rejects.toThrow('Not enough non-option arguments');
    await expect(parseCommandLine(['sumarize', 'a.jsonl'])).rejects.toThrow(
      'unknown command `sumarize`: did you mean `summarize`?',
    );
  });
});
