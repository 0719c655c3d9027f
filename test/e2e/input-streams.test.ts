/**
 * Inputs that are not regular files, as a shell hands them over: `-` (standard input), `/dev/stdin`,
 * a FIFO. Each is read once (no counting pass), every request is sent, and a FIFO nobody writes to
 * does not keep the process from stopping on SIGTERM.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { MockServer } from '../../src/mock/server.js';
import { BIN, collectOutput, runCli, type Spawned, startCli, waitFor } from '../helpers/cli.js';
import { promptOf } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY } from '../helpers/run-helpers.js';

const N = 25;
const ids = Array.from({ length: N }, (_, i) => `q${i}`);
const jsonl = `${ids.map((id) => requestLine(id, `prompt ${id}`)).join('\n')}\n`;
const env = { LP_API_KEY: TEST_KEY };

describe('inputs read once, as they come (spawned)', () => {
  for (const [input, progress] of [
    ['-', 'plain'],
    ['-', 'none'],
    ['/dev/stdin', 'plain'],
  ] as const) {
    it(`run ${input} out --progress ${progress}, with a pipe on standard input, sends every request once`, async ({
      dir,
      serve,
    }) => {
      const server = await serve();
      const out = join(dir, 'out.jsonl');
      const args = ['run', input, out, '--base-url', server.url, '--progress', progress];
      const r = await runCli(args, env, { input: jsonl });
      expect(r.stderr).not.toContain('internal error');
      expect(r.code).toBe(0);
      expect(server.requests.map(promptOf).sort()).toEqual(ids.map((id) => `prompt ${id}`).sort());
      expect(
        readResults(out)
          .map((x) => x.custom_id)
          .sort(),
      ).toEqual([...ids].sort());
      // Progress without a total: nothing read the pipe ahead to count it.
      if (progress === 'plain')
        expect(r.stderr).toMatch(new RegExp(`lp-batch: ${N} done \\(${N} ok, 0 errored\\)`));
    });
  }

  for (const [shell, command] of [
    ['sh', 'cat "$1" | exec node "$2" run /dev/stdin "$3" --base-url "$4" --progress plain'],
    ['bash', 'exec node "$2" run <(cat "$1") "$3" --base-url "$4" --progress plain'],
  ] as const) {
    it(`${shell}: ${command.split(' run ')[1]?.split(' "$3"')[0]} out (a pipe), sends every request once`, async ({
      dir,
      serve,
    }) => {
      const server = await serve();
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, jsonl);
      const out = join(dir, 'out.jsonl');
      const r = await runShell(shell, command, [input, BIN, out, server.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(server.requests).toHaveLength(N);
      expect(readResults(out)).toHaveLength(N);
      expect(r.stderr).toMatch(new RegExp(`lp-batch: ${N} done \\(${N} ok, 0 errored\\)`));
    });
  }

  it('reads a FIFO its writer fills after the run started', async ({ dir, serve }) => {
    const server = await serve();
    const { fifo, out, run } = await startOnFifo(dir, server);
    writeFileSync(fifo, jsonl); // blocks until the run opens the FIFO for reading
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(N);
    expect(readResults(out)).toHaveLength(N);
  });

  it('stops promptly on SIGTERM, exit 130, while waiting on a FIFO with no writer', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const { out, run } = await startOnFifo(dir, server);
    const sentAt = Date.now();
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(r.stderr).toContain('lp-batch: interrupted');
    expect(server.requests).toHaveLength(0);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

/** Runs `command` in `shell` with `args` as $1.. (the environment: PATH and the key). */
function runShell(shell: string, command: string, args: string[]): Promise<Spawned> {
  const child = spawn(shell, ['-c', command, shell, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(child);
}

/** Starts `lp-batch run FIFO out.jsonl` on a new FIFO; resolves once the run holds its lock (its input is next). */
async function startOnFifo(dir: string, server: MockServer) {
  const fifo = join(dir, 'requests.fifo');
  execFileSync('mkfifo', [fifo]);
  const out = join(dir, 'out.jsonl');
  const run = startCli(['run', fifo, out, '--base-url', server.url, '--progress', 'plain'], env);
  await waitFor(() => existsSync(`${out}.lock`));
  return { fifo, out, run };
}
