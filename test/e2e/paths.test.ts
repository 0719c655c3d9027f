/**
 * Mistakes with paths, as a user makes them: one line naming the path as given and what to do,
 * exit 2, no stack trace, nothing sent and no file created or changed.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { MockServer } from '../../src/mock/server.js';
import { runCli, type SpawnOptions, type Spawned } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const env = { LP_API_KEY: TEST_KEY };

/** Runs `lp-batch run ARGS` in `dir` (paths relative to it), as an unprivileged user when we are root. */
function runIn(dir: string, server: MockServer, args: string[]): Promise<Spawned> {
  const options: SpawnOptions = { cwd: dir };
  if (process.getuid?.() === 0) {
    // root writes anywhere: permissions are only real for another user.
    chmodSync(dir, 0o777);
    options.user = { uid: 65534, gid: 65534 };
  }
  return runCli(['run', ...args, '--base-url', server.url, '--progress', 'none'], env, options);
}

function expectRefused(r: Spawned, server: MockServer, message: string): void {
  expect(r.stderr).toBe(`lp-batch: ${message}\n`);
  expect(r.code).toBe(2);
  expect(server.requests).toHaveLength(0);
}

describe('lp-batch run refuses unusable paths before the run (spawned)', () => {
  it('an input that is a folder', async ({ dir, serve }) => {
    const server = await serve();
    mkdirSync(join(dir, 'prompts'));
    const r = await runIn(dir, server, ['prompts', 'out.jsonl']);
    expectRefused(r, server, 'the input prompts is a folder: name the JSONL file of requests');
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });

  it('an output that is a folder', async ({ dir, serve }) => {
    const server = await serve();
    writeInput(dir, [requestLine('a', 'hi')]);
    mkdirSync(join(dir, 'results'));
    const r = await runIn(dir, server, ['in.jsonl', 'results']);
    expectRefused(r, server, 'the results file results is a folder: name a file, e.g. results/results.jsonl');
  });

  it('an output whose folder is missing, and a --summary whose folder is missing', async ({ dir, serve }) => {
    const server = await serve();
    writeInput(dir, [requestLine('a', 'hi')]);
    const r = await runIn(dir, server, ['in.jsonl', 'nope/out.jsonl']);
    expectRefused(
      r,
      server,
      'the folder of the results file nope/out.jsonl does not exist: create it first (mkdir -p nope) or name another path',
    );
    const s = await runIn(dir, server, ['in.jsonl', 'out.jsonl', '--summary', 'reports/s.json']);
    expectRefused(
      s,
      server,
      'the folder of --summary reports/s.json does not exist: create it first (mkdir -p reports) or name another path',
    );
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });

  it('an output whose folder is read-only', async ({ dir, serve }) => {
    const server = await serve();
    writeInput(dir, [requestLine('a', 'hi')]);
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o555);
    const r = await runIn(dir, server, ['in.jsonl', 'locked/out.jsonl']);
    expectRefused(
      r,
      server,
      'cannot write the results file locked/out.jsonl: its folder locked is read-only (permission denied)',
    );
  });

  it('a --summary or an output that is the input or the results file, by name, link or hard link; no file changes', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(dir, [requestLine('a', 'hi')]);
    const before = readFileSync(input);
    symlinkSync('in.jsonl', join(dir, 'link.jsonl'));
    linkSync(input, join(dir, 'hard.jsonl'));
    const cases: [string[], string][] = [
      [
        ['in.jsonl', 'out.jsonl', '--summary', 'in.jsonl'],
        '--summary in.jsonl is the same file as the input in.jsonl',
      ],
      [
        ['in.jsonl', 'out.jsonl', '--summary', 'link.jsonl'],
        '--summary link.jsonl is the same file as the input in.jsonl',
      ],
      [
        ['in.jsonl', 'out.jsonl', '--summary', 'out.jsonl'],
        '--summary out.jsonl is the same file as the results file out.jsonl',
      ],
      [
        ['in.jsonl', 'out.jsonl', '--summary', './out.jsonl'],
        '--summary ./out.jsonl is the same file as the results file out.jsonl',
      ],
      [['in.jsonl', 'hard.jsonl'], 'the results file hard.jsonl is the same file as the input in.jsonl'],
    ];
    for (const [args, message] of cases) {
      const r = await runIn(dir, server, args);
      const role = message.split(' ')[0] === '--summary' ? '--summary' : 'the results file';
      expectRefused(r, server, `${message}: give ${role} a path of its own`);
    }
    expect(readFileSync(input)).toEqual(before);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });
});
