/** Spawns the built CLI (bin/lp-batch.js → dist/) as a user would, with a clean environment. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/lp-batch.js');
const BUILT = join(import.meta.dirname, '../../dist/cli/index.js');

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `done` resolves when it exits. The environment holds PATH and `env` only. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Spawned> } {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Spawned>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<Spawned> {
  return startCli(args, env).done;
}
