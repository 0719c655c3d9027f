/**
 * The progress bar as a person sees it: the built CLI in a real terminal (a tmux pane of 80
 * columns), typed in with send-keys, read back with capture-pane. Skipped, saying so, where tmux
 * is not installed (.ci/run installs it on CI).
 */
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { closeTmux, hasTmux, openPane, SKIPPED, until } from '../helpers/tmux.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, writeInput } from '../helpers/run-helpers.js';

afterAll(closeTmux);

const lines = (n: number, odd = 20) =>
  Array.from({ length: n }, (_, i) =>
    requestLine(`r${i}`, `prompt ${i}`, i === odd ? { frobnicate: true } : {}),
  );

describe.skipIf(!hasTmux)(hasTmux ? 'the progress bar in an 80-column terminal (tmux)' : SKIPPED, () => {
  it('keeps warnings above the bar, fits the line, ends at the total and leaves the summary clean', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 60 });
    const input = writeInput(dir, lines(40));
    const out = join(dir, 'out.jsonl');
    const pane = openPane();
    const command = `node ${BIN} run ${input} ${out} --provider anthropic --base-url ${server.url} -c 2 --progress bar`;
    pane.type(`${command}; echo EXIT=$?`);
    pane.key('Enter');
    const screen = await until(pane.screen, /^EXIT=\d+$/m);
    expect(screen).toMatch(/^EXIT=0$/m);
    const rows = screen.split('\n');
    // The warning raised while the bar was drawn is whole, on a line of its own.
    expect(rows).toContain(
      `lp-batch: warning: ${input}:21: unknown parameter "frobnicate" passed through as is (warned once)`,
    );
    // The last frame: every figure that matters within 80 columns, no placeholder left.
    const bar = rows.find((row) => row.includes('40/40'));
    expect(bar).toBeDefined();
    expect(bar?.length).toBeLessThanOrEqual(79);
    expect(bar).toMatch(/\$0\.\d{6} \| 0 errored/);
    expect(screen).not.toMatch(/\{\w+\}/);
    // The summary starts on a clean line.
    expect(rows.some((row) => /^model +requests +ok +errored/.test(row))).toBe(true);
    expect(rows.some((row) => /^total +40 +40 +0 /.test(row))).toBe(true);
    expect(readResults(out)).toHaveLength(40);
  });

  it('ends a run that only resumed at its total, at 0 req/s: resumed results are none of this run', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(dir, lines(40, -1));
    const out = join(dir, 'out.jsonl');
    const pane = openPane();
    const command = `node ${BIN} run ${input} ${out} --provider anthropic --base-url ${server.url} --progress bar`;
    // The second run finds every result done: it sends nothing, and must still end at 40/40.
    pane.type(`${command} && clear && ${command}; echo EXIT=$?`);
    pane.key('Enter');
    const screen = await until(pane.screen, /^EXIT=\d+$/m);
    expect(screen).toMatch(/^EXIT=0$/m);
    expect(screen).toContain('40 from earlier runs');
    const frames = screen.split('\n').filter((row) => /\d+\/\d+ \|/.test(row));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(/(^|\s)40\/40 \| 0\.0 req\/s \| /);
  });

  it('shows the Ctrl-C notice whole, and what was left unsent', async ({ dir, serve }) => {
    const server = await serve({ latencyMs: 400 });
    const input = writeInput(dir, lines(40, -1));
    const out = join(dir, 'out.jsonl');
    const pane = openPane();
    pane.type(
      `node ${BIN} run ${input} ${out} --provider anthropic --base-url ${server.url} -c 2 --progress bar; echo EXIT=$?`,
    );
    pane.key('Enter');
    await until(pane.screen, /in flight/);
    pane.key('C-c');
    const screen = await until(pane.screen, /^EXIT=\d+$/m);
    expect(screen).toMatch(/^EXIT=130$/m);
    const rows = screen.split('\n');
    expect(rows).toContain(
      'lp-batch: SIGINT: no new requests; waiting up to 30 s for those in flight (again to abort them)',
    );
    const written = readResults(out).length;
    expect(rows).toContain(
      `lp-batch: interrupted; ${40 - written} requests not sent (run again to send them)`,
    );
  });
});
