import { falsePositiveRate, sizeFor } from '@explorables/bloom';
import { describe, expect, it } from 'vitest';
import {
  bitsForHashes,
  formatBytes,
  formatCount,
  formatRate,
  ITEM_STOPS,
  oneTwoFive,
  RATE_STOPS,
  rateByHashes,
  tuningView,
} from './tuning.ts';

describe('tuning figure logic', () => {
  it('oneTwoFive(2, 3) lists 1-2-5 steps and ends on the upper power of ten', () => {
    expect(oneTwoFive(2, 3)).toEqual([100, 200, 500, 1000]);
    expect(oneTwoFive(-2, -1)).toEqual([0.01, 0.02, 0.05, 0.1]);
    expect(() => oneTwoFive(3, 2)).toThrow(/from ≤ to/);
  });

  it('ITEM_STOPS and RATE_STOPS span the ranges the sliders promise', () => {
    expect(ITEM_STOPS[0]).toBe(100);
    expect(ITEM_STOPS.at(-1)).toBe(1e9);
    expect(RATE_STOPS[0]).toBe(0.1);
    expect(RATE_STOPS.at(-1)).toBe(1e-9);
    for (let i = 1; i < RATE_STOPS.length; i++)
      expect(RATE_STOPS[i]).toBeLessThan(RATE_STOPS[i - 1]);
  });

  it('rateByHashes(m, n) has its minimum at the engine-chosen k for every slider stop of p', () => {
    for (const p of RATE_STOPS) {
      const size = sizeFor(1e6, p);
      const curve = rateByHashes(size.bits, 1e6, 40);
      let best = curve[0];
      for (const point of curve) if (point.falsePositiveRate < best.falsePositiveRate) best = point;
      expect(Math.abs(best.hashes - size.hashes)).toBeLessThanOrEqual(1);
      expect(curve[size.hashes - 1].falsePositiveRate).toBeLessThanOrEqual(
        best.falsePositiveRate * 1.01,
      );
    }
  });

  it('bitsForHashes(n, p, k) inverts falsePositiveRate to 1e-6 relative', () => {
    for (const p of [0.1, 0.01, 1e-5, 1e-9]) {
      for (const k of [1, 2, 7, 20]) {
        const m = bitsForHashes(1e5, p, k);
        expect(falsePositiveRate(m, 1e5, k) / p).toBeCloseTo(1, 6);
      }
    }
    expect(() => bitsForHashes(1e5, 0.01, 0)).toThrow(/hashes/);
    expect(() => bitsForHashes(1e5, Number.NaN, 3)).toThrow(/p must/);
    expect(() => bitsForHashes(0, 0.01, 3)).toThrow(/n must/);
  });

  it('tuningView(n, p, k) charges extra bits for both too few and too many hashes', () => {
    const best = tuningView(1e6, 0.01, 7);
    expect(best.optimalHashes).toBe(7);
    expect(best.extraBitsFraction).toBe(0);
    const few = tuningView(1e6, 0.01, 3);
    const many = tuningView(1e6, 0.01, 14);
    expect(few.extraBitsFraction).toBeGreaterThan(0.1);
    expect(many.extraBitsFraction).toBeGreaterThan(0.1);
    expect(few.chosenRate).toBeGreaterThan(best.predictedRate);
    expect(many.chosenRate).toBeGreaterThan(best.predictedRate);
    expect(few.curve).toHaveLength(20);
  });

  it('formatBytes, formatCount and formatRate print human units', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(1198136)).toBe('1.14 MiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(9585059)).toBe('9.59 million');
    expect(formatCount(2e9)).toBe('2 billion');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.01)).toBe('1%');
    expect(formatRate(0.005)).toBe('0.5%');
    expect(formatRate(1e-6)).toBe('1 in 1 million');
    expect(formatRate(1e-4)).toBe('1 in 10,000');
  });
});
