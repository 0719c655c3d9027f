/** `--cache` as a person uses it: the built CLI, spawned, against the built-in simulator. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { RunSummary } from '../../src/output/summary.js';
import { runCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { readResults, writeInput } from '../helpers/run-helpers.js';
import { succeeded } from '../cache/cache-lines.js';

/** 8 lines sharing a long system prompt none of them marks, each with a question of its own. */
function sharedPromptLines(): string[] {
  const system = 'You answer questions about the tides. '.padEnd(5000, 'tide ');
  return Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({
      custom_id: `q${i}`,
      params: {
        model: 'claude-sonnet-4-5',
        max_tokens: 16,
        system,
        messages: [{ role: 'user', content: `tide ${i}?` }],
      },
    }),
  );
}

describe('lp-batch run --cache (spawned)', () => {
  it('--cache auto marks the shared prompt: one write, the rest read, and the summary shows the money', async ({
    dir,
  }) => {
    const input = writeInput(dir, sharedPromptLines());
    const estimate = await runCli(['estimate', input]);
    expect(estimate.code).toBe(0);
    expect(estimate.stdout).toMatch(/^--cache auto would save about \$0\.\d+ more: 8 requests share/m);

    const out = join(dir, 'out.jsonl');
    const summaryFile = join(dir, 'summary.json');
    const run = await runCli([
      'run',
      input,
      out,
      '--provider',
      'mock',
      '--cache',
      'auto',
      '-c',
      '8',
      '--summary',
      summaryFile,
      '--progress',
      'none',
    ]);
    expect(run.code).toBe(0);
    const results = succeeded(readResults(out));
    expect(results).toHaveLength(8);
    const writes = results.filter((r) => (r.usage.cache_creation_input_tokens ?? 0) > 0);
    expect(writes).toHaveLength(1);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary;
    expect(summary.cache.write_tokens).toBe(writes[0]?.usage.cache_creation_input_tokens);
    expect(summary.cache.read_tokens).toBe(7 * summary.cache.write_tokens);
    expect(summary.cache.hit_rate).toBe(0.875);
    expect(summary.cache.saved_usd).toBeGreaterThan(0);
    expect(run.stderr).toMatch(
      /^prompt cache: [\d,]+ tokens written, [\d,]+ read \(hit rate 87\.5 %\), saved \$0\.\d+ against no caching$/m,
    );
    expect(run.stderr).not.toContain('warning');
  });

  it('--cache schedule (the default) leaves unmarked lines as written; --cache off too', async ({ dir }) => {
    const input = writeInput(dir, sharedPromptLines());
    for (const args of [[], ['--cache', 'off']]) {
      const out = join(dir, `out${args.length}.jsonl`);
      const run = await runCli(['run', input, out, '--provider', 'mock', '--progress', 'none', ...args]);
      expect(run.code).toBe(0);
      expect(succeeded(readResults(out)).every((r) => (r.usage.cache_read_input_tokens ?? 0) === 0)).toBe(
        true,
      );
      expect(run.stderr).not.toContain('prompt cache');
    }
  });

  it('refuses an unknown mode, naming the choices, exit 2', async ({ dir }) => {
    const input = writeInput(dir, sharedPromptLines());
    const run = await runCli([
      'run',
      input,
      join(dir, 'out.jsonl'),
      '--provider',
      'mock',
      '--cache',
      'always',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'lp-batch: Expected `--cache` to be one of schedule | auto | off, got `always`\n',
    );
  });
});
