import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/output/latency-histogram.js';
import { percentiles, SummaryBuilder } from '../../src/output/summary.js';

describe('SummaryBuilder', () => {
  it('tallies requests, tokens and nano-dollars per model and in total, sorted by name', () => {
    const summary = new SummaryBuilder();
    const usage = {
      input_tokens: 10,
      output_tokens: 20,
      cache_creation_input_tokens: 5,
      cache_read_input_tokens: 7,
    };
    summary.addSucceeded('b-model', usage, 1_500, { latencyMs: 100, ttftMs: 40 });
    summary.addSucceeded('b-model', usage, 2_500, { latencyMs: 300 });
    summary.addSucceeded('a-model', { input_tokens: 1, output_tokens: 1 }, 1_000_000_000, { resumed: true });
    summary.addErrored('a-model', 'overloaded_error', 'http_error');
    summary.addRetry('overloaded_error', 'stream_error');
    summary.addRetry('api_error', 'connection');
    const built = summary.build(2000);
    expect(Object.keys(built.by_model)).toEqual(['a-model', 'b-model']);
    expect(built.requests).toEqual({
      total: 4,
      succeeded: 3,
      errored: 1,
      canceled: 0,
      expired: 0,
      resumed: 1,
      not_sent: 0,
    });
    expect(built.usage).toEqual({
      input_tokens: 21,
      output_tokens: 41,
      cache_creation_input_tokens: 10,
      cache_read_input_tokens: 14,
    });
    expect(built.cost_usd).toBe(1.000004);
    expect(built.by_model['b-model']).toMatchObject({
      requests: 2,
      cost_usd: 0.000004,
      latency_ms: { p50: 100, p95: 300 },
      ttft_ms: { p50: 40, p95: 40 },
    });
    expect(built.errors_by_type).toEqual({ overloaded_error: 1 });
    expect(built.errors_by_kind).toEqual({ http_error: 1 });
    expect(built.retries_by_type).toEqual({ api_error: 1, overloaded_error: 1 });
    expect(built.retries_by_kind).toEqual({ connection: 1, stream_error: 1 });
    expect(built.retries).toBe(2);
    // Resumed results are not this run's work: 3 requests in 2 s.
    expect(built.requests_per_second).toBe(1.5);
  });

  it('never counts an unknown price as $0: the model has no cost and the total says it is incomplete', () => {
    const summary = new SummaryBuilder();
    summary.addSucceeded('mystery', { input_tokens: 1, output_tokens: 1 }, null, {});
    summary.addSucceeded('known', { input_tokens: 1, output_tokens: 1 }, 7, {});
    const built = summary.build(0);
    expect(built.by_model.mystery?.cost_usd).toBeNull();
    expect(built).toMatchObject({ cost_usd: 7e-9, cost_complete: false, unpriced_models: ['mystery'] });
    expect(built.requests_per_second).toBe(0);
  });

  it('keeps live totals for the progress display, cache tokens counted as input', () => {
    const summary = new SummaryBuilder();
    summary.addSucceeded('m', { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3 }, 9, {});
    summary.addErrored('m', 'api_error', 'connection');
    expect(summary.totals).toEqual({
      done: 2,
      resumed: 0,
      succeeded: 1,
      errored: 1,
      retries: 0,
      costNanos: 9,
      inputTokens: 4,
      outputTokens: 2,
    });
  });
});

describe("the summary's cache figures", () => {
  it('sums tokens written and read, the hit rate over both, and the saving over priced results', () => {
    const summary = new SummaryBuilder();
    const write = { input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 1000 };
    const read = { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 1000 };
    summary.addSucceeded('m', write, 10, {}, -250_000);
    summary.addSucceeded('m', read, 10, {}, 2_700_000);
    summary.addSucceeded('m', read, 10, { resumed: true }, 2_700_000);
    summary.addSucceeded('unpriced', read, null, {}, null);
    expect(summary.build(1).cache).toEqual({
      write_tokens: 1000,
      read_tokens: 3000,
      hit_rate: 0.75,
      saved_usd: 0.00515,
    });
  });

  it('has no hit rate when nothing was cached', () => {
    const summary = new SummaryBuilder();
    summary.addSucceeded('m', { input_tokens: 5, output_tokens: 1 }, 10, {}, 0);
    expect(summary.build(1).cache).toEqual({ write_tokens: 0, read_tokens: 0, hit_rate: null, saved_usd: 0 });
  });
});

/** A histogram of `samples`. */
function histogram(samples: readonly number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const sample of samples) h.add(sample);
  return h;
}

/** The nearest-rank `q` quantile of `samples`, computed from all of them. */
function nearestRank(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

describe('percentiles', () => {
  it('takes the nearest rank, and nulls for no samples', () => {
    expect(percentiles(histogram([]))).toEqual({ p50: null, p95: null });
    expect(percentiles(histogram([5]))).toEqual({ p50: 5, p95: 5 });
    expect(percentiles(histogram(Array.from({ length: 100 }, (_, i) => 100 - i)))).toEqual({
      p50: 50,
      p95: 95,
    });
  });

  it('is exact below 256 ms, and above never more than the true value nor 1/128 of it less', () => {
    const sample = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 41 - 1 }));
    fc.assert(
      fc.property(
        fc.array(sample, { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (samples, q) => {
          const exact = nearestRank(samples, q);
          const got = histogram(samples).quantile(q) as number;
          if (exact < 256) expect(got).toBe(exact);
          expect(got).toBeLessThanOrEqual(exact);
          expect(exact - got).toBeLessThan(exact / 128 + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the smallest and the largest sample exactly, however large', () => {
    const samples = [3_000_001, 7_654_321, 5_000_000];
    expect(histogram(samples).quantile(0.01)).toBe(3_000_001);
    expect(histogram(samples).quantile(1)).toBe(7_654_321);
  });
});
