import { describe, expect, it } from 'vitest';
import { expectedDrawsL, expectedDrawsR, expectedWrites, harmonic } from './expected.ts';

describe('expected costs', () => {
  it('harmonic(n) sums exactly below 64 and matches the sum above it', () => {
    expect(harmonic(0)).toBe(0);
    expect(harmonic(3)).toBeCloseTo(11 / 6, 15);
    let sum = 0;
    for (let i = 100000; i >= 1; i--) sum += 1 / i;
    expect(harmonic(100000)).toBeCloseTo(sum, 12);
    expect(harmonic(64)).toBeCloseTo(harmonic(63) + 1 / 64, 14);
  });

  it('expectedDrawsR(n, k) is n − k, never negative, and 0 for k = 0', () => {
    expect(expectedDrawsR(1e6, 100)).toBe(999900);
    expect(expectedDrawsR(5, 10)).toBe(0);
    expect(expectedDrawsR(50, 0)).toBe(0);
  });

  it('expectedDrawsL(n, k) is 2 + 3k(H(n) − H(k)) once full and 0 before', () => {
    expect(expectedDrawsL(99, 100)).toBe(0);
    expect(expectedDrawsL(100, 100)).toBe(2);
    expect(expectedDrawsL(1e6, 100)).toBeCloseTo(2 + 300 * (harmonic(1e6) - harmonic(100)), 9);
    expect(expectedDrawsL(1e6, 100)).toBeGreaterThan(2760);
    expect(expectedDrawsL(1e6, 100)).toBeLessThan(2770);
  });

  it('expectedWrites(n, k) is close to k(1 + ln(n/k)) for n ≫ k', () => {
    expect(expectedWrites(3, 10)).toBe(3);
    expect(expectedWrites(1e6, 100) / (100 * (1 + Math.log(1e4)))).toBeCloseTo(1, 2);
  });

  it('expected*(n, k) rejects negative, fractional and NaN counts', () => {
    expect(() => expectedDrawsL(-1, 3)).toThrow(/safe integer n >= 0/);
    expect(() => expectedDrawsR(10, 1.5)).toThrow(/safe integer k >= 0/);
    expect(() => harmonic(Number.NaN)).toThrow(/got NaN/);
  });
});
