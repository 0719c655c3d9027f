/** What a person who mistypes sees: the spawned CLI, its exit code and its stderr. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('lp-batch usage (spawned)', () => {
  it('prints the usage with every command when run with no arguments, exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lp-batch <command> \[options\]/);
    expect(r.stderr).toMatch(/lp-batch run <input> <output> +Send every request/);
    expect(r.stderr).toMatch(/lp-batch mock-server +Serve the Anthropic-compatible simulator/);
  });

  it('suggests the nearest flag for a misspelt one, in one line, exit 2', async () => {
    const r = await runCli(['run', 'in.jsonl', 'out.jsonl', '--concurency', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lp-batch: unknown option --concurency: did you mean --concurrency? (lp-batch run --help lists them)\n',
    );
  });

  it('suggests the nearest command for a misspelt one, in one line, exit 2', async () => {
    const r = await runCli(['rnu', 'in.jsonl', 'out.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lp-batch: unknown command `rnu`: did you mean `run`? (the commands: run, submit, status, cancel, results, estimate, pricing, summarize, merge, mock-server)\n',
    );
  });
});
