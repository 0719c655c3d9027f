/**
 * When a result reaches the file: the results of one turn of the event loop go in one write, and
 * never after a later request has gone out (so a killed run re-sends at most what was in flight).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { it } from '../helpers/fixtures.js';
import { requestLine, runLines } from '../helpers/run-helpers.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => requestLine(`r${i}`, `p${i}`));

/** Complete lines in `path` now, read synchronously. */
function linesIn(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

describe('durability of results', () => {
  it('has every result that was final in the file before the next request is created', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ latencyMs: 2 });
    const output = join(dir, 'out.jsonl');
    // Told synchronously as undici creates each request, before a byte of it is written.
    const seen: number[] = [];
    const onCreate = () => seen.push(linesIn(output));
    subscribe('undici:request:create', onCreate);
    try {
      // One slot: request i goes only once request i - 1 is final.
      await runLines(server, dir, lines(12), { concurrency: 1, outputPath: output });
    } finally {
      unsubscribe('undici:request:create', onCreate);
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(linesIn(output)).toBe(12);
  });
});
