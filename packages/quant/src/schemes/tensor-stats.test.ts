import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensorStats } from './tensor-stats.ts';

describe('tensorStats', () => {
  it('tensorStats([1, 2, 3, 4]) matches hand-computed population std and Pearson kurtosis', () => {
    const s = tensorStats([1, 2, 3, 4]);
    expect(s).toMatchObject({ length: 4, count: 4, min: 1, max: 4, absMax: 4, mean: 2.5 });
    // Deviations ±0.5, ±1.5: m2 = 1.25, m4 = 2.5625, kurtosis = 2.5625 / 1.5625 = 1.64.
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 14);
    expect(s.kurtosis).toBeCloseTo(1.64, 12);
    expect(s.excessKurtosis).toBeCloseTo(-1.36, 12);
    expect(s.countBeyond6Sigma).toBe(0);
  });

  it('tensorStats(normal sample) has kurtosis ≈ 3 (excess ≈ 0), mean ≈ 0 and std ≈ 1', () => {
    const rng = createRng(17);
    const x = new Float32Array(200_000).map(() => rng.normal(0, 1));
    const s = tensorStats(x);
    // Standard errors at n = 2e5: kurtosis √(24/n) ≈ 0.011, mean 0.0022, std 0.0016. Tolerances
    // are about 4.5 standard errors.
    expect(Math.abs(s.kurtosis - 3)).toBeLessThan(0.05);
    expect(Math.abs(s.excessKurtosis)).toBeLessThan(0.05);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.007);
  });

  it('tensorStats(x) counts planted values beyond 6 sigma; kurtosis shows the heavy tail', () => {
    const rng = createRng(18);
    const x = new Float32Array(50_000).map(() => rng.normal(0, 0.02));
    x[10] = 1;
    x[20_000] = -1;
    x[49_999] = 0.9;
    const s = tensorStats(x);
    expect(s.countBeyond6Sigma).toBe(3);
    expect(s.absMax).toBe(1);
    expect(s.kurtosis).toBeGreaterThan(100);
  });

  it('tensorStats(x) counts NaN and ±Infinity and leaves them out of every statistic', () => {
    const s = tensorStats([1, Number.NaN, 3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(s).toMatchObject({ length: 5, count: 2, nanCount: 1, infCount: 2, min: 1, max: 3 });
    expect(s.mean).toBe(2);
    expect(s.std).toBe(1);
  });

  it('tensorStats([]) and tensorStats([NaN]) report count 0 and NaN statistics', () => {
    for (const x of [[], [Number.NaN]]) {
      const s = tensorStats(x);
      expect(s.count).toBe(0);
      expect(s.mean).toBeNaN();
      expect(s.min).toBeNaN();
      expect(s.kurtosis).toBeNaN();
      expect(s.countBeyond6Sigma).toBe(0);
    }
  });

  it('tensorStats(constant) has std 0 and NaN kurtosis', () => {
    const s = tensorStats([-2, -2, -2]);
    expect(s.std).toBe(0);
    expect(s.absMax).toBe(2);
    expect(s.kurtosis).toBeNaN();
  });

  it('tensorStats(1e9 + [1, 2, 3, 4]) keeps the variance of [1, 2, 3, 4]', () => {
    const s = tensorStats([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 6);
    expect(s.kurtosis).toBeCloseTo(1.64, 5);
  });

  it('tensorStats(x) agrees with a two-pass computation (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 80 }),
        (x) => {
          const n = x.length;
          const mean = x.reduce((a, b) => a + b, 0) / n;
          let m2 = 0;
          let m4 = 0;
          for (const v of x) {
            m2 += (v - mean) ** 2;
            m4 += (v - mean) ** 4;
          }
          const s = tensorStats(x);
          expect(s.mean).toBeCloseTo(mean, 8);
          expect(s.std).toBeCloseTo(Math.sqrt(m2 / n), 7);
          if (m2 / n > 1e-3) {
            const k = (n * m4) / (m2 * m2);
            expect(Math.abs(s.kurtosis - k)).toBeLessThan(1e-6 * k);
          }
        },
      ),
      { seed: 31 },
    );
  });
});
