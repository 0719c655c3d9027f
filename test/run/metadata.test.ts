/** A line's own `metadata` is never sent and is copied, unchanged, into that line's result, whatever the result. */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { whenPrompt } from '../helpers/fake-anthropic.js';
import { it } from '../helpers/fixtures.js';
import { byId, requestLine, runLines } from '../helpers/run-helpers.js';

const PARAMS = (prompt: string) => ({
  model: 'claude-3-haiku-20240307',
  max_tokens: 20,
  messages: [{ role: 'user', content: prompt }],
});
const meta = (n: number) => ({
  expected: `answer ${n}`,
  labels: ['a', { deep: [n, null, true] }],
  z: 1,
  a: 2,
});

describe('metadata of an input line', () => {
  it('is copied unchanged into succeeded, errored and invalid results, and never sent', async ({
    dir,
    serve,
  }) => {
    const server = await serve({ fault: whenPrompt('refused', faults.invalidRequest('no thanks')) });
    const lines = [
      JSON.stringify({ custom_id: 'ok', params: PARAMS('fine'), metadata: meta(1) }),
      JSON.stringify({
        custom_id: 'oa',
        method: 'POST',
        url: '/v1/messages',
        body: PARAMS('also'),
        metadata: meta(2),
      }),
      JSON.stringify({ custom_id: 'server-no', params: PARAMS('refused'), metadata: meta(3) }),
      JSON.stringify({ custom_id: 'bad', params: { ...PARAMS('x'), max_tokens: 0 }, metadata: meta(4) }),
      JSON.stringify({ custom_id: 'ok', params: PARAMS('twice'), metadata: meta(5) }),
      requestLine('plain', 'no metadata'),
    ];
    const { results, output } = await runLines(server, dir, lines);
    const got = byId(results);
    const metadataOf = (id: string) => JSON.stringify((got.get(id) as { metadata?: unknown }).metadata);
    expect(got.get('ok')?.result.type).toBe('succeeded');
    expect(metadataOf('ok')).toBe(JSON.stringify(meta(1)));
    expect(metadataOf('oa')).toBe(JSON.stringify(meta(2)));
    expect(got.get('server-no')?.result.type).toBe('errored');
    expect(metadataOf('server-no')).toBe(JSON.stringify(meta(3)));
    expect((got.get('bad') as { status?: unknown }).status).toBeNull();
    expect(metadataOf('bad')).toBe(JSON.stringify(meta(4)));
    expect(got.get('line-5')?.result.type).toBe('errored'); // the repeated id, under its own line's name
    expect(metadataOf('line-5')).toBe(JSON.stringify(meta(5)));
    expect('metadata' in (got.get('plain') ?? {})).toBe(false);
    // Written right after `line` and `model`, before `result`.
    expect(readFileSync(output, 'utf8')).toContain(
      `{"custom_id":"ok","line":1,"model":"claude-3-haiku-20240307","metadata":${JSON.stringify(meta(1))},"result":`,
    );
    expect(server.requests.map((r) => 'metadata' in (r.body as object))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("a bare request's metadata is the API's parameter: sent, and not copied", async ({ dir, serve }) => {
    const server = await serve();
    const bare = { ...PARAMS('bare'), metadata: { user_id: 'u-1' } };
    const { results } = await runLines(server, dir, [JSON.stringify(bare)]);
    expect((server.requests[0]?.body as { metadata?: unknown }).metadata).toEqual({ user_id: 'u-1' });
    expect('metadata' in (results[0] ?? {})).toBe(false);
  });

  it('a resumed result keeps the metadata it was written with, and a warning says when the input changed it', async ({
    dir,
    serve,
  }) => {
    const server = await serve();
    const line = (metadata: object) => JSON.stringify({ custom_id: 'q', params: PARAMS('same'), metadata });
    await runLines(server, dir, [
      line(meta(1)),
      JSON.stringify({ custom_id: 'r', params: PARAMS('r'), metadata: meta(7) }),
    ]);
    const again = await runLines(server, dir, [
      line({ expected: 'fixed' }),
      JSON.stringify({ custom_id: 'r', params: PARAMS('r'), metadata: meta(7) }),
    ]);
    expect(server.requests).toHaveLength(2); // nothing sent again: metadata is not part of params_hash
    expect((byId(again.results).get('q') as { metadata?: unknown }).metadata).toEqual(meta(1));
    expect(again.warnings).toContain(
      "1 results kept from earlier runs have metadata that differs from their input line's now: they keep the metadata they were written with",
    );
  });
});
