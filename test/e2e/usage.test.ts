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

  it('describes every flag of a command, with its default, under --help wherever it stands, exit 0', async () => {
    for (const args of [
      ['run', '--help'],
      ['run', 'in.jsonl', 'out.jsonl', '-c', '4', '--help'],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^lp-batch run <input> <output>/);
      expect(r.stdout).toMatch(/-c, --concurrency +Requests in flight at once .*\n.*\[default: 8\]/);
      expect(r.stdout).toMatch(/--progress +bar \(a progress bar\)/);
    }
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
