/**
 * `lp-batch summarize` as a CI job runs it: spawned, on the results file of a spawned run, against
 * the run's own `--summary`; the JUnit report read with a real XML parser; the job summary appended
 * to the file GITHUB_STEP_SUMMARY names.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import type { MockServer } from '../../src/mock/server.js';
import type { RunSummary } from '../../src/output/summary.js';
import { runCli } from '../helpers/cli.js';
import { failFirst, firstOf, whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { type AnyResult, readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

const HAIKU = 'claude-3-haiku-20240307';
/** A server's message with what XML cannot hold (U+0001) and what it must escape. */
const REFUSAL = 'no <thanks> & "bye"\u0001';

/** A reply under another spelling of the model asked for, with cache writes and reads. */
const ALIASED_REPLY = JSON.stringify({
  id: 'msg_gw_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-haiku-gateway-spelling',
  content: [{ type: 'text', text: 'hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 7, output_tokens: 3, cache_creation_input_tokens: 100, cache_read_input_tokens: 50 },
});

/** Seven lines: succeeded, retried twice, refused by the server, not JSON, streamed, unpriced, aliased. */
const LINES = [
  requestLine('q-ok', 'hello'),
  requestLine('q-flaky', 'flaky'),
  requestLine('q-bad', 'refuse'),
  '{not json',
  requestLine('q-stream', 'stream me', { model: 'claude-sonnet-4-5', stream: true }),
  requestLine('q-unpriced', 'who prices me', { model: 'my-private-model' }),
  requestLine('q-alias', 'alias'),
];

function serveMixed(serve: (o: object) => Promise<MockServer>): Promise<MockServer> {
  return serve({
    fault: firstOf(
      whenPrompt('flaky', failFirst(2, faults.overloaded())),
      whenPrompt('refuse', faults.invalidRequest(REFUSAL)),
      whenPrompt('alias', faults.rawResponse(200, 'application/json', ALIASED_REPLY)),
    ),
  });
}

/** `lp-batch run` of `lines` in `dir` against `server`, with the key, `args` and `env` added. */
function spawnRun(
  dir: string,
  server: MockServer,
  lines: string[],
  args: string[],
  env: Record<string, string> = {},
) {
  const argv = ['run', writeInput(dir, lines), join(dir, 'out.jsonl')];
  argv.push('--provider', 'anthropic', '--base-url', server.url, '--progress', 'none', ...args);
  return runCli(argv, { LP_API_KEY: TEST_KEY, ...env });
}

/** Runs LINES in `dir` with `args` added; returns the run, its summary file and its results. */
async function runMixed(
  dir: string,
  server: MockServer,
  args: string[] = [],
  env: Record<string, string> = {},
) {
  const output = join(dir, 'out.jsonl');
  const summaryFile = join(dir, 'run-summary.json');
  const run = await spawnRun(
    dir,
    server,
    LINES,
    ['--summary', summaryFile, '--max-retry-wait', '0', '--max-failures', '2', ...args],
    env,
  );
  return { run, output, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary };
}

/**
 * Fields of the run's summary that its results file cannot give back, and what summarize says
 * instead; `requests.not_sent` too is null (what the input held is not in the file). `stop` and
 * `budget` are null too, and equal here: this run dealt with every line, without a budget.
 */
const NOT_IN_RESULTS_FILE = {
  wall_ms: null,
  requests_per_second: null,
  retries_by_type: null, // a results line has `attempts`, not why each failed
  retries_by_kind: null,
} as const;

describe('lp-batch summarize (spawned)', () => {
  it("gives back the run's own --summary field by field, from the results file alone", async ({
    dir,
    serve,
  }) => {
    const server = await serveMixed(serve);
    const { run, output, summary } = await runMixed(dir, server);
    expect(run.code, run.stderr).toBe(0);
    // What the run must have gone through for the comparison to mean something.
    expect(summary.requests).toEqual({
      total: 7,
      succeeded: 5,
      errored: 2,
      canceled: 0,
      expired: 0,
      resumed: 0,
      not_sent: 0,
    });
    expect(summary.retries).toBe(2);
    expect(summary.retries_by_type).toEqual({ overloaded_error: 2 });
    expect(summary.unpriced_models).toEqual(['my-private-model']);
    expect(Object.keys(summary.by_model)).toEqual(['(none)', HAIKU, 'claude-sonnet-4-5', 'my-private-model']);
    expect(summary.by_model[HAIKU]?.cache_creation_input_tokens).toBe(100);
    expect(summary.by_model['claude-sonnet-4-5']?.ttft_ms.p50).not.toBeNull();
    expect(summary.stop).toBeNull();
    expect(summary.budget).toBeNull();

    const rebuilt = await runCli(['summarize', output, '--json', '--max-failures', '2']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const again = JSON.parse(rebuilt.stdout) as Record<string, unknown>;
    expect(Object.keys(again).sort()).toEqual(Object.keys(summary).sort());
    for (const [field, value] of Object.entries(summary)) {
      if (field in NOT_IN_RESULTS_FILE) continue;
      const expected = field === 'requests' ? { ...summary.requests, not_sent: null } : value;
      expect(again[field], field).toEqual(expected);
    }
    expect(again).toMatchObject(NOT_IN_RESULTS_FILE);
  });

  it('prints the table the run printed, and says what the file cannot tell', async ({ dir, serve }) => {
    const server = await serveMixed(serve);
    const { run, output } = await runMixed(dir, server);
    const table = await runCli(['summarize', output, '--max-failures', '2']);
    expect(table.code).toBe(0);
    /** The table: from its header to its totals. */
    const rows = (text: string) => {
      const lines = text.split('\n');
      return lines.slice(
        lines.findIndex((l) => l.startsWith('model ')),
        lines.findIndex((l) => l.startsWith('total ')) + 1,
      );
    };
    expect(rows(table.stdout)).toHaveLength(6); // header, four models, total
    expect(rows(table.stdout)).toEqual(rows(run.stderr));
    expect(table.stdout).toContain('retries: 2 (why each failed is not in the results file)');
    expect(table.stdout).toContain(
      'errors: (invalid_request_error 2; by kind: http_error 1, invalid_input 1)',
    );
    expect(table.stdout).not.toContain('wall time');
  });

  it('writes JUnit XML: a test case per request, errored ones failed with type and message', async ({
    dir,
    serve,
  }) => {
    const server = await serveMixed(serve);
    const junit = join(dir, 'junit.xml');
    const { run, output } = await runMixed(dir, server, ['--junit', junit]);
    expect(run.code, run.stderr).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseAttributeValue: false,
      isArray: (name) => name === 'testcase',
    }).parse(xml) as { testsuites: JunitSuites };
    const suite = parsed.testsuites.testsuite;
    const results = readResults(output) as unknown as AnyResult[];
    for (const counts of [parsed.testsuites, suite]) {
      expect(counts).toMatchObject({ tests: '7', failures: '2', errors: '0', skipped: '0' });
    }
    expect(suite.name).toBe(output);
    expect(suite.testcase).toHaveLength(7);
    const total = results.reduce((sum, r) => sum + r.latency_ms, 0) / 1000;
    expect(Number(suite.time)).toBeCloseTo(total, 3);
    for (const result of results) {
      const testcase = suite.testcase.find((t) => t.name === result.custom_id);
      expect(testcase?.time).toBe((result.latency_ms / 1000).toFixed(3));
    }
    const byName = new Map(suite.testcase.map((t) => [t.name, t]));
    expect(byName.get('q-ok')).toMatchObject({ classname: HAIKU });
    expect(byName.get('q-ok')?.failure).toBeUndefined();
    expect(byName.get('q-alias')).toMatchObject({ classname: HAIKU }); // the model asked for
    expect(byName.get('q-bad')?.failure).toMatchObject({
      type: 'invalid_request_error',
      message: 'no <thanks> & "bye"', // U+0001 cannot be in XML: dropped
    });
    expect(byName.get('q-bad')?.failure?.['#text']).toContain('http_error, HTTP 400) after 1 attempts');
    expect(byName.get('line-4')).toMatchObject({ classname: '(none)' });
    expect(byName.get('line-4')?.failure?.message).toContain('in.jsonl:4: not valid JSON');
    expect([...byName.values()].filter((t) => t.failure !== undefined)).toHaveLength(2);

    // summarize writes the same report from the file.
    const again = join(dir, 'again.xml');
    expect((await runCli(['summarize', output, '--junit', again, '--max-failures', '2'])).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(xml);
  });

  it('appends the Markdown summary to GITHUB_STEP_SUMMARY, after what the job wrote there', async ({
    dir,
    serve,
  }) => {
    const server = await serveMixed(serve);
    const step = join(dir, 'step-summary.md');
    writeFileSync(step, '# Earlier step\n');
    const { output } = await runMixed(dir, server, [], { GITHUB_STEP_SUMMARY: step });
    const afterRun = readFileSync(step, 'utf8');
    expect(afterRun.startsWith('# Earlier step\n### lp-batch: ')).toBe(true);
    expect(afterRun).toContain('7 requests: 5 succeeded, 2 errored.');
    expect(afterRun).toContain('| **total** | **7** | **5** | **2** |');
    expect(afterRun).not.toContain('Stopped early');

    const summarize = await runCli(['summarize', output, '--json', '--max-failures', '2'], {
      GITHUB_STEP_SUMMARY: step,
    });
    expect(summarize.code).toBe(0);
    const both = readFileSync(step, 'utf8');
    expect(both.startsWith(afterRun)).toBe(true);
    expect(both.split('### lp-batch: ')).toHaveLength(3);
    expect(both.slice(afterRun.length)).toBe(
      `${(await runCli(['summarize', output, '--markdown', '--max-failures', '2'])).stdout}\n`,
    );
  });

  it('labels a run cut off by its budget in the table, the JSON and the job summary (exit 3)', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const lines = Array.from({ length: 20 }, (_, i) => requestLine(`q${i}`, `prompt ${i}`));
    const step = join(dir, 'step.md');
    const summaryFile = join(dir, 'summary.json');
    const r = await spawnRun(
      dir,
      server,
      lines,
      ['--max-cost', '0.0002', '-c', '1', '--summary', summaryFile],
      {
        GITHUB_STEP_SUMMARY: step,
      },
    );
    expect(r.code).toBe(3);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary;
    expect(summary.stop?.reason).toBe('budget');
    expect(r.stderr).toContain(`stopped early (budget): ${summary.stop?.message}\n`);
    expect(readFileSync(step, 'utf8')).toContain('**Stopped early: budget.** --max-cost \\$0.0002: \\$');
  });

  it('never writes the key to the JUnit report, the job summary or the table, even when a server echoes it', async ({
    dir,
    serve,
  }) => {
    const server = await serve({
      fault: firstOf(
        whenPrompt('echo', faults.invalidRequest(`bad key ${TEST_KEY} <here>`)),
        whenPrompt('refused', faults.apiError(401, 'authentication_error', `invalid x-api-key ${TEST_KEY}`)),
      ),
    });
    const lines = [requestLine('q1', 'echo'), requestLine('q2', 'refused')];
    const step = join(dir, 'step.md');
    const junit = join(dir, 'junit.xml');
    const r = await spawnRun(dir, server, lines, ['-c', '1', '--junit', junit], {
      GITHUB_STEP_SUMMARY: step,
    });
    expect(r.code).toBe(2); // the 401 stops the run
    const written = {
      junit: readFileSync(junit, 'utf8'),
      step: readFileSync(step, 'utf8'),
      stderr: r.stderr,
    };
    for (const [what, text] of Object.entries(written)) {
      expect(text, what).not.toContain(TEST_KEY);
      // Markdown escapes the brackets: it is the same word.
      expect(text.replaceAll('\\[', '[').replaceAll('\\]', ']'), what).toContain('[redacted]');
    }
    expect(written.step).toContain('**Stopped early: auth.**');
  });

  it('refuses a GITHUB_STEP_SUMMARY that is the results file, before sending anything', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const output = join(dir, 'out.jsonl');
    const r = await spawnRun(dir, server, [requestLine('a', 'x')], [], { GITHUB_STEP_SUMMARY: output });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `GITHUB_STEP_SUMMARY ${output} is the same file as the results file ${output}`,
    );
    expect(server.requests).toHaveLength(0);
    expect(existsSync(output)).toBe(false);
  });

  it('warns, and fails nothing, when the job summary cannot be appended to', async ({ dir, serve }) => {
    const server = await serve();
    const step = join(dir, 'no-such-folder', 'step.md');
    const r = await spawnRun(dir, server, [requestLine('a', 'x')], [], { GITHUB_STEP_SUMMARY: step });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `lp-batch: warning: cannot append the summary to GITHUB_STEP_SUMMARY (${step}): ENOENT`,
    );
    expect(readResults(join(dir, 'out.jsonl'))).toHaveLength(1);
  });

  it('exits 2 naming a file that is missing or not lp-batch output', async ({ dir }) => {
    const missing = await runCli(['summarize', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`lp-batch: results file not found: ${join(dir, 'nope.jsonl')}\n`);
    const foreign = join(dir, 'foreign.jsonl');
    writeFileSync(foreign, '{"id": 1}\n');
    const refused = await runCli(['summarize', foreign]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${foreign}:1: not an lp-batch results file`);
  });
});

interface JunitCase {
  name: string;
  classname: string;
  time: string;
  failure?: { type: string; message: string; '#text': string };
}

interface JunitSuites {
  tests: string;
  failures: string;
  testsuite: { name: string; time: string; tests: string; testcase: JunitCase[] };
}
