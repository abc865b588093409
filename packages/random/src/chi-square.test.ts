import { describe, expect, it } from 'vitest';
import { chiSquare, chiSquareCritical001 } from './chi-square.ts';

describe('chiSquare', () => {
  it('chiSquare(observed, expected) sums squared deviations over expected counts', () => {
    expect(chiSquare([48, 52], [50, 50])).toBeCloseTo(0.16, 12);
    expect(chiSquare([], [])).toBe(0);
  });

  it('chiSquare(observed, expected) throws on length mismatch or an expected count <= 0', () => {
    expect(() => chiSquare([1, 2], [1])).toThrow(/as many expected as observed bins, got 2 and 1/);
    expect(() => chiSquare([1, 2], [1, 0])).toThrow(/expected\[1\] must be > 0, got 0/);
    expect(() => chiSquare([1], [Number.NaN])).toThrow(/expected\[0\] must be > 0, got NaN/);
  });
});

describe('chiSquareCritical001', () => {
  // Exact 0.999 quantiles from scipy.stats.chi2.ppf.
  it.each([
    [1, 10.827566170662733],
    [2, 13.815510557964274],
    [3, 16.26623619623813],
    [5, 20.515005652432873],
    [9, 27.877164871256568],
    [10, 29.58829844507442],
    [50, 86.66081519040317],
    [100, 149.44925277903886],
    [1000, 1143.9170926196791],
    [31, 61.098306081058126],
    [40, 73.40195751899103],
  ])('chiSquareCritical001(%d) is within 0.2%% of the exact quantile %d', (df, exact) => {
    expect(Math.abs(chiSquareCritical001(df) / exact - 1)).toBeLessThan(0.002);
  });

  it.each([0, 1.5, -3, Number.NaN])(
    'chiSquareCritical001(%d) throws asking for an integer df >= 1',
    (df) => {
      expect(() => chiSquareCritical001(df)).toThrow(/integer df >= 1/);
    },
  );
});
