import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactSubsetProbabilities, subsetChiSquare, subsetMask } from './test-support.ts';
import { type WeightedMethod, WeightedReservoir } from './weighted.ts';

const methods: WeightedMethod[] = ['a-res', 'a-expj'];

describe.each(methods)('WeightedReservoir (%s)', (method) => {
  it('offer(item, w) with k = 1 keeps item i with probability w_i / W (chi-square)', () => {
    const weights = [1, 2, 3, 4, 10, 0.5, 7, 2.5];
    const total = weights.reduce((a, b) => a + b, 0);
    const trials = 30000;
    const counts = new Map<number, number>();
    const rng = createRng(`${method} k=1`);
    for (let t = 0; t < trials; t++) {
      const w = new WeightedReservoir<number>(1, rng, method);
      weights.forEach((weight, i) => {
        w.offer(i, weight);
      });
      const mask = subsetMask(w.items());
      counts.set(mask, (counts.get(mask) ?? 0) + 1);
    }
    const exact = new Map(weights.map((weight, i) => [1 << i, weight / total] as [number, number]));
    const { statistic, critical } = subsetChiSquare(counts, exact, trials);
    expect(statistic).toBeLessThan(critical);
  });

  it('offerAll(items, weightOf) with k = 3 of 7 matches exact successive-sampling odds', () => {
    // All 35 subsets against probabilities enumerated by brute force; 40 000 trials, df 34.
    const weights = [1, 5, 2, 0.25, 8, 3, 1.5];
    const trials = 40000;
    const counts = new Map<number, number>();
    const rng = createRng(`${method} k=3`);
    const items = weights.map((_, i) => i);
    for (let t = 0; t < trials; t++) {
      const w = new WeightedReservoir<number>(3, rng, method);
      w.offerAll(items, (i) => weights[i]);
      const mask = subsetMask(w.items());
      counts.set(mask, (counts.get(mask) ?? 0) + 1);
    }
    const { statistic, critical } = subsetChiSquare(
      counts,
      exactSubsetProbabilities(weights, 3),
      trials,
    );
    expect(statistic).toBeLessThan(critical);
  });

  it('offer(item, w) rejects 0, negative, NaN and infinite weights naming the item index', () => {
    const w = new WeightedReservoir<string>(2, createRng(1), method);
    w.offer('a', 1);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => w.offer('b', bad)).toThrow(/weight of item 1 must be a finite number > 0/);
    }
    expect(() => w.offerAll(['x', 'y'], (x) => (x === 'y' ? Number.NaN : 1))).toThrow(
      /item 2 .*got NaN/,
    );
    expect(w.seen).toBe(2);
  });

  it('offer(item, w) with huge and tiny weights keeps finite ordered log-keys', () => {
    const w = new WeightedReservoir<number>(3, createRng(2), method);
    const weights = [1e300, 1e-300, 1, 1e-10, 1e200, 5e-324, 1e308];
    weights.forEach((weight, i) => {
      w.offer(i, weight);
    });
    for (const key of w.logKeys()) expect(key).toBeLessThanOrEqual(0);
    expect(w.items().sort()).toEqual([0, 4, 6]);
    expect(w.totalWeight).toBeCloseTo(1e308 + 1e300 + 1e200, -300);
  });

  it('offer() reports slots and evictions that match items() and indices()', () => {
    const w = new WeightedReservoir<number>(4, createRng(3), method);
    for (let i = 0; i < 3000; i++) {
      const before = w.indices();
      const offer = w.offer(i, 1 + (i % 7));
      if (offer.kept) {
        expect(w.indices()[offer.slot]).toBe(i);
        expect(offer.evictedIndex).toBe(i < 4 ? -1 : before[offer.slot]);
      } else {
        expect(w.indices()).toEqual(before);
      }
    }
    expect(w.thresholdLogKey).toBe(Math.min(...w.logKeys()));
  });

  it('snapshot() lists items and keys in arrival order with seen and totalWeight', () => {
    const w = new WeightedReservoir<string>(3, createRng(4), method);
    w.offerAll(['a', 'b', 'c', 'd', 'e'], () => 2);
    const snap = w.snapshot();
    expect(snap.seen).toBe(5);
    expect(snap.totalWeight).toBe(10);
    expect([...snap.items].sort()).toEqual(snap.items);
    expect(snap.logKeys).toHaveLength(3);
  });

  it('offer() keeps min(k, seen) distinct items, reproducible by seed (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer(),
        (weights, k, seed) => {
          const a = new WeightedReservoir<number>(k, createRng(seed), method);
          const b = new WeightedReservoir<number>(k, createRng(seed), method);
          weights.forEach((weight, i) => {
            a.offer(i, weight);
          });
          b.offerAll(
            weights.map((_, i) => i),
            (i) => weights[i],
          );
          expect(a.items()).toHaveLength(Math.min(k, weights.length));
          expect(new Set(a.items()).size).toBe(a.items().length);
          expect(b.inArrivalOrder()).toEqual(a.inArrivalOrder());
        },
      ),
      { seed: 31, numRuns: 200 },
    );
  });
});

describe('WeightedReservoir', () => {
  it("new WeightedReservoir(k, rng, method) defaults to 'a-expj' and rejects other methods", () => {
    expect(new WeightedReservoir(2, createRng(1)).method).toBe('a-expj');
    expect(() => new WeightedReservoir(2, createRng(1), 'x' as WeightedMethod)).toThrow(
      /'a-res' or 'a-expj'/,
    );
  });

  it('A-ExpJ draws O(k log(n/k)) random numbers where A-Res draws n (n = 1e5, k = 10)', () => {
    const expj = new WeightedReservoir<number>(10, createRng(5), 'a-expj');
    const ares = new WeightedReservoir<number>(10, createRng(5), 'a-res');
    const items = Array.from({ length: 1e5 }, (_, i) => i);
    expj.offerAll(items, () => 1);
    ares.offerAll(items, () => 1);
    expect(ares.draws).toBe(1e5);
    // Equal weights: about 2k ln(n/k) ≈ 184 draws plus k + 1.
    expect(expj.draws).toBeLessThan(400);
  });
});
