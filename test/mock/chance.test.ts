import { describe, expect } from 'vitest';
import { type ChanceRates, drawChance, midstreamErrorAfter } from '../../src/mock/chance.js';
import { createSeededRandom, shuffled } from '../../src/mock/random.js';
import type { MockServerOptions } from '../../src/mock/server.js';
import { it, type RunFixtures } from '../helpers/fixtures.js';
import { params, parseSse, post } from './support.js';

const NONE: ChanceRates = {
  overloadRate: 0,
  rateLimitRate: 0,
  errorRate: 0,
  dropRate: 0,
  midstreamErrorRate: 0,
  jitterMs: 0,
};

/** A generator that returns the given numbers in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('createSeededRandom', () => {
  it('gives the same numbers for the same seed, numbers or strings, and others for another seed', () => {
    const take = (seed: number | string) => Array.from({ length: 5 }, createSeededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take('run-a')).toEqual(take('run-a'));
    expect(take(42)).not.toEqual(take(43));
    for (const value of take(7)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('shuffles deterministically and keeps every item', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = shuffled(items, createSeededRandom(1));
    expect(a).toEqual(shuffled(items, createSeededRandom(1)));
    expect(a).not.toEqual(items);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
  });
});

describe('drawChance', () => {
  it('draws four numbers per request, whatever comes out', () => {
    let draws = 0;
    const counting = () => {
      draws++;
      return 0.01;
    };
    drawChance({ ...NONE, overloadRate: 0.5 }, counting);
    drawChance(NONE, counting);
    expect(draws).toBe(8);
  });

  it('maps one draw onto 529, 429, 500 and drop bands in that order', () => {
    const rates = { ...NONE, overloadRate: 0.1, rateLimitRate: 0.1, errorRate: 0.1, dropRate: 0.1 };
    const at = (u: number) => drawChance(rates, sequence(u, 0.9, 0.5, 0.5)).fault;
    expect(at(0.05)).toMatchObject({ kind: 'api-error', status: 529 });
    expect(at(0.15)).toMatchObject({ kind: 'api-error', status: 429, headers: { 'retry-after': '1' } });
    expect(at(0.25)).toMatchObject({ kind: 'api-error', status: 500 });
    expect(at(0.35)).toEqual({ kind: 'drop' });
    expect(at(0.45)).toBeUndefined();
  });

  it('puts a mid-stream error only where no other fault is, and scales jitter', () => {
    const rates = { ...NONE, overloadRate: 0.5, midstreamErrorRate: 0.5, jitterMs: 100 };
    expect(drawChance(rates, sequence(0.9, 0.1, 0.25, 0.5))).toEqual({
      fault: undefined,
      midstreamAt: 0.25,
      jitterMs: 50,
    });
    expect(drawChance(rates, sequence(0.1, 0.1, 0.25, 0.5)).midstreamAt).toBeUndefined();
    expect(drawChance(rates, sequence(0.9, 0.9, 0.25, 0.5)).midstreamAt).toBeUndefined();
  });

  it('places a mid-stream error after message_start and before message_stop', () => {
    expect(midstreamErrorAfter(0, 10)).toBe(1);
    expect(midstreamErrorAfter(0.999, 10)).toBe(8);
  });
});

describe('faults by rate on the real server', () => {
  /** Send `count` requests one after another; the status of each, or `drop`. */
  async function statuses(
    serve: RunFixtures['serve'],
    options: MockServerOptions,
    count: number,
    stream = false,
  ): Promise<string[]> {
    const server = await serve(options);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      try {
        const res = await post(server.url, params({ stream }));
        const text = await res.body.text();
        const midstream = stream && parseSse(text).some((event) => event.event === 'error');
        out.push(midstream ? 'midstream' : String(res.statusCode));
      } catch {
        out.push('drop');
      }
    }
    await server.close();
    return out;
  }

  const rates = { overloadRate: 0.2, rateLimitRate: 0.1, errorRate: 0.1, dropRate: 0.1 };

  it('gives the same faults for the same seed and other faults for another seed', async ({ serve }) => {
    const a = await statuses(serve, { ...rates, seed: 7 }, 40);
    const b = await statuses(serve, { ...rates, seed: 7 }, 40);
    const c = await statuses(serve, { ...rates, seed: 8 }, 40);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const kind of ['200', '529', '429', '500', 'drop']) expect(a).toContain(kind);
  });

  it('sends roughly the configured share of each fault', async ({ serve }) => {
    const out = await statuses(serve, { ...rates, seed: 'share' }, 400);
    const share = (kind: string) => out.filter((s) => s === kind).length / out.length;
    expect(share('529')).toBeGreaterThan(0.12);
    expect(share('529')).toBeLessThan(0.28);
    expect(share('200')).toBeGreaterThan(0.4);
    expect(share('200')).toBeLessThan(0.6);
  });

  it('ends about midstreamErrorRate of the streams with event: error after HTTP 200', async ({ serve }) => {
    const out = await statuses(serve, { midstreamErrorRate: 0.5, seed: 3 }, 60, true);
    const errors = out.filter((s) => s === 'midstream').length;
    expect(errors).toBeGreaterThan(15);
    expect(errors).toBeLessThan(45);
    expect(out.filter((s) => s !== 'midstream')).toEqual(Array(60 - errors).fill('200'));
  });

  it('counts the faults it acted out by kind', async ({ serve }) => {
    const server = await serve({ overloadRate: 1 });
    await (await post(server.url, params())).body.text();
    await (await post(server.url, params())).body.text();
    expect(server.stats.faults).toEqual({ 'api-error': 2 });
    expect(server.stats.byStatus).toEqual({ 529: 2 });
  });
});
