/** `lp-batch estimate` and `lp-batch run --dry-run` as a person runs them. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { writeFixture } from '../estimate/fixture.js';

/** A server that answers nothing useful and counts every connection made to it. */
async function connectionCounter(): Promise<{ url: string; connections: () => number; server: Server }> {
  let connections = 0;
  const server = createServer((_req, res) => res.writeHead(500).end());
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('lp-batch estimate', () => {
  it('makes no connection and needs no key, and run --dry-run prints the same and writes nothing', async ({
    dir,
  }) => {
    const counter = await connectionCounter();
    servers.push(counter.server);
    const input = writeFixture(dir);
    const gateway = ['--provider', 'anthropic', '--base-url', counter.url];
    const estimate = await runCli(['estimate', input, ...gateway]);
    expect(estimate.code).toBe(0);
    const output = join(dir, 'out.jsonl');
    const dryRun = await runCli(['run', input, output, '--dry-run', ...gateway, '-c', '4']);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toBe(estimate.stdout);
    expect(existsSync(output)).toBe(false);
    expect(counter.connections()).toBe(0);
    // The counter counts: one request to it is one connection.
    await fetch(counter.url).then((r) => r.text());
    expect(counter.connections()).toBe(1);

    expect(estimate.stdout).toMatch(
      /^model\s+requests\s+input tokens\s+max output\s+USD min\s+USD expected\s+USD max$/m,
    );
    expect(estimate.stdout).toMatch(/^claude-haiku-4-5\s+4\s+2,165\s+400\s+\$0\.002165\s+—\s+\$0\.004165$/m);
    expect(estimate.stdout).toMatch(/^my-model\s+1\s+16\s+10\s+unknown\s+unknown\s+unknown$/m);
    expect(estimate.stdout).toMatch(/^total\s+5\s+2,181\s+410\s+\$0\.002165\+\?\s+—\s+\$0\.004165\+\?$/m);
    expect(estimate.stdout).toContain(
      `  ${input}:5: params.max_tokens: expected a positive integer, got "64"\n`,
    );
    expect(estimate.stdout).toContain('no price for "my-model": counted, not priced');
    expect(estimate.stderr).toBe('');
  });

  it('reads standard input for an input of -, as run does', async ({ dir }) => {
    const input = writeFixture(dir);
    const fromFile = await runCli(['estimate', 'in.jsonl', '--json'], {}, { cwd: dir });
    const fromStdin = await runCli(['estimate', '-', '--json'], {}, { input: readFileSync(input, 'utf8') });
    expect(fromStdin.code).toBe(0);
    const file = JSON.parse(fromFile.stdout) as { invalid_lines: { message: string }[] };
    const stdin = JSON.parse(fromStdin.stdout) as { invalid_lines: { message: string }[] };
    // The same report; the invalid line is named after its input as given (`-`).
    expect(stdin.invalid_lines[0]?.message).toBe(
      '-:5: params.max_tokens: expected a positive integer, got "64"',
    );
    expect({ ...stdin, invalid_lines: [] }).toEqual({ ...file, invalid_lines: [] });
  });

  it('prints the report as JSON with --json', async ({ dir }) => {
    const input = writeFixture(dir);
    const run = await runCli([
      'estimate',
      input,
      '--json',
      '--assume-output-tokens',
      '60',
      '--price-tier',
      'batch',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual([
      'requests',
      'input_tokens',
      'max_output_tokens',
      'cost_usd',
      'by_model',
      'invalid_lines',
      'unpriced_models',
      'method',
      'cache',
    ]);
    expect(report.cost_usd).toEqual({ min: 0.0010825, max: 0.0020825, expected: 0.0016325 });
    expect(report.method).toBe('heuristic');
  });

  it('counts by the gateway with --count-tokens api (here the built-in simulator)', async ({ dir }) => {
    const input = writeFixture(dir);
    const run = await runCli(['estimate', input, '--json', '--count-tokens', 'api', '--provider', 'mock']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { method: string }).method).toBe('count_tokens_api');
  });

  it('names a bad --pricing entry and exits 2, and refuses a bad option the same way', async ({ dir }) => {
    const input = writeFixture(dir);
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({ aliases: { mine: 'no-such-model' } }));
    const bad = await runCli(['estimate', input, '--pricing', join(dir, 'prices.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `lp-batch: --pricing ${join(dir, 'prices.json')}: aliases.mine: expected the name of a model of the table, got "no-such-model"\n`,
    );
    const ratio = await runCli(['estimate', input, '--assume-output-ratio', '2']);
    expect(ratio.code).toBe(2);
    expect(ratio.stderr).toBe(
      'lp-batch: Expected `--assume-output-ratio` to be a number from 0 to 1, got `2`\n',
    );
    const dryRun = await runCli([
      'run',
      input,
      join(dir, 'o.jsonl'),
      '--dry-run',
      '--pricing',
      join(dir, 'prices.json'),
    ]);
    expect(dryRun.code).toBe(2);
  });
});
