/** Durable appends: the lines of one turn of the event loop go to the file together, at its end or on flush. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { erroredLine, notSentFailure } from '../../src/output/result-line.js';
import { ResultsWriter } from '../../src/output/results-writer.js';
import { it } from '../helpers/fixtures.js';

const line = (n: number) =>
  erroredLine({ custom_id: `c${n}`, line: n, model: null }, notSentFailure(`bad ${n}`), {
    attempts: 0,
    latencyMs: 0,
  });

describe('ResultsWriter', () => {
  it('writes the results of one turn together, as whole lines, before the next turn', async ({ dir }) => {
    const path = join(dir, 'out.jsonl');
    const writer = new ResultsWriter(path);
    writer.append(line(1));
    writer.append(line(2));
    expect(readFileSync(path, 'utf8')).toBe('');
    await nextTurn();
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(line(1))}\n${JSON.stringify(line(2))}\n`);
    writer.append(line(3));
    writer.close();
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(3);
  });

  it('appends to what is there, and writes at once on flush', ({ dir }) => {
    const path = join(dir, 'out.jsonl');
    const first = new ResultsWriter(path);
    first.append(line(1));
    first.close();
    const second = new ResultsWriter(path);
    second.append(line(2));
    second.flush();
    expect(
      readFileSync(path, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { line: number }).line),
    ).toEqual([1, 2]);
    second.close();
  });

  it('fsyncs on its interval off the event loop, and still closes its descriptor when close() comes mid-sync', async ({
    dir,
  }) => {
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    for (let n = 0; n < 20; n += 1) {
      const path = join(dir, `out-${n}.jsonl`);
      const writer = new ResultsWriter(path, { fsyncIntervalMs: 1 });
      writer.append(line(n));
      writer.flush();
      // Long enough for the interval to start an fdatasync, which close() may then overtake.
      await delay(2);
      writer.close();
      expect(writer.failure).toBeNull();
      expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(line(n))}\n`);
    }
    // Every sync still running has finished and closed what it held.
    for (let tries = 0; tries < 100 && openFds() > before; tries += 1) await delay(2);
    expect(openFds()).toBe(before);
  });

  it('refuses an append after close, and closes twice without harm', ({ dir }) => {
    const writer = new ResultsWriter(join(dir, 'out.jsonl'));
    writer.close();
    writer.close();
    expect(() => writer.append(line(1))).toThrow('results writer is closed');
  });

  it('after a failed write (ENOSPC on /dev/full) keeps every line it could not write, in order, and never throws', async () => {
    const failures: Error[] = [];
    const writer = new ResultsWriter('/dev/full', { onFailure: (error) => failures.push(error) });
    writer.append(line(1));
    writer.append(line(2));
    await nextTurn();
    expect(failures.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(writer.failure).toBe(failures[0]);
    writer.append(line(3));
    writer.close();
    expect(writer.unsaved).toEqual([1, 2, 3].map((n) => JSON.stringify(line(n))));
    expect(failures).toHaveLength(1);
  });
});
