/**
 * The progress of a batches run as a person sees it: the built CLI in a real terminal (a tmux pane of
 * 80 columns). Skipped, saying so, where tmux is not installed.
 */
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, writeInput } from '../helpers/run-helpers.js';
import { closeTmux, hasTmux, openPane, SKIPPED, until } from '../helpers/tmux.js';

afterAll(closeTmux);

describe.skipIf(!hasTmux)(hasTmux ? 'the batches progress in an 80-column terminal (tmux)' : SKIPPED, () => {
  it('shows each batch and the total with their counts, within the line, then the summary', async ({
    dir,
    serve,
  }) => {
    const server = await serve({
      batchProcessingMs: 1500,
      batchOutcome: ({ custom_id }) => (custom_id === 'r3' ? 'expired' : undefined),
    });
    const input = writeInput(
      dir,
      Array.from({ length: 6 }, (_, i) => requestLine(`r${i}`, `prompt ${i}`)),
    );
    const out = join(dir, 'out.jsonl');
    const pane = openPane();
    pane.type(
      `node ${BIN} run ${input} ${out} --engine batches --provider anthropic --base-url ${server.url} --batch-max-requests 4 --poll-interval 0.2 --max-poll-interval 0.2 --progress bar; echo EXIT=$?`,
    );
    pane.key('Enter');
    // While the batches run: each one's counts so far.
    const running = await until(pane.screen, /^\d\/4 \| msgbatch_mock_1 in_progress \| \d ok \| 0 errored/m);
    expect(running).toMatch(/^\d\/2 \| msgbatch_mock_2 in_progress \| /m);
    const screen = await until(pane.screen, /^EXIT=\d+$/m);
    // The expired request did not succeed: exit 1.
    expect(screen).toMatch(/^EXIT=1$/m);
    const rows = screen.split('\n').map((row) => row.trimEnd());
    expect(rows).toContain('4/4 | msgbatch_mock_1 ended | 3 ok | 0 errored | 1 expired | 0 canceled');
    expect(rows).toContain('2/2 | msgbatch_mock_2 ended | 2 ok | 0 errored | 0 expired | 0 canceled');
    expect(rows).toContainEqual(
      expect.stringMatching(/^█+ 6\/6 \| total 2\/2 ended \| 5 ok \| 0 errored \| 1 expired \| 0 canceled$/),
    );
    // Every frame within the 80 columns (the last one would wrap on some terminals).
    const frames = rows.filter((row) => / \| /.test(row) && !row.startsWith('bash'));
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const row of frames) expect(row.length, row).toBeLessThanOrEqual(79);
    expect(screen).not.toMatch(/\{\w+\}/);
    // The summary starts on a clean line, below the last frames.
    expect(rows.some((row) => /^model +requests +ok +errored/.test(row))).toBe(true);
    expect(rows).toContain('not run by their batch: 0 canceled, 1 expired (a later run sends them)');
    expect(readResults(out)).toHaveLength(6);
  });
});
