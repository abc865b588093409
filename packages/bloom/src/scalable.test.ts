import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScalableBloomFilter, subFilterSeed } from './scalable.ts';
import { sizeFor } from './sizing.ts';

/** Adds fresh keys until `n` were inserted (add() skips keys that already test present). */
function fill(filter: ScalableBloomFilter, n: number, prefix: string): void {
  for (let i = 0; filter.count < n; i++) filter.add(`${prefix}-${i}`);
}

describe('ScalableBloomFilter', () => {
  it('add(key) then has(key) is always true across growth (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.uint8Array()), { maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(1, 1.5, 2, 4),
        fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        (keys, initialCapacity, growth, tightening) => {
          const filter = new ScalableBloomFilter({
            initialCapacity,
            errorRate: 0.01,
            growth,
            tightening,
            seed: 3,
          });
          for (const key of keys) filter.add(key);
          return keys.every((key) => filter.has(key));
        },
      ),
      { seed: 21, numRuns: 200 },
    );
  });

  it('filters[0] is sized for errorRate·(1 − r), not errorRate (fails on the P0 = P bug)', () => {
    const filter = new ScalableBloomFilter({ initialCapacity: 1000, errorRate: 0.01 });
    const expected = sizeFor(1000, 0.005);
    expect(filter.errorRateOf(0)).toBeCloseTo(0.005, 15);
    expect(filter.filters[0].bits).toBe(expected.bits);
    expect(filter.filters[0].hashes).toBe(expected.hashes);
    expect(filter.errorBound()).toBeLessThan(0.01);
  });

  it('sub-filter i has capacity initialCapacity·growth^i, rate P(1 − r)r^i and its own seed', () => {
    const filter = new ScalableBloomFilter({
      initialCapacity: 100,
      errorRate: 0.02,
      growth: 3,
      tightening: 0.8,
      seed: 9,
    });
    fill(filter, 100 + 300 + 900 + 1, 'k');
    expect(filter.filters.length).toBe(4);
    for (let i = 0; i < 4; i++) {
      const sub = filter.filters[i];
      const size = sizeFor(100 * 3 ** i, 0.02 * 0.2 * 0.8 ** i);
      expect([sub.bits, sub.hashes, sub.seed]).toEqual([
        size.bits,
        size.hashes,
        subFilterSeed(9, i),
      ]);
    }
    expect(filter.filters.map((f) => f.count)).toEqual([100, 300, 900, 1]);
    expect(new Set(filter.filters.map((f) => f.seed)).size).toBe(4);
    expect(filter.count).toBe(1301);
  });

  it('add(key) starts a new sub-filter exactly when the current one reaches its capacity', () => {
    const filter = new ScalableBloomFilter({ initialCapacity: 10, errorRate: 0.001 });
    fill(filter, 10, 'a');
    expect(filter.filters.length).toBe(1);
    filter.add('one more');
    expect(filter.filters.length).toBe(2);
  });

  it('add(key) of a key already present returns false and changes nothing', () => {
    const filter = new ScalableBloomFilter({ initialCapacity: 10, errorRate: 0.01 });
    expect(filter.add('x')).toBe(true);
    expect(filter.add('x')).toBe(false);
    expect(filter.count).toBe(1);
  });

  // 20× the initial capacity fills sub-filters 0–3 (1 + 2 + 4 + 8 = 15 capacities) and a third of
  // sub-filter 4: predicted rate ≈ P(1 − r)(1 + r + r² + r³) ≈ 0.94 P. With 400,000 queries at
  // P = 0.01 the expected count is ≈ 3,750 with SD ≈ 61, so "≤ P" has ≈ 4 SD of margin; the P0 = P
  // bug would give ≈ 1.9 P and fail both assertions.
  it.each([1, 2, 3])(
    'errorBound() < errorRate and measured rate ≤ errorRate after 20× initial capacity (seed %d)',
    (seed) => {
      const errorRate = 0.01;
      const filter = new ScalableBloomFilter({ initialCapacity: 2000, errorRate, seed });
      fill(filter, 40_000, `in${seed}`);
      expect(filter.filters.length).toBe(5);
      expect(filter.errorBound()).toBeLessThan(errorRate);
      const queries = 400_000;
      let positives = 0;
      for (let i = 0; i < queries; i++) if (filter.has(`out${seed}-${i}`)) positives++;
      expect(positives / queries).toBeLessThanOrEqual(errorRate);
      expect(positives / queries).toBeGreaterThan(0.5 * errorRate);
    },
  );

  it('errorBound() is the sum of the target rates and stays below errorRate over 30 sub-filters', () => {
    const filter = new ScalableBloomFilter({ initialCapacity: 1, errorRate: 0.1, growth: 1 });
    fill(filter, 30, 'z');
    expect(filter.filters.length).toBe(30);
    const sum = filter.filters.reduce((s, _, i) => s + filter.errorRateOf(i), 0);
    expect(filter.errorBound()).toBeCloseTo(sum, 15);
    expect(filter.errorBound()).toBeLessThan(0.1);
    expect(filter.errorBound()).toBeGreaterThan(0.1 * (1 - 2 ** -29));
  });

  it('constructor(options) throws naming the bad option', () => {
    const ok = { initialCapacity: 10, errorRate: 0.01 };
    expect(() => new ScalableBloomFilter({ ...ok, initialCapacity: 0 })).toThrow(/initialCapacity/);
    expect(() => new ScalableBloomFilter({ ...ok, initialCapacity: 1.5 })).toThrow(
      /initialCapacity/,
    );
    expect(() => new ScalableBloomFilter({ ...ok, errorRate: 1 })).toThrow(/errorRate/);
    expect(() => new ScalableBloomFilter({ ...ok, errorRate: Number.NaN })).toThrow(/errorRate/);
    expect(() => new ScalableBloomFilter({ ...ok, growth: 0.5 })).toThrow(/growth/);
    expect(() => new ScalableBloomFilter({ ...ok, tightening: 1 })).toThrow(/tightening/);
    expect(() => new ScalableBloomFilter({ ...ok, tightening: 0 })).toThrow(/tightening/);
    expect(() => new ScalableBloomFilter({ ...ok, seed: -2 })).toThrow(/seed/);
  });

  it('sizeBytes is the sum of the sub-filters', () => {
    const filter = new ScalableBloomFilter({ initialCapacity: 10, errorRate: 0.01 });
    fill(filter, 35, 'q');
    const sum = filter.filters.reduce((s, f) => s + f.sizeBytes, 0);
    expect(filter.sizeBytes).toBe(sum);
  });

  it('subFilterSeed(seed, index) differs across indices and seeds', () => {
    const seen = new Set<number>();
    for (let s = 0; s < 10; s++) for (let i = 0; i < 10; i++) seen.add(subFilterSeed(s, i));
    expect(seen.size).toBe(100);
  });
});
