/**
 * The command line's answers to keys and flags that would hurt: a key that would leak or reveal
 * itself, a value Node's timers cannot hold, headers that may not be set. A spawned process each time.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { runCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

/** `text` with every character written as a JSON `\uXXXX` escape. */
function escaped(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

describe('lp-batch run: keys', () => {
  it('keeps a key the gateway echoes, JSON-escaped, out of stderr, results and summary', async ({
    dir,
    serve,
  }) => {
    const server = await serve({
      fault: (request) =>
        faults.rawResponse(
          401,
          'application/json',
          `{"type":"error","error":{"type":"authentication_error","message":"invalid key ${escaped(request.headers['x-api-key'] ?? '')}"},"request_id":"${escaped(request.headers['x-api-key'] ?? '')}"}`,
        ),
    });
    const input = writeInput(dir, [requestLine('a', 'x')]);
    const out = join(dir, 'out.jsonl');
    const summary = join(dir, 'summary.json');
    const r = await runCli(
      ['run', input, out, '--provider', 'anthropic', '--base-url', server.url, '--summary', summary],
      { LP_API_KEY: TEST_KEY },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the gateway refused the key from LP_API_KEY: invalid key [redacted]');
    expect(server.requests[0]?.headers['x-api-key']).toBe(TEST_KEY);
    for (const text of [r.stderr, r.stdout, JSON.stringify(readResults(out))]) {
      expect(text).not.toContain('SECRET');
      expect(text).not.toContain(escaped('SECRET'));
    }
  });

  it('refuses a key shorter than 8 characters for a gateway that is not on loopback', async ({ dir }) => {
    const input = writeInput(dir, [requestLine('a', 'x')]);
    // .invalid never resolves: were the key not refused first, nothing could be reached anyway.
    const r = await runCli(
      ['run', input, join(dir, 'out.jsonl'), '--base-url', 'https://gateway.invalid', '--progress', 'none'],
      { LP_API_KEY: 'k' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lp-batch: the API key from LP_API_KEY is shorter than 8 characters: no real key is, so check it (short keys are accepted only for a gateway on loopback, such as the simulator)\n',
    );
  });

  it('accepts a short key on loopback without masking its letters everywhere', async ({ dir, serve }) => {
    const server = await serve({ fault: () => faults.invalidRequest('a kind of bad request') });
    const input = writeInput(dir, [requestLine('a', 'x')]);
    const out = join(dir, 'out.jsonl');
    const r = await runCli(['run', input, out, '--provider', 'anthropic', '--base-url', server.url], {
      LP_API_KEY: 'k',
    });
    expect(r.code).toBe(1);
    expect(server.requests[0]?.headers['x-api-key']).toBe('k');
    const [line] = readResults(out);
    expect(line?.result.type === 'errored' && line.result.error.error.message).toBe('a kind of bad request');
    expect(r.stderr).not.toContain('[redacted]');
  });

  it.for([
    [
      'a key where a positional goes',
      ['run', 'in.jsonl', 'out.jsonl', 'sk-ant-api03-STRAYPOSITIONAL-0123456789'],
    ],
    [
      'the environment key as a value',
      ['run', 'in.jsonl', 'out.jsonl', '--header', 'X-Route: envkey-STRAY-0123'],
    ],
  ] as const)('refuses %s in one line that never repeats it', async ([, args], { dir }) => {
    const r = await runCli(
      args.map((arg) => (arg === 'out.jsonl' ? join(dir, arg) : arg)),
      { LP_API_KEY: 'envkey-STRAY-0123' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lp-batch: the API key is read from the environment only (LP_API_KEY, ANTHROPIC_API_KEY or --api-key-env NAME), never from the command line\n',
    );
    expect(r.stderr).not.toContain('STRAY');
  });

  it('never prints what was given to --api-key-env when it is not a variable name', async ({ dir }) => {
    const key = 'not-a-name:NOTAVARIABLE-0123456789';
    const r = await runCli(['run', 'in.jsonl', join(dir, 'out.jsonl'), '--api-key-env', key]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the value given to `--api-key-env` is not a valid environment variable name');
    expect(r.stderr).not.toContain('NOTAVARIABLE');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('lp-batch run: flags', () => {
  it.for(['--timeout', '--grace', '--idle-timeout', '--max-retry-wait'])(
    'refuses %s of 2^31 ms or more, naming the flag and the limit',
    async (flag, { dir }) => {
      const r = await runCli(['run', 'in.jsonl', join(dir, 'out.jsonl'), flag, '2147484']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Expected \`${flag}\` to be a number of seconds`);
      expect(r.stderr).toContain(
        'at most 2147483 (the longest timer Node allows, about 24 days), got `2147484`',
      );
    },
  );

  it('sends every --header given, beside the positionals, and keeps its own auth header', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const input = writeInput(dir, [requestLine('a', 'x'), requestLine('b', 'y')]);
    const out = join(dir, 'out.jsonl');
    const r = await runCli(
      [
        'run',
        '--header',
        'anthropic-beta: tools-2024-04-04',
        input,
        out,
        '--header',
        'X-Gateway-Route: eu',
        '--header',
        'anthropic-beta: interleaved-thinking-2025-05-14',
        '--provider',
        'anthropic',
        '--base-url',
        server.url,
      ],
      { LP_API_KEY: TEST_KEY },
    );
    expect(r.stderr).not.toContain('Unknown');
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.headers).toMatchObject({
        'anthropic-beta': 'tools-2024-04-04, interleaved-thinking-2025-05-14',
        'x-gateway-route': 'eu',
        'x-api-key': TEST_KEY,
        'content-type': 'application/json',
      });
    }
  });

  it('refuses a --header that would set the key, in one line that never shows its value', async ({ dir }) => {
    const r = await runCli(['run', 'in.jsonl', join(dir, 'out.jsonl'), '--header', `x-api-key: ${TEST_KEY}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lp-batch: `--header`: may not set `x-api-key`: it carries the API key, which is read from the environment only\n',
    );
  });

  it('writes a body over --max-response-bytes as an errored result naming the cap, not retried', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: () => faults.endlessBody() });
    const input = writeInput(dir, [requestLine('a', 'x')]);
    const out = join(dir, 'out.jsonl');
    const r = await runCli(
      [
        'run',
        input,
        out,
        '--provider',
        'anthropic',
        '--base-url',
        server.url,
        '--max-response-bytes',
        '100000',
      ],
      { LP_API_KEY: TEST_KEY },
    );
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(1);
    const [line] = readResults(out);
    expect(line).toMatchObject({ error_kind: 'response_too_large', attempts: 1 });
    expect(JSON.stringify(line?.result)).toContain('larger than --max-response-bytes 100000');
  });
});
