/** The input side seen through a whole run: what is sent, what is written, what is warned. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { runBatch } from '../../src/run/run-batch.js';
import type { ErroredLine } from '../../src/types.js';
import { makeTempDir, readResults, requestLine, runLines, TEST_KEY } from '../helpers/run-helpers.js';

let server: MockServer;
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(async () => {
  tmp = makeTempDir();
  server = await startMockServer();
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});

const params = {
  model: 'claude-3-haiku-20240307',
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hi' }],
};
const withBlock = (id: string, type: string) =>
  requestLine(id, 'x', {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type, id: 'b' },
        ],
      },
    ],
  });

describe('a run reading its input', () => {
  it('warns about an unknown block type once per run, and not at all about the SDK’s own types', async () => {
    const lines = [
      withBlock('a', 'mcp_tool_use'),
      withBlock('b', 'mcp_tool_use'),
      withBlock('c', 'compaction'),
      withBlock('d', 'mcp_tool_use'),
      requestLine('e', 'x', {
        messages: [{ role: 'user', content: [{ type: 'container_upload', file_id: 'file_1' }] }],
      }),
    ];
    const { warnings, results } = await runLines(server, tmp.dir, lines);
    expect(results).toHaveLength(5);
    expect(warnings.map((w) => w.slice(w.lastIndexOf('/') + 1))).toEqual([
      'in.jsonl:1: params.messages[0].content[1]: unknown block type "mcp_tool_use", sent as is (warned once)',
      'in.jsonl:3: params.messages[0].content[1]: unknown block type "compaction", sent as is (warned once)',
    ]);
  });

  it('writes a line that is not UTF-8 as errored, naming file, line and byte offset, and sends the others', async () => {
    const inputPath = join(tmp.dir, 'bytes.jsonl');
    const bad = Buffer.from(requestLine('bad', 'caf\u00e9'), 'utf8');
    const at = bad.indexOf(0xc3);
    bad[at + 1] = 0x28; // `é` is C3 A9; C3 28 is a sequence cut short.
    writeFileSync(
      inputPath,
      Buffer.concat([
        Buffer.from(`${requestLine('a', 'one')}\n`),
        bad,
        Buffer.from(`\n${requestLine('b', 'two')}\n`),
      ]),
    );
    const outputPath = join(tmp.dir, 'out.jsonl');
    await runBatch({
      inputPath,
      outputPath,
      provider: 'anthropic',
      baseUrl: server.url,
      apiKey: TEST_KEY,
    });
    const results = readResults(outputPath);
    expect(results.map((r) => [r.custom_id, r.result.type]).sort()).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['bad', 'errored'],
    ]);
    const errored = results.find((r) => r.custom_id === 'bad') as ErroredLine;
    expect(errored.result.error.error.message).toBe(
      `${inputPath}:2: not valid UTF-8: byte 0xc3 at offset ${at} of the line`,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('never sends the metadata of a line, and sends a bare request’s own metadata', async () => {
    const metadata = { expected: 'B', tags: ['x'] };
    const lines = [
      JSON.stringify({ custom_id: 'batch', params, metadata }),
      JSON.stringify({ custom_id: 'openai', method: 'POST', url: '/v1/messages', body: params, metadata }),
      JSON.stringify({ ...params, metadata: { user_id: 'u-1' } }),
    ];
    const { results } = await runLines(server, tmp.dir, lines);
    expect(results.every((r) => r.result.type === 'succeeded')).toBe(true);
    const bodies = server.requests.map((r) => r.body as Record<string, unknown>);
    expect(bodies).toHaveLength(3);
    expect(bodies.filter((b) => 'metadata' in b)).toEqual([{ ...params, metadata: { user_id: 'u-1' } }]);
  });
});
