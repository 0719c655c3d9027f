/** `lp-batch mock-server` as a user runs it: a spawned server, the official SDK and `lp-batch run` pointed at it. */
import Anthropic from '@anthropic-ai/sdk';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { it } from '../helpers/fixtures.js';
import { readResults, requestLine, TEST_KEY, writeInput } from '../helpers/run-helpers.js';

/** Starts `lp-batch mock-server ARGS` and resolves with its URL, the first line it prints on stdout. */
async function startServer(args: string[]) {
  const started = startCli(['mock-server', ...args]);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    started.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    void started.done.then((r) => reject(new Error(`mock-server exited ${r.code}: ${r.stderr}`)));
  });
  return { ...started, url };
}

describe('lp-batch mock-server (spawned)', () => {
  it('prints its URL, serves the official SDK and lp-batch run, and stops on SIGTERM', async ({ dir }) => {
    const server = await startServer(['--port', '0', '--seed', '3']);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new Anthropic({ apiKey: 'mock-key', baseURL: server.url, maxRetries: 0 });
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 64,
        messages: [{ role: 'user' as const, content: 'Hello simulator' }],
      };
      const created = await client.messages.create(request);
      expect(created.type).toBe('message');
      expect(created.content[0]).toMatchObject({ type: 'text' });
      expect(JSON.stringify(created.content)).toContain('Mock reply to: Hello simulator');
      const streamed = await client.messages.stream(request).finalMessage();
      expect(streamed.content).toEqual(created.content);
      expect(streamed.usage.output_tokens).toBe(created.usage.output_tokens);

      const input = writeInput(dir, [requestLine('a', 'one'), requestLine('b', 'two')]);
      const out = join(dir, 'out.jsonl');
      const run = await runCli(
        ['run', input, out, '--provider', 'anthropic', '--base-url', server.url, '--progress', 'none'],
        { ANTHROPIC_API_KEY: TEST_KEY },
      );
      expect(run.code).toBe(0);
      expect(readResults(out).map((r) => [r.custom_id, r.result.type])).toEqual([
        ['a', 'succeeded'],
        ['b', 'succeeded'],
      ]);
    } finally {
      server.child.kill('SIGTERM');
    }
    const stopped = await server.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('SIGTERM: stopped after 4 requests');
  });

  it('injects the faults its flags ask for', async () => {
    const server = await startServer(['--port', '0', '--overload-rate', '1']);
    try {
      const client = new Anthropic({ apiKey: 'mock-key', baseURL: server.url, maxRetries: 0 });
      await expect(
        client.messages.create({
          model: 'm',
          max_tokens: 8,
          messages: [{ role: 'user', content: 'x' }],
        }),
      ).rejects.toMatchObject({ status: 529 });
    } finally {
      server.child.kill('SIGINT');
    }
    expect((await server.done).code).toBe(0);
  });

  it('refuses a bad flag value with one line naming the flag, exit 2', async () => {
    const r = await runCli(['mock-server', '--overload-rate', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lp-batch: Expected `--overload-rate` to be a number from 0 to 1, got `1.5`\n');
  });

  it('says when the port is taken, exit 2', async () => {
    const first = await startServer(['--port', '0']);
    try {
      const port = new URL(first.url).port;
      const r = await runCli(['mock-server', '--port', port]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `lp-batch: port ${port} on 127.0.0.1 is in use: choose another with --port (0: a free one)\n`,
      );
    } finally {
      first.child.kill('SIGTERM');
      await first.done;
    }
  });
});
