/** What a person who mistypes, or asks, sees: the spawned CLI, its exit code and its output. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect } from 'vitest';
import { packageVersion } from '../../src/version.js';
import { runCli, type Spawned } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';

/**
 * Runs the CLI with a module hook that notes every module it loads; resolves with what it printed
 * and the packages it loaded (by name), lp-batch's own files counted apart.
 */
async function runTracingLoads(
  dir: string,
  args: string[],
): Promise<Spawned & { packages: string[]; own: number }> {
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  const spawned = await runCli(args, { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` });
  const urls = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'));
  const packages = new Set(
    urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
  );
  const own = urls.filter((url) => url.includes('/dist/') && !url.includes('/node_modules/')).length;
  return { ...spawned, packages: [...packages].sort(), own };
}

describe('lp-batch --version and --help (spawned)', () => {
  it('prints the version alone, exit 0, loading no package and only a few files of its own', async ({
    dir,
  }) => {
    const r = await runTracingLoads(dir, ['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${packageVersion()}\n`, stderr: '' });
    expect(r.packages).toEqual([]);
    expect(r.own).toBeLessThanOrEqual(5);
  });

  it("lists every command on --help, exit 0, loading yargs but no command's dependencies", async ({
    dir,
  }) => {
    const r = await runTracingLoads(dir, ['--help']);
    expect(r.code).toBe(0);
    const commands = [
      'run',
      'submit',
      'status',
      'cancel',
      'results',
      'estimate',
      'pricing',
      'summarize',
      'merge',
    ];
    for (const command of [...commands, 'mock-server']) {
      expect(r.stdout).toMatch(new RegExp(`lp-batch ${command}\\b`));
    }
    expect(r.packages).toContain('yargs');
    for (const heavy of ['undici', 'zod', 'cli-progress', 'p-retry', 'image-size'])
      expect(r.packages).not.toContain(heavy);
  });

  it("prints a command's flags on `run --help`, and its version on `run --version`", async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--concurrency/);
    expect(help.stdout).toMatch(/--max-cost/);
    const version = await runCli(['run', '--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${packageVersion()}\n` });
  });

  it('says what is missing in one line, exit 2, without loading the run', async ({ dir }) => {
    const r = await runTracingLoads(dir, ['run', 'in.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('lp-batch: Not enough non-option arguments: got 1, need at least 2\n');
    expect(r.packages).not.toContain('undici');
  });
});

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
