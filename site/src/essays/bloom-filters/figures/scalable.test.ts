import { sizeFor } from '@explorables/bloom';
import { describe, expect, it } from 'vitest';
import { GrowingFilter, itemKey, naiveBound, probeKey } from './scalable.ts';

const options = { initialCapacity: 20, errorRate: 0.01, growth: 2, tightening: 0.5, seed: 1 };

describe('scalable figure logic', () => {
  it('naiveBound(P, r, count) sums P·r^i and passes P from the second sub-filter', () => {
    expect(naiveBound(0.01, 0.5, 0)).toBe(0);
    expect(naiveBound(0.01, 0.5, 1)).toBeCloseTo(0.01, 15);
    expect(naiveBound(0.01, 0.5, 3)).toBeCloseTo(0.0175, 15);
    expect(naiveBound(0.01, 0.5, 2)).toBeGreaterThan(0.01);
    expect(naiveBound(0.01, 0.5, 60)).toBeLessThanOrEqual(0.02);
  });

  it('itemKey(i) and probeKey(j) never coincide', () => {
    const items = new Set(Array.from({ length: 1000 }, (_, i) => itemKey(i)));
    for (let j = 0; j < 1000; j++) expect(items.has(probeKey(j))).toBe(false);
  });

  it('GrowingFilter.addItems(n) makes sub-filters of doubling capacity and halving target', () => {
    const g = new GrowingFilter(options, 2000);
    expect(g.subFilters()).toHaveLength(1);
    g.addItems(290); // 20 + 40 + 80 = 140 < 290 ≤ 300: four sub-filters
    const subs = g.subFilters();
    expect(subs.map((s) => s.capacity)).toEqual([20, 40, 80, 160]);
    for (let i = 0; i < subs.length; i++) {
      expect(subs[i].targetRate).toBeCloseTo(0.005 / 2 ** i, 15);
      expect(subs[i].bits).toBe(sizeFor(subs[i].capacity, subs[i].targetRate).bits);
    }
    expect(g.items).toBe(290);
    // A new sub-filter appears once the previous ones hold their capacity; an item that already
    // tested present (a false positive) is not stored, so a step may come an item or two later.
    const stored = [0, 20, 60, 140];
    g.steps.forEach((step, i) => {
      expect(step.atItem).toBeGreaterThanOrEqual(stored[i]);
      expect(step.atItem).toBeLessThanOrEqual(stored[i] + 3);
    });
    expect(subs.reduce((sum, s) => sum + s.items, 0)).toBe(g.filter.count);
    for (const s of g.steps) expect(s.bound).toBeLessThan(0.01);
    expect(g.steps[3].naiveBound).toBeCloseTo(0.01875, 15);
  });

  it('GrowingFilter.measure() stays near or under the bound (fixed seed, 20 000 probes)', () => {
    const g = new GrowingFilter(options, 20_000);
    g.addItems(620); // five full sub-filters
    const point = g.measure();
    expect(point.items).toBe(620);
    expect(point.bound).toBeLessThan(0.01);
    // Expected ≈ bound (≈ 0.0097) for full sub-filters; 20 000 probes give sd ≈ 0.0007, so 1.4×
    // the bound is more than 5 sd above it.
    expect(point.measuredRate).toBeLessThan(point.bound * 1.4);
    expect(point.measuredRate).toBeGreaterThan(0);
    g.measure();
    expect(g.measurements).toHaveLength(1);
  });

  it('GrowingFilter.addItems(count) rejects negative or fractional counts', () => {
    const g = new GrowingFilter(options);
    expect(() => g.addItems(-1)).toThrow(/count/);
    expect(() => g.addItems(1.5)).toThrow(/count/);
  });
});
