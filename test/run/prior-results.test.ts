/**
 * A run's resume decisions over the lean index (fingerprints, offsets, lines read again) are the
 * decisions over whole ids: checked with every custom_id sharing one fingerprint, so that each
 * match must be settled by reading a line again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { FingerprintOf } from '../../src/fingerprint-table.js';
import { hashParams } from '../../src/output/params-hash.js';
import { scanResultsFile } from '../../src/output/results-scan.js';
import { LineIntake } from '../../src/run/intake.js';
import { PriorResults } from '../../src/run/prior-results.js';
import { errored, succeeded, toJsonl } from '../output/results-file-fixtures.js';
import { it } from '../helpers/fixtures.js';

const IDS = ['a', 'b', 'c', 'line-2', 'line-9', 'gone'];

function params(prompt: string) {
  return { model: 'claude-3-haiku-20240307', max_tokens: 5, messages: [{ role: 'user', content: prompt }] };
}

/** An input line: an id from the pool (or none), one of two prompts. */
const inputLine = fc.record({
  id: fc.option(fc.constantFrom(...IDS), { nil: undefined }),
  prompt: fc.constantFrom('p', 'q'),
});
/** An earlier result: an id, its type, and the prompt it was for (its params_hash). */
const priorLine = fc.record({
  id: fc.constantFrom(...IDS),
  type: fc.constantFrom('succeeded' as const, 'errored' as const),
  prompt: fc.constantFrom('p', 'q'),
});

/** What a run decides for each line, and which earlier results no line asked for. */
async function decisions(dir: string, input: string[], results: string, fingerprint?: FingerprintOf) {
  const inputPath = join(dir, 'in.jsonl');
  const resultsPath = join(dir, 'out.jsonl');
  writeFileSync(inputPath, input.map((line) => `${line}\n`).join(''));
  writeFileSync(resultsPath, results);
  const scan = await scanResultsFile(resultsPath, fingerprint === undefined ? {} : { fingerprint });
  const prior = new PriorResults(scan?.index ?? null);
  const intake = new LineIntake({
    file: 'in.jsonl',
    path: inputPath,
    defaults: {},
    prior,
    skipErrored: false,
    fingerprint,
  });
  const taken = input.map((text, i) => {
    const decided = intake.take(text, i + 1, () => {});
    if (decided.kind === 'resumed') return ['resumed', decided.req.custom_id, decided.prior.offset];
    if (decided.kind === 'send') return ['send', decided.req.custom_id, decided.changed, decided.hadPrior];
    return [decided.kind, decided.custom_id, prior.has(decided.custom_id)];
  });
  const unasked = [...prior.unasked()].map((entry) => [entry.custom_id, entry.offset]);
  return { taken, unasked, superseded: scan?.superseded };
}

describe('resume decisions over the lean index', () => {
  it('are the same when every custom_id shares one fingerprint', async ({ dir }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(inputLine, { maxLength: 12 }),
        fc.array(priorLine, { maxLength: 12 }),
        async (lines, priors) => {
          const input = lines.map(({ id, prompt }) =>
            JSON.stringify(
              id === undefined ? { params: params(prompt) } : { custom_id: id, params: params(prompt) },
            ),
          );
          const results = toJsonl(
            priors.map(({ id, type, prompt }, i) => {
              const hash = hashParams(JSON.stringify(params(prompt)));
              return type === 'succeeded' ? succeeded(id, i + 1, 'x', hash) : errored(id, i + 1, hash);
            }),
          );
          const whole = await decisions(dir, input, results);
          expect(await decisions(dir, input, results, () => 0)).toEqual(whole);
          expect(await decisions(dir, input, results, (id) => id.length)).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});
