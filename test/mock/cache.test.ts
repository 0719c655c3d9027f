import { request } from 'undici';
import { describe, expect } from 'vitest';
import { planCache } from '../../src/cache/cache-plan.js';
import { cachePrefixes } from '../../src/mock/cache-plan.js';
import { cacheMinimumTokens } from '../../src/cache/cache-rules.js';
import { PromptCache } from '../../src/mock/prompt-cache.js';
import type { MockServer, MockServerOptions } from '../../src/mock/server.js';
import { promptBlocks } from '../../src/mock/tokens.js';
import type { MessageParams } from '../../src/types.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { manualClock, params, post } from './support.js';

function urlOf(server: MockServer | undefined): string {
  if (!server) throw new Error('Expected a started server');
  return server.url;
}

const EPHEMERAL = { type: 'ephemeral' } as const;
const HOUR = { type: 'ephemeral', ttl: '1h' } as const;

/** A text of exactly `tokens` mock tokens (4 characters each). */
function text(tokens: number, letter = 'a'): string {
  return letter.repeat(tokens * 4);
}

/** tools (50 tokens) + system (100 and 200) + a question (10): breakpoints where asked. */
function layered(
  marks: { tool?: object; system?: object; question?: object } = {},
  model = 'claude-sonnet-4-5',
) {
  const tool = { name: 'lookup', description: text(40), input_schema: { type: 'object' } };
  return params({
    model,
    tools: [marks.tool ? { ...tool, cache_control: marks.tool } : tool],
    system: [
      { type: 'text', text: text(100, 's') },
      marks.system
        ? { type: 'text', text: text(200, 't'), cache_control: marks.system }
        : { type: 'text', text: text(200, 't') },
    ],
    messages: [
      {
        role: 'user',
        content: [
          marks.question
            ? { type: 'text', text: text(10, 'q'), cache_control: marks.question }
            : { type: 'text', text: text(10, 'q') },
        ],
      },
    ],
  });
}

const TOOL_TOKENS = Math.ceil(
  JSON.stringify({ name: 'lookup', description: text(40), input_schema: { type: 'object' } }).length / 4,
);

describe('cachePrefixes', () => {
  it('finds the breakpoints in the order tools, system, messages, with their prefix tokens and TTLs', () => {
    const request = layered({ tool: HOUR, system: EPHEMERAL, question: EPHEMERAL });
    const found = cachePrefixes(request, promptBlocks(request));
    if (!found.ok) throw new Error(found.message);
    expect(found.prefixes.map(({ ttl, tokens }) => ({ ttl, tokens }))).toEqual([
      { ttl: '1h', tokens: TOOL_TOKENS },
      { ttl: '5m', tokens: TOOL_TOKENS + 300 },
      { ttl: '5m', tokens: TOOL_TOKENS + 310 },
    ]);
    expect(new Set(found.prefixes.map((p) => p.key)).size).toBe(3);
  });

  it('puts the top-level cache_control on the last block, once', () => {
    const request = { ...layered(), cache_control: HOUR };
    const found = cachePrefixes(request, promptBlocks(request));
    expect(found.ok && found.prefixes.map((p) => [p.ttl, p.tokens])).toEqual([['1h', TOOL_TOKENS + 310]]);
    const both = { ...layered({ question: EPHEMERAL }), cache_control: HOUR };
    const merged = cachePrefixes(both, promptBlocks(both));
    expect(merged.ok && merged.prefixes.map((p) => p.ttl)).toEqual(['5m']);
  });

  it('refuses more than 4 breakpoints with the API message', () => {
    const request = params({
      system: [1, 2, 3, 4, 5].map((i) => ({ type: 'text', text: `part ${i}`, cache_control: EPHEMERAL })),
    });
    expect(cachePrefixes(request, promptBlocks(request))).toEqual({
      ok: false,
      message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    });
  });

  it('keys prefixes by model and content, not by the cache_control marker', () => {
    const key = (request: MessageParams) => {
      const found = cachePrefixes(request, promptBlocks(request));
      return found.ok ? found.prefixes.at(-1)?.key : undefined;
    };
    const base = layered({ system: EPHEMERAL });
    expect(key(layered({ system: HOUR }))).toBe(key(base));
    expect(key(layered({ system: EPHEMERAL }, 'claude-opus-4-1'))).not.toBe(key(base));
    const changed = {
      ...base,
      system: [{ type: 'text', text: 'other' }, ...(base.system as object[]).slice(1)],
    };
    expect(key(changed)).not.toBe(key(base));
  });
});

describe('planCache', () => {
  const prefixes = [
    { key: 'a', ttl: '1h' as const, tokens: 1000 },
    { key: 'b', ttl: '5m' as const, tokens: 1500 },
    { key: 'c', ttl: '5m' as const, tokens: 3000 },
  ];

  it('writes every eligible prefix on a miss, splitting the tokens by TTL', () => {
    expect(planCache(prefixes, 3100, 1024, () => false).usage).toEqual({
      input_tokens: 100,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 3000, ephemeral_1h_input_tokens: 0 },
    });
  });

  it('ignores prefixes below the minimum: their tokens go to the next breakpoint', () => {
    const plan = planCache(prefixes, 3100, 1024, () => false);
    expect(plan.writes.map((p) => p.key)).toEqual(['b', 'c']);
    const allShort = planCache(prefixes, 3100, 4096, () => false);
    expect(allShort.writes).toEqual([]);
    expect(allShort.usage.input_tokens).toBe(3100);
  });

  it('reads the longest readable prefix and writes only what follows it', () => {
    const plan = planCache(prefixes, 3100, 1000, (key) => key === 'a' || key === 'b');
    expect(plan.read?.key).toBe('b');
    expect(plan.writes.map((p) => p.key)).toEqual(['c']);
    expect(plan.usage).toEqual({
      input_tokens: 100,
      cache_creation_input_tokens: 1500,
      cache_read_input_tokens: 1500,
      cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 0 },
    });
  });

  it('puts the tokens up to a 1 h breakpoint on the 1 h TTL', () => {
    const plan = planCache(prefixes, 3100, 1000, () => false);
    expect(plan.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 2000,
      ephemeral_1h_input_tokens: 1000,
    });
  });
});

describe('cacheMinimumTokens', () => {
  it('knows each model family, through aliases too, and assumes the largest for an unknown model', () => {
    expect(cacheMinimumTokens('claude-sonnet-4-5')).toBe(1024);
    expect(cacheMinimumTokens('claude_37_sonnet')).toBe(1024);
    expect(cacheMinimumTokens('claude-3-5-haiku-20241022')).toBe(2048);
    expect(cacheMinimumTokens('claude-haiku-4-5')).toBe(4096);
    expect(cacheMinimumTokens('claude-opus-4-6')).toBe(4096);
    expect(cacheMinimumTokens('claude-mock-1')).toBe(4096);
  });
});

describe('PromptCache', () => {
  const T0 = Date.UTC(2025, 0, 1);
  const request = layered({ system: EPHEMERAL });
  /** Consult the cache and commit the writes at once: a request whose response began at `at`. */
  const answer = (cache: PromptCache, at: number, asked: MessageParams = request) => {
    const consulted = cache.consult(asked, at);
    if (!consulted.ok) throw new Error(consulted.message);
    cache.commit(consulted.plan.writes, at);
    return consulted.plan.usage;
  };
  const readTokens = (cache: PromptCache, at: number) => answer(cache, at).cache_read_input_tokens;

  it('lets an entry live 5 minutes after its last read', () => {
    const cache = new PromptCache(100);
    expect(readTokens(cache, T0)).toBe(0);
    expect(readTokens(cache, T0 + 299_000)).toBe(TOOL_TOKENS + 300);
    expect(readTokens(cache, T0 + 598_000)).toBe(TOOL_TOKENS + 300); // refreshed at the last read
    expect(readTokens(cache, T0 + 898_000)).toBe(0); // 5 min after that read: gone, written again
    expect(cache.size(T0 + 898_000)).toBe(1);
  });

  it('keeps a 1 h entry for an hour', () => {
    const cache = new PromptCache(100);
    const hourly = layered({ system: HOUR });
    const usage = (at: number) => answer(cache, at, hourly);
    expect(usage(T0).cache_creation.ephemeral_1h_input_tokens).toBe(TOOL_TOKENS + 300);
    expect(usage(T0 + 3_599_000).cache_read_input_tokens).toBe(TOOL_TOKENS + 300);
  });

  it('does not make a prefix readable before commit', () => {
    const cache = new PromptCache(100);
    const first = cache.consult(request, T0);
    const second = cache.consult(request, T0 + 1);
    expect(first.ok && second.ok && [first.plan.writes.length, second.plan.writes.length]).toEqual([1, 1]);
  });
});

describe('the prompt cache on the real server', () => {
  let server: MockServer | undefined;

  async function usageOf(request: unknown): Promise<Record<string, unknown>> {
    const res = await post(urlOf(server), request);
    const body = (await res.body.json()) as { usage: Record<string, unknown> };
    expect(res.statusCode).toBe(200);
    return body.usage;
  }

  async function start(serve: RunFixtures['serve'], options: MockServerOptions): Promise<void> {
    server = await serve(options);
  }

  const cached = layered({ system: EPHEMERAL });
  const PREFIX = TOOL_TOKENS + 300;

  it('makes requests that arrive before the first response began each write, and later ones read', async ({
    serve,
  }) => {
    await start(serve, { latencyMs: 30, clock: manualClock(), cacheMinTokens: 100 });
    const together = await Promise.all([usageOf(cached), usageOf(cached), usageOf(cached)]);
    for (const usage of together) {
      expect(usage).toMatchObject({
        cache_creation_input_tokens: PREFIX,
        cache_read_input_tokens: 0,
        input_tokens: 10,
      });
    }
    expect(await usageOf(cached)).toEqual({
      input_tokens: 10,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: PREFIX,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: expect.any(Number),
    });
  });

  it('writes nothing for a request whose client left before its response began', async ({ serve }) => {
    await start(serve, { latencyMs: 60, clock: manualClock(), cacheMinTokens: 100 });
    const url = urlOf(server);
    await expect(
      request(`${url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify(cached),
        signal: AbortSignal.timeout(10),
      }),
    ).rejects.toThrow();
    // Let the abandoned request's latency run out: it must not commit its write then.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server?.stats.inFlight).toBe(0);
    expect(await usageOf(cached)).toMatchObject({
      cache_creation_input_tokens: PREFIX,
      cache_read_input_tokens: 0,
    });
    expect(await usageOf(cached)).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: PREFIX,
    });
  });

  it('counts a stream as begun once message_start went out, even if it then fails', async ({ serve }) => {
    await start(serve, { midstreamErrorRate: 1, clock: manualClock(), cacheMinTokens: 100 });
    const res = await post(urlOf(server), { ...cached, stream: true });
    const events = await res.body.text();
    expect(events.indexOf('event: message_start')).toBeLessThan(events.indexOf('event: error'));
    expect(events).toContain(`"cache_creation_input_tokens":${PREFIX}`);
    // The stream failed, but its write happened when message_start went out.
    expect((await usageOf(cached)).cache_read_input_tokens).toBe(PREFIX);
  });

  it('expires entries on the injected clock', async ({ serve }) => {
    const clock = manualClock();
    await start(serve, { clock, cacheMinTokens: 100 });
    expect((await usageOf(cached)).cache_creation_input_tokens).toBe(PREFIX);
    clock.advance(5 * 60_000);
    expect((await usageOf(cached)).cache_creation_input_tokens).toBe(PREFIX);
    clock.advance(60_000);
    expect((await usageOf(cached)).cache_read_input_tokens).toBe(PREFIX);
  });

  it('ignores a prefix below the model minimum, and honours cacheMinTokens', async ({ serve }) => {
    await start(serve, { clock: manualClock() });
    const short = layered({ system: EPHEMERAL }, 'claude-haiku-4-5'); // needs 4,096 tokens
    expect(await usageOf(short)).toMatchObject({ input_tokens: PREFIX + 10, cache_creation_input_tokens: 0 });
    await start(serve, { clock: manualClock(), cacheMinTokens: 100 });
    expect(await usageOf(short)).toMatchObject({ input_tokens: 10, cache_creation_input_tokens: PREFIX });
  });

  it('answers more than 4 breakpoints with 400 invalid_request_error', async ({ serve }) => {
    await start(serve, {});
    const many = params({
      system: [1, 2, 3, 4, 5].map((i) => ({ type: 'text', text: `part ${i}`, cache_control: EPHEMERAL })),
    });
    const res = await post(urlOf(server), many);
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.',
      },
    });
  });
});
