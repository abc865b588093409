import { describe, expect, it } from 'vitest';
import { bitsPerKeyFor, falsePositiveRate, optimalHashes, sizeFor } from './sizing.ts';

describe('sizeFor', () => {
  it('sizeFor(1e6, 0.01) gives 9,585,059 bits and 7 hashes', () => {
    const size = sizeFor(1e6, 0.01);
    expect(size.bits).toBe(9_585_059);
    expect(size.hashes).toBe(7);
    expect(size.bytes).toBe(4 * Math.ceil(9_585_059 / 32));
    expect(size.bitsPerKey).toBeCloseTo(9.585059, 6);
    expect(size.falsePositiveRate).toBeCloseTo(0.01, 3);
  });

  it('sizeFor(1e6, 1e-6) gives ≈ 28.76 bits per key and 20 hashes', () => {
    const size = sizeFor(1e6, 1e-6);
    expect(size.bitsPerKey).toBeCloseTo(28.76, 2);
    expect(size.hashes).toBe(20);
    expect(size.falsePositiveRate).toBeGreaterThan(0.9e-6);
    expect(size.falsePositiveRate).toBeLessThan(1.1e-6);
  });

  it('sizeFor(1, 0.5) still gives at least one bit and one hash', () => {
    const size = sizeFor(1, 0.5);
    expect(size.bits).toBeGreaterThanOrEqual(1);
    expect(size.hashes).toBeGreaterThanOrEqual(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'sizeFor(%d, 0.01) throws naming n',
    (n) => {
      expect(() => sizeFor(n, 0.01)).toThrow(/n \(expected key count\)/);
    },
  );

  it.each([0, 1, -0.1, 1.5, Number.NaN])('sizeFor(1000, %d) throws naming p', (p) => {
    expect(() => sizeFor(1000, p)).toThrow(/strictly between 0 and 1/);
  });
});

describe('falsePositiveRate', () => {
  it('falsePositiveRate(m, n, k) is (1 − e^(−kn/m))^k and 0 for an empty filter', () => {
    expect(falsePositiveRate(1000, 100, 7)).toBeCloseTo((1 - Math.exp(-0.7)) ** 7, 15);
    expect(falsePositiveRate(1000, 0, 7)).toBe(0);
  });

  it('falsePositiveRate(m, n, k) throws for bits ≤ 0, n < 0, k < 1 or fractional k', () => {
    expect(() => falsePositiveRate(0, 1, 1)).toThrow(/bits/);
    expect(() => falsePositiveRate(10, -1, 1)).toThrow(/n/);
    expect(() => falsePositiveRate(10, 1, 0)).toThrow(/hashes/);
    expect(() => falsePositiveRate(10, 1, 1.5)).toThrow(/hashes/);
    expect(() => falsePositiveRate(Number.NaN, 1, 1)).toThrow(/bits/);
  });
});

describe('optimalHashes', () => {
  it('optimalHashes(m, n) rounds m/n · ln 2 and is never below 1', () => {
    expect(optimalHashes(9_585_059, 1e6)).toBe(7);
    expect(optimalHashes(1, 1000)).toBe(1);
  });

  it('optimalHashes(m, n) gives the k that minimises falsePositiveRate among neighbours', () => {
    for (const bitsPerKey of [4, 8, 10, 16, 24]) {
      const k = optimalHashes(bitsPerKey * 1000, 1000);
      const at = (h: number) => falsePositiveRate(bitsPerKey * 1000, 1000, h);
      expect(at(k)).toBeLessThanOrEqual(at(k + 1));
      if (k > 1) expect(at(k)).toBeLessThanOrEqual(at(k - 1));
    }
  });
});

describe('bitsPerKeyFor', () => {
  it('bitsPerKeyFor(p) is 1.44·log2(1/p)', () => {
    expect(bitsPerKeyFor(0.01)).toBeCloseTo(9.585, 3);
    expect(bitsPerKeyFor(0.5)).toBeCloseTo(1 / Math.LN2, 12);
  });

  it('bitsPerKeyFor(p) throws for p outside (0, 1)', () => {
    expect(() => bitsPerKeyFor(0)).toThrow(/between 0 and 1/);
    expect(() => bitsPerKeyFor(Number.NaN)).toThrow(/between 0 and 1/);
  });
});
