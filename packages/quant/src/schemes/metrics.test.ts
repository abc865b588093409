import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorMetrics } from './metrics.ts';

describe('errorMetrics', () => {
  it('errorMetrics([1, 2], [1, 2.5]) matches the hand-computed values', () => {
    const m = errorMetrics([1, 2], [1, 2.5]);
    expect(m.count).toBe(2);
    expect(m.mse).toBe(0.125);
    expect(m.rmse).toBe(Math.sqrt(0.125));
    expect(m.meanAbsError).toBe(0.25);
    expect(m.maxAbsError).toBe(0.5);
    expect(m.maxAbsErrorIndex).toBe(1);
    // Σx² = 5, Σe² = 0.25 → 10·log10(20).
    expect(m.snrDb).toBeCloseTo(13.0103, 4);
    expect(m.cosineSimilarity).toBeCloseTo(6 / Math.sqrt(5 * 7.25), 14);
  });

  it('errorMetrics(x, x ± 0.1) of a unit signal gives SNR 20 dB exactly', () => {
    const x = new Float64Array(100).fill(1);
    const y = x.map((v, i) => v + (i % 2 === 0 ? 0.1 : -0.1));
    // Σx² = 100, Σe² = 100 · 0.01 = 1.
    expect(errorMetrics(x, y).snrDb).toBeCloseTo(20, 10);
    expect(errorMetrics(x, y).maxAbsErrorIndex).toBe(0);
  });

  it('errorMetrics(x, x + noise) with noise sd = signal sd / 10 gives SNR ≈ 20 dB', () => {
    const rng = createRng(5);
    const n = 100_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = rng.normal(0, 1);
      y[i] = x[i] + rng.normal(0, 0.1);
    }
    // The ratio of two chi-square sums with n = 1e5 has relative sd ≈ 0.6 %, i.e. 0.03 dB.
    expect(Math.abs(errorMetrics(x, y).snrDb - 20)).toBeLessThan(0.15);
  });

  it('errorMetrics(x, x) is exact: zero error, SNR +Infinity, cosine 1', () => {
    const m = errorMetrics([3, -4], [3, -4]);
    expect(m.mse).toBe(0);
    expect(m.snrDb).toBe(Number.POSITIVE_INFINITY);
    expect(m.cosineSimilarity).toBe(1);
    expect(m.maxAbsErrorIndex).toBe(0);
  });

  it('errorMetrics(zeros, y) defines cosine as 1 for two zero vectors and 0 for one', () => {
    const both = errorMetrics([0, 0], [0, 0]);
    expect(both.cosineSimilarity).toBe(1);
    expect(both.snrDb).toBe(Number.POSITIVE_INFINITY);
    const one = errorMetrics([0, 0], [1, 0]);
    expect(one.cosineSimilarity).toBe(0);
    expect(one.snrDb).toBe(Number.NEGATIVE_INFINITY);
    expect(errorMetrics([1, 0], [0, 0]).cosineSimilarity).toBe(0);
    expect(errorMetrics([1, 2], [-2, -4]).cosineSimilarity).toBeCloseTo(-1, 15);
  });

  it('errorMetrics([], []) has zero error, index -1 and SNR +Infinity', () => {
    const m = errorMetrics([], []);
    expect(m).toMatchObject({ count: 0, mse: 0, rmse: 0, meanAbsError: 0, maxAbsErrorIndex: -1 });
    expect(m.snrDb).toBe(Number.POSITIVE_INFINITY);
  });

  it('errorMetrics(x, y) throws on unequal lengths and on NaN or ±Infinity, naming it', () => {
    expect(() => errorMetrics([1, 2], [1])).toThrow(
      /original has 2 elements but reconstructed has 1/,
    );
    expect(() => errorMetrics([1, Number.NaN], [1, 2])).toThrow(/original\[1\] is NaN/);
    expect(() => errorMetrics([1, 2], [Number.POSITIVE_INFINITY, 2])).toThrow(
      /reconstructed\[0\] is Infinity/,
    );
  });

  it('errorMetrics(x, y) stays right when squares underflow or overflow double', () => {
    const tiny = errorMetrics([0, 1e-200], [-5e-324, 1e-200]);
    expect(tiny.maxAbsError).toBe(5e-324);
    expect(tiny.rmse).toBeGreaterThan(0);
    expect(tiny.snrDb).toBeGreaterThan(100);
    expect(tiny.snrDb).toBeLessThan(Number.POSITIVE_INFINITY);
    const huge = errorMetrics([1e200, 2e200], [1e200, 2.2e200]);
    expect(huge.snrDb).toBeCloseTo(10 * Math.log10(5 / 0.04), 10);
    expect(huge.cosineSimilarity).toBeCloseTo((1 + 4.4) / Math.sqrt(5 * (1 + 4.84)), 12);
    expect(huge.rmse / (0.2e200 / Math.SQRT2)).toBeCloseTo(1, 12);
    expect(() => errorMetrics([1.7e308], [-1.7e308])).toThrow(/overflows double/);
  });

  it('errorMetrics(x, y) keeps rmse² = mse, mae ≤ rmse ≤ max and |cosine| ≤ 1 (property)', () => {
    const arr = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
      minLength: 1,
      maxLength: 50,
    });
    fc.assert(
      fc.property(
        arr.chain((a) =>
          fc.tuple(
            fc.constant(a),
            fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
              minLength: a.length,
              maxLength: a.length,
            }),
          ),
        ),
        ([x, y]) => {
          const m = errorMetrics(x, y);
          expect(Math.abs(m.rmse * m.rmse - m.mse)).toBeLessThanOrEqual(m.mse * 1e-12);
          expect(m.meanAbsError).toBeLessThanOrEqual(m.rmse * (1 + 1e-12));
          expect(m.rmse).toBeLessThanOrEqual(m.maxAbsError * (1 + 1e-12));
          expect(Math.abs(m.cosineSimilarity)).toBeLessThanOrEqual(1);
          expect(Math.abs(x[m.maxAbsErrorIndex] - y[m.maxAbsErrorIndex])).toBe(m.maxAbsError);
        },
      ),
      { seed: 12 },
    );
  });
});
