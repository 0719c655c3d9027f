/** Spawns the built CLI (bin/lp-batch.js → dist/) as a user would, with a clean environment. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/lp-batch.js');
const BUILT = join(import.meta.dirname, '../../dist/cli/index.js');

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Written to the CLI's standard input, which is then closed. Default: no standard input. */
  input?: string;
  /** The CLI's working folder. Default: this process's. */
  cwd?: string;
  /** Run as this user and group (a test as root needs an unprivileged user to meet permissions). */
  user?: { uid: number; gid: number };
}

/** Starts the CLI; `done` resolves when it exits. The environment holds PATH and `env` only. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): { child: ChildProcess; done: Promise<Spawned> } {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.user ?? {}),
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  return { child, done: collectOutput(child) };
}

/** What a spawned process printed and how it ended, once it has. */
export function collectOutput(child: ChildProcess): Promise<Spawned> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise<Spawned>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<Spawned> {
  return startCli(args, env, options).done;
}

/** Resolves once `condition()` holds, polling a spawned process's files; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Complete lines of a results file being written (a torn last line is not counted); 0 when missing. */
export function completeLines(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').length - 1;
}
