/** The Markdown summary: what a CI job's page shows, with every text from outside shown as itself. */
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, formatSummaryMarkdown } from '../../src/cli/summary-markdown.js';
import { SummaryBuilder } from '../../src/output/summary.js';

function summaryWith(model: string) {
  const builder = new SummaryBuilder();
  builder.addSucceeded(model, { input_tokens: 10, output_tokens: 5 }, 2_000, { latencyMs: 40 });
  builder.addErrored(model, 'overloaded_error', 'http_error');
  builder.addRetry('overloaded_error', 'http_error');
  return builder.build(2_000);
}

/** The cells of a Markdown table row, split on the pipes that are not escaped. */
const cells = (row: string) => row.slice(2, -2).split(/(?<!\\)\s\|\s/);

describe('formatSummaryMarkdown', () => {
  it('renders a heading, the counts, one table row per model and the totals, then the notes', () => {
    const md = formatSummaryMarkdown(summaryWith('claude-3-haiku-20240307'), 'out-2.jsonl (shard 2/4)');
    expect(md.split('\n')).toEqual([
      '### lp-batch: out-2.jsonl (shard 2/4)',
      '',
      '2 requests: 1 succeeded, 1 errored.',
      '',
      '| model | requests | ok | errored | input | output | cache write | cache read | USD |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| claude-3-haiku-20240307 | 2 | 1 | 1 | 10 | 5 | 0 | 0 | \\$0.000002 |',
      '| **total** | **2** | **1** | **1** | **10** | **5** | **0** | **0** | **$0.000002** |',
      '',
      '- wall time 2.0 s, 1 req/s',
      '- retries: 1 (overloaded\\_error 1; by kind: http\\_error 1)',
      '- errors: (overloaded\\_error 1; by kind: http\\_error 1)',
      '- timings',
      '  - claude-3-haiku-20240307: latency p50 40 ms p95 40 ms',
      '',
    ]);
  });

  it('says what the prompt cache did when anything was cached', () => {
    const builder = new SummaryBuilder();
    const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 1000 };
    builder.addSucceeded('m', usage, 2_000, {}, -250_000);
    builder.addSucceeded(
      'm',
      { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 9000 },
      2_000,
      {},
      24_300_000,
    );
    const md = formatSummaryMarkdown(builder.build(null), 'out.jsonl');
    expect(md).toContain(
      '- prompt cache: 1,000 tokens written, 9,000 read (hit rate 90 %), saved \\$0.024050 against no caching\n',
    );
    expect(formatSummaryMarkdown(summaryWith('m'), 'out.jsonl')).not.toContain('prompt cache');
  });

  it('says first, in bold, why the run stopped early', () => {
    const summary = {
      ...summaryWith('m'),
      stop: { reason: 'budget' as const, message: 'the budget of $0.5 is reached ($0.49 of $0.5 spent)' },
    };
    const md = formatSummaryMarkdown(summary, 'out.jsonl');
    expect(md.split('\n').slice(0, 4)).toEqual([
      '### lp-batch: out.jsonl',
      '',
      '**Stopped early: budget.** the budget of \\$0.5 is reached (\\$0.49 of \\$0.5 spent)',
      '',
    ]);
    expect(md.match(/Stopped early/g)).toHaveLength(1);
  });

  it('keeps a model name with pipes, HTML and emphasis in its own cell, as text', () => {
    const md = formatSummaryMarkdown(summaryWith('a|b <script>x</script> *c*'), 'out.jsonl');
    const row = md.split('\n').find((line) => line.startsWith('| a'));
    expect(row).toBeDefined();
    expect(cells(row ?? '')).toHaveLength(9);
    expect(md).not.toContain('<script>');
    expect(row).toContain('a\\|b &lt;script&gt;x&lt;/script&gt; \\*c\\*');
  });
});

describe('escapeMarkdown', () => {
  it('puts a message on one line and escapes what Markdown or HTML would read', () => {
    expect(escapeMarkdown('line 1\r\nline 2 [link](x) `code` _e_ # h ~s~ & $5')).toBe(
      'line 1 line 2 \\[link\\](x) \\`code\\` \\_e\\_ \\# h \\~s\\~ &amp; \\$5',
    );
  });
});
