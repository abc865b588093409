import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReservoirL } from './algorithm-l.ts';
import { ReservoirR } from './algorithm-r.ts';
import { mergeUniform, mergeWeighted } from './merge.ts';
import {
  exactSubsetProbabilities,
  inclusionChiSquare,
  subsetChiSquare,
  subsetMask,
} from './test-support.ts';
import { WeightedReservoir } from './weighted.ts';

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('mergeUniform', () => {
  it('mergeUniform(parts, k) gives every position of the union chance k/n (chi-square)', () => {
    // n = 20 split 3 / 9 / 8 over three machines, k = 5 (the first part holds fewer than k),
    // 20 000 trials, 5000 expected inclusions per position, p = 0.001.
    const splits = [range(0, 3), range(3, 12), range(12, 20)];
    const trials = 20000;
    const counts = new Array<number>(20).fill(0);
    const rng = createRng('merge inclusion');
    for (let t = 0; t < trials; t++) {
      const parts = splits.map((items, i) => {
        const r = i === 1 ? new ReservoirL<number>(5, rng) : new ReservoirR<number>(5, rng);
        r.offerAll(items);
        return r.snapshot();
      });
      const merged = mergeUniform(parts, 5, rng);
      expect(merged.items).toHaveLength(5);
      expect(merged.seen).toBe(20);
      for (const x of merged.items) counts[x]++;
    }
    const { statistic, critical } = inclusionChiSquare(counts, 5000);
    expect(statistic).toBeLessThan(critical);
  });

  it('mergeUniform(parts, k) draws every k-subset of the union equally often (chi-square)', () => {
    // n = 7 split 2 / 5, k = 3: 35 subsets, 35 000 trials, df 34.
    const trials = 35000;
    const counts = new Map<number, number>();
    const rng = createRng('merge subsets');
    for (let t = 0; t < trials; t++) {
      const a = new ReservoirR<number>(3, rng);
      const b = new ReservoirR<number>(3, rng);
      a.offerAll([0, 1]);
      b.offerAll([2, 3, 4, 5, 6]);
      const mask = subsetMask(mergeUniform([a.snapshot(), b.snapshot()], 3, rng).items);
      counts.set(mask, (counts.get(mask) ?? 0) + 1);
    }
    const exact = exactSubsetProbabilities([1, 1, 1, 1, 1, 1, 1], 3);
    const { statistic, critical } = subsetChiSquare(counts, exact, trials);
    expect(statistic).toBeLessThan(critical);
  });

  it('mergeUniform(parts, k) returns min(k, Σ seen) items, keeping order within each part', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer(),
        (sizes, k, seed) => {
          const rng = createRng(seed);
          let offset = 0;
          const parts = sizes.map((size) => {
            const r = new ReservoirL<number>(k, rng);
            r.offerAll(range(offset, offset + size));
            offset += size;
            return r.snapshot();
          });
          const merged = mergeUniform(parts, k, createRng(seed));
          const again = mergeUniform(parts, k, createRng(seed));
          expect(merged).toEqual(again);
          expect(merged.items).toHaveLength(Math.min(k, offset));
          expect(merged.seen).toBe(offset);
          expect([...merged.items].sort((x, y) => x - y)).toEqual(merged.items);
          expect(new Set(merged.items).size).toBe(merged.items.length);
        },
      ),
      { seed: 41, numRuns: 300 },
    );
  });

  it('mergeUniform(parts, k) takes at most a short part’s sample and fills from the others', () => {
    const merged = mergeUniform(
      [
        { items: ['a'], seen: 1000 },
        { items: ['x', 'y', 'z', 'w'], seen: 4 },
        { items: [], seen: 50 },
      ],
      4,
      createRng(1),
    );
    expect(merged.items).toHaveLength(4);
    expect(merged.seen).toBe(1054);
  });

  it('mergeUniform([], k) is empty and bad snapshots throw naming the part', () => {
    expect(mergeUniform([], 5, createRng(1))).toEqual({ items: [], seen: 0 });
    expect(() => mergeUniform([{ items: [1, 2], seen: 1 }], 5, createRng(1))).toThrow(
      /parts\[0\].seen must be a safe integer >= items.length \(2\), got 1/,
    );
    expect(() => mergeUniform([{ items: [], seen: Number.NaN }], 5, createRng(1))).toThrow(
      /parts\[0\]/,
    );
  });
});

describe('mergeWeighted', () => {
  it('mergeWeighted(parts, k) equals one weighted sample of the union (chi-square)', () => {
    // Weights over 6 items split 2 / 4, k = 2: 15 subsets against exact odds, 30 000 trials.
    const weights = [4, 1, 2, 0.5, 6, 1.5];
    const trials = 30000;
    const counts = new Map<number, number>();
    const rng = createRng('merge weighted');
    for (let t = 0; t < trials; t++) {
      const a = new WeightedReservoir<number>(2, rng, 'a-res');
      const b = new WeightedReservoir<number>(2, rng, 'a-expj');
      a.offerAll([0, 1], (i) => weights[i]);
      b.offerAll([2, 3, 4, 5], (i) => weights[i]);
      const mask = subsetMask(mergeWeighted([a.snapshot(), b.snapshot()], 2).items);
      counts.set(mask, (counts.get(mask) ?? 0) + 1);
    }
    const { statistic, critical } = subsetChiSquare(
      counts,
      exactSubsetProbabilities(weights, 2),
      trials,
    );
    expect(statistic).toBeLessThan(critical);
  });

  it('mergeWeighted(parts, k) keeps the k largest keys and sums seen and totalWeight', () => {
    const merged = mergeWeighted(
      [
        { items: ['a', 'b'], logKeys: [-0.5, -3], seen: 10, totalWeight: 12 },
        { items: ['c'], logKeys: [-0.1], seen: 1, totalWeight: 2 },
      ],
      2,
    );
    expect(merged).toEqual({ items: ['c', 'a'], logKeys: [-0.1, -0.5], seen: 11, totalWeight: 14 });
  });

  it('mergeWeighted(parts, k) rejects NaN or positive keys and mismatched lengths', () => {
    const part = { items: ['a'], logKeys: [Number.NaN], seen: 1, totalWeight: 1 };
    expect(() => mergeWeighted([part], 1)).toThrow(/parts\[0\].logKeys\[0\] must be a log-key/);
    expect(() => mergeWeighted([{ ...part, logKeys: [0.5] }], 1)).toThrow(/log-key <= 0/);
    expect(() => mergeWeighted([{ ...part, logKeys: [] }], 1)).toThrow(/equal length/);
  });
});
