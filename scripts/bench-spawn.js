/**
 * Child processes of the benchmark: a measured run (wall time from spawn to exit, the kernel's CPU
 * and peak RSS of the whole process) and the simulator, which answers `stats` on its stdin.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RUSAGE_HOOK = pathToFileURL(fileURLToPath(new URL('bench-rusage.js', import.meta.url))).href;
const SERVER = fileURLToPath(new URL('bench-server.js', import.meta.url));
const STDERR_TAIL = 4000;

/** Every child still running, so that a broken bench can end them all. */
export const children = new Set();

export const epochMs = () => performance.timeOrigin + performance.now();

/**
 * Runs `node [--import bench-rusage.js] ...args` to its exit, with `env` only (plus PATH). Killed
 * with SIGKILL after `timeoutMs` (then `timedOut` is true and there is no resource usage). Resolves
 * with the exit code and signal, wall time, start and end as epoch ms, stdout, the tail of stderr and,
 * when `rusageFile` is given, `{ cpuUs, userUs, systemUs, maxRssBytes }`.
 */
export function runMeasured({ args, env = {}, timeoutMs, rusageFile }) {
  if (rusageFile) rmSync(rusageFile, { force: true });
  const nodeArgs = rusageFile ? ['--import', RUSAGE_HOOK] : [];
  const startedAt = epochMs();
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env, ...(rusageFile ? { BENCH_RUSAGE_FILE: rusageFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  let endedAt = 0;
  child.once('exit', () => (endedAt = epochMs()));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const rusage =
        rusageFile && !timedOut && existsSync(rusageFile)
          ? JSON.parse(readFileSync(rusageFile, 'utf8'))
          : undefined;
      resolve({
        code,
        signal,
        timedOut,
        startedAt,
        endedAt,
        wallMs: endedAt - startedAt,
        stdout,
        stderr,
        rusage,
      });
    });
  });
}

/**
 * Starts scripts/bench-server.js with `flags` (`{ 'latency-ms': 50, ... }`) and resolves once it
 * listens: `{ url, stats(), close() }`. `stats()` resolves with what the server saw since the last call.
 */
export async function startSimulator(flags = {}) {
  const args = Object.entries(flags).flatMap(([name, value]) => [`--${name}`, String(value)]);
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const waiting = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  const next = () =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve });
      exited.then((code) => reject(new Error(`bench-server exited (code ${code}) ${JSON.stringify(flags)}`)));
    });
  const { url } = await next();
  return {
    url,
    stats: () => {
      const answer = next();
      child.stdin.write('stats\n');
      return answer;
    },
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Ends every child still running (the bench broke or was interrupted). */
export function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}
