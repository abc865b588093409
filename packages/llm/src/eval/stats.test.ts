import { describe, expect, it } from 'vitest';
import {
  covarianceOfMeans,
  meanAndUncertainty,
  medianOfSorted,
  percentileOfSorted,
} from './stats.ts';

const f = Math.fround;

describe('meanAndUncertainty', () => {
  it('meanAndUncertainty(sum, sum2, n) gives the mean and sqrt(var / (n - 1)) for n > 10', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const sum = xs.reduce((a, b) => a + b, 0);
    const sum2 = xs.reduce((a, b) => a + b * b, 0);
    const r = meanAndUncertainty(sum, sum2, xs.length);
    expect(r.value).toBe(6.5);
    const variance = sum2 / 12 - 6.5 * 6.5;
    expect(r.err).toBe(Math.sqrt(variance / 11));
  });

  it('meanAndUncertainty reports err 0 for 10 or fewer samples and mean 0 for none', () => {
    expect(meanAndUncertainty(10, 1000, 10)).toEqual({ value: 1, err: 0 });
    expect(meanAndUncertainty(5, 5, 0)).toEqual({ value: 0, err: 0 });
  });

  it('meanAndUncertainty reports err 0 when the variance is not positive', () => {
    expect(meanAndUncertainty(20, 20, 20)).toEqual({ value: 1, err: 0 });
  });
});

describe('covarianceOfMeans', () => {
  it('covarianceOfMeans is 0 below 10 samples and (E[ab] - E[a]E[b]) / (n - 1) otherwise', () => {
    expect(covarianceOfMeans(1, 2, 3, 9)).toBe(0);
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const b = a.map((x) => 2 * x);
    const sa = a.reduce((s, x) => s + x, 0);
    const sb = b.reduce((s, x) => s + x, 0);
    const sab = a.reduce((s, x, i) => s + x * b[i], 0);
    expect(covarianceOfMeans(sa, sb, sab, 10)).toBeCloseTo((2 * 8.25) / 9, 12);
  });
});

describe('percentileOfSorted', () => {
  it('percentileOfSorted interpolates between neighbours at fraction · (n - 1)', () => {
    const v = new Float32Array([0, 10]);
    expect(percentileOfSorted(v, 0.25)).toBe(2.5);
    expect(percentileOfSorted(v, 0.5)).toBe(5);
    const ten = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(percentileOfSorted(ten, 0.5)).toBe(4.5);
    expect(percentileOfSorted(ten, 0.9)).toBeCloseTo(8.1, 5);
  });

  it('percentileOfSorted returns the ends for fractions at or beyond 0 and 1', () => {
    const v = new Float32Array([-3, 1, 7]);
    expect(percentileOfSorted(v, 0)).toBe(-3);
    expect(percentileOfSorted(v, -1)).toBe(-3);
    expect(percentileOfSorted(v, 1)).toBe(7);
    expect(percentileOfSorted(new Float32Array([4]), 0.3)).toBe(4);
  });

  it('percentileOfSorted computes in float, so 0.999 of [0, 1] is float(0.999), not 0.999', () => {
    const r = percentileOfSorted(new Float32Array([0, 1]), 0.999);
    expect(r).toBe(f(0.999));
    expect(r).not.toBe(0.999);
  });

  it('percentileOfSorted throws on an empty array', () => {
    expect(() => percentileOfSorted(new Float32Array(0), 0.5)).toThrow(/empty/);
  });
});

describe('medianOfSorted', () => {
  it('medianOfSorted takes the middle value for odd counts and the float mean of two for even', () => {
    expect(medianOfSorted(new Float32Array([1, 2, 3]))).toBe(2);
    expect(medianOfSorted(new Float32Array([1, 2, 3, 4]))).toBe(2.5);
    const a = f(0.1);
    const b = f(0.2);
    expect(medianOfSorted(new Float32Array([a, b]))).toBe(f(0.5 * f(a + b)));
    expect(() => medianOfSorted(new Float32Array(0))).toThrow(/empty/);
  });
});
