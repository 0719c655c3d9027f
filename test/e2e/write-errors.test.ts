/**
 * Writes that fail, for real: the results file hits the file-size limit (EFBIG, as a full disk
 * would give ENOSPC), and stderr's reader goes away (EPIPE). Paid results are kept somewhere, the
 * run says what happened in one line, and a closed stderr stops nothing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { ResultLine } from '../../src/types.js';
import { BIN, collectOutput, runCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const N = 24;
const ids = Array.from({ length: N }, (_, i) => `q${i}`);
const env = { PATH: process.env.PATH ?? '', LP_API_KEY: TEST_KEY };

describe('write errors (spawned)', () => {
  it('EFBIG on the results file: stops, keeps complete lines, prints the summary and the unsaved results, exits 2', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(
      dir,
      ids.map((id) => requestLine(id, id)),
    );
    const out = join(dir, 'out.jsonl');
    // 4 blocks of 512 bytes: room for a few result lines, the next write is cut short, then EFBIG.
    const limited = spawn(
      'sh',
      [
        '-c',
        'trap "" XFSZ; ulimit -f 4; exec node "$0" run "$1" "$2" --base-url "$3" -c 2 --progress none',
        BIN,
        input,
        out,
        server.url,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = await collectOutput(limited);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.some((l) => l.startsWith('total '))).toBe(true); // the summary
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^lp-batch: stopped: cannot write results to ${out}: EFBIG: file too large, write; \\d+ results that could not be written are on stdout \\(append them to ${out}, or the next run sends those requests again\\)`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const file = readFileSync(out, 'utf8');
    expect(Buffer.byteLength(file)).toBeLessThanOrEqual(4 * 512);
    expect(file.endsWith('\n')).toBe(true);
    const written = readResults(out);
    const rescued = r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ResultLine);
    expect(written.length).toBeGreaterThan(0);
    expect(rescued.length).toBeGreaterThan(0);
    // Every answer the server gave is in the file or on stdout, once.
    const kept = [...written, ...rescued].map((x) =>
      x.result.type === 'succeeded' ? x.result.message.id : '',
    );
    expect(kept.sort()).toEqual(server.requests.map((req) => `msg_mock_${req.n}`).sort());

    const rerun = await runCli(['run', input, out, '--base-url', server.url, '--progress', 'none'], {
      LP_API_KEY: TEST_KEY,
    });
    expect(rerun.code).toBe(0);
    expect(
      readResults(out)
        .map((x) => x.custom_id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('a closed stderr (its reader went away) neither stops nor crashes the run', async ({ dir, serve }) => {
    const server = await serve();
    // An unknown parameter makes the run warn on stderr at once, after the reader is gone.
    const input = writeInput(
      dir,
      ids.map((id) => requestLine(id, id, { mystery_param: 1 })),
    );
    const out = join(dir, 'out.jsonl');
    const child = spawn(
      process.execPath,
      [BIN, 'run', input, out, '--base-url', server.url, '--progress', 'plain'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stderr.destroy(); // the reader exits before the first line is written
    const r = await collectOutput(child);
    expect(r.code).toBe(0);
    expect(r.signal).toBeNull();
    expect(
      readResults(out)
        .map((x) => x.custom_id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(server.requests).toHaveLength(N);
  });
});
