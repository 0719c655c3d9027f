/** What the run does with each input line: send it, skip it as done, or write it as errored. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { hashParams } from '../../src/output/params-hash.js';
import { scanResultsFile } from '../../src/output/results-scan.js';
import { LineIntake } from '../../src/run/intake.js';
import { PriorResults } from '../../src/run/prior-results.js';
import type { ResultLine } from '../../src/types.js';
import { errored, succeeded, toJsonl } from '../output/results-file-fixtures.js';
import { it } from '../helpers/fixtures.js';
import { requestLine } from '../helpers/run-helpers.js';

const PARAMS = {
  model: 'claude-3-haiku-20240307',
  max_tokens: 50,
  messages: [{ role: 'user', content: 'hi' }],
};

/** Earlier results as a run finds them: a results file in `dir`, scanned. */
async function priorsIn(dir: string, lines: readonly ResultLine[]): Promise<PriorResults> {
  const path = join(dir, `prior-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, toJsonl(lines));
  const scan = await scanResultsFile(path);
  if (scan === null) throw new Error('expected the results file');
  return new PriorResults(scan.index);
}

function intakeOf(prior = PriorResults.none(), skipErrored = false): LineIntake {
  return new LineIntake({ file: 'in.jsonl', defaults: {}, prior, skipErrored });
}

/** An errored result of a line that was never sent (no params_hash). */
function refused(custom_id: string): ResultLine {
  const { params_hash: _none, ...line } = errored(custom_id, 2);
  return line;
}

describe('LineIntake', () => {
  it('sends a valid line with its params as JSON and their hash', () => {
    const taken = intakeOf().take(requestLine('a', 'hi'), 1, () => {});
    expect(taken).toMatchObject({ kind: 'send', changed: false, hadPrior: false });
    if (taken.kind !== 'send') return;
    expect(taken.req).toEqual({ custom_id: 'a', line: 1, params: { ...PARAMS, max_tokens: 50 } });
    expect(taken.json).toBe(JSON.stringify(taken.req.params));
    expect(taken.hash).toBe(hashParams(taken.json));
  });

  it('makes a bad line invalid, named by file, line and field', () => {
    expect(intakeOf().take('{nope', 3, () => {})).toMatchObject({
      kind: 'invalid',
      custom_id: 'line-3',
      line: 3,
      model: null,
    });
    const noTokens = JSON.stringify({ custom_id: 'b', params: { ...PARAMS, max_tokens: 0 } });
    const taken = intakeOf().take(noTokens, 4, () => {});
    expect(taken.kind === 'invalid' && taken.message).toMatch(/^in\.jsonl:4: params\.max_tokens: /);
  });

  it('reports a repeated custom_id under its own line, so the first line keeps its result', async ({
    dir,
  }) => {
    const prior = await priorsIn(dir, [refused('line-2'), refused('gone')]);
    const intake = intakeOf(prior);
    expect(intake.take(requestLine('dup', 'one'), 1, () => {}).kind).toBe('send');
    expect(intake.take(requestLine('dup', 'two'), 2, () => {})).toEqual({
      kind: 'invalid',
      custom_id: 'line-2',
      line: 2,
      message: 'in.jsonl:2: custom_id: "dup" repeats line 1; custom_ids must be unique',
      model: 'claude-3-haiku-20240307',
    });
    expect([...prior.unasked()].map((entry) => entry.custom_id)).toEqual(['gone']);
  });

  it('resumes a succeeded result of the same params, and sends again what changed or errored', async ({
    dir,
  }) => {
    const line = requestLine('a', 'hi');
    const hash = (text: string) => {
      const taken = intakeOf().take(text, 1, () => {});
      return taken.kind === 'send' ? taken.hash : '';
    };
    const done = intakeOf(await priorsIn(dir, [succeeded('a', 1, 'hello', hash(line))])).take(
      line,
      1,
      () => {},
    );
    expect(done).toMatchObject({ kind: 'resumed', prior: { custom_id: 'a', type: 'succeeded', offset: 0 } });
    const changed = intakeOf(await priorsIn(dir, [succeeded('a', 1, 'hello', 'old-hash')])).take(
      line,
      1,
      () => {},
    );
    expect(changed).toMatchObject({ kind: 'send', changed: true, hadPrior: true });
    const prior = await priorsIn(dir, [errored('a', 1, hash(line))]);
    expect(intakeOf(prior).take(line, 1, () => {})).toMatchObject({
      kind: 'send',
      changed: false,
      hadPrior: true,
    });
    expect([...prior.unasked()]).toEqual([]);
    const kept = intakeOf(await priorsIn(dir, [errored('a', 1, hash(line))]), true).take(line, 1, () => {});
    expect(kept.kind).toBe('resumed');
  });

  it('warns once per unknown top-level parameter, naming the line it first appeared on', () => {
    const intake = intakeOf();
    const warnings: string[] = [];
    for (const n of [1, 2, 3]) {
      intake.take(requestLine(`u${n}`, 'hi', { output_config: { effort: 'low' } }), n, (w) =>
        warnings.push(w),
      );
    }
    expect(warnings).toEqual([
      'in.jsonl:1: unknown parameter "output_config" passed through as is (warned once)',
    ]);
  });
});
