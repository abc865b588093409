import { createRng, type Rng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReservoirL } from './algorithm-l.ts';
import { ReservoirR } from './algorithm-r.ts';
import {
  exactSubsetProbabilities,
  inclusionChiSquare,
  subsetChiSquare,
  subsetMask,
} from './test-support.ts';

type UniformClass = new <T>(k: number, rng: Rng) => ReservoirR<T> | ReservoirL<T>;
const classes: [string, UniformClass][] = [
  ['ReservoirR', ReservoirR],
  ['ReservoirL', ReservoirL],
];

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe.each(classes)('%s (shared uniform contract)', (name, Reservoir) => {
  it(`new ${name}(k, rng) rejects k that is negative, fractional, NaN, Infinity or huge`, () => {
    for (const k of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40]) {
      expect(() => new Reservoir(k, createRng(1))).toThrow(/integer k in \[0, /);
    }
  });

  it(`new ${name}(k, rng) rejects a missing rng`, () => {
    expect(() => new Reservoir(3, undefined as unknown as Rng)).toThrow(/needs an rng/);
  });

  it('offer(item) fills slots 0..k−1 in order without evicting, then keeps at most k', () => {
    const r = new Reservoir<string>(3, createRng(2));
    const offers = ['a', 'b', 'c'].map((x) => r.offer(x));
    expect(offers).toEqual([
      { index: 0, kept: true, slot: 0, evictedIndex: -1 },
      { index: 1, kept: true, slot: 1, evictedIndex: -1 },
      { index: 2, kept: true, slot: 2, evictedIndex: -1 },
    ]);
    for (let i = 0; i < 100; i++) r.offer(`x${i}`);
    expect(r.items()).toHaveLength(3);
    expect(r.seen).toBe(103);
  });

  it('offer(item) reports the slot and evicted stream position truthfully', () => {
    const r = new Reservoir<number>(4, createRng(3));
    for (let i = 0; i < 2000; i++) {
      const before = r.indices();
      const offer = r.offer(i);
      expect(offer.index).toBe(i);
      if (offer.kept) {
        expect(r.indices()[offer.slot]).toBe(i);
        expect(offer.evictedIndex).toBe(i < 4 ? -1 : before[offer.slot]);
      } else {
        expect(offer).toEqual({ index: i, kept: false, slot: -1, evictedIndex: -1 });
        expect(r.indices()).toEqual(before);
      }
    }
  });

  it('offerAll(array) keeps the same items and draws as offer() one by one', () => {
    const a = new Reservoir<number>(7, createRng(4));
    const b = new Reservoir<number>(7, createRng(4));
    const items = range(5000);
    a.offerAll(items);
    for (const x of items) b.offer(x);
    expect(a.items()).toEqual(b.items());
    expect(a.indices()).toEqual(b.indices());
    expect([a.draws, a.writes, a.seen]).toEqual([b.draws, b.writes, b.seen]);
  });

  it('offerAll(iterable) matches offerAll(array), also when split into chunks', () => {
    const a = new Reservoir<number>(5, createRng(5));
    const b = new Reservoir<number>(5, createRng(5));
    a.offerAll(range(3000));
    b.offerAll(range(3)); // inside the filling phase
    b.offerAll(new Set(range(1000).slice(3))); // an iterable, not an array
    b.offerAll(range(3000).slice(1000));
    expect(b.indices()).toEqual(a.indices());
    expect(b.draws).toBe(a.draws);
    expect(b.seen).toBe(3000);
  });

  it('offerAll([]) and k = 0 keep nothing and draw nothing', () => {
    const empty = new Reservoir<number>(3, createRng(6));
    empty.offerAll([]);
    expect([empty.items(), empty.seen, empty.draws]).toEqual([[], 0, 0]);
    const zero = new Reservoir<number>(0, createRng(6));
    zero.offerAll(range(100));
    zero.offerAll(new Set([1, 2]));
    expect(zero.offer(5)).toEqual({ index: 102, kept: false, slot: -1, evictedIndex: -1 });
    expect([zero.items(), zero.seen, zero.draws]).toEqual([[], 103, 0]);
  });

  it('inArrivalOrder() sorts by stream position and snapshot() carries seen', () => {
    const r = new Reservoir<string>(10, createRng(7));
    r.offerAll(range(500).map((i) => `line ${i}`));
    const order = r.indices().sort((x, y) => x - y);
    expect(r.inArrivalOrder()).toEqual(order.map((i) => `line ${i}`));
    expect(r.snapshot()).toEqual({ items: r.inArrivalOrder(), seen: 500 });
  });

  it('offerAll(stream) gives every position the same chance k/n (chi-square, p = 0.001)', () => {
    // n = 20, k = 5, 20 000 seeded trials: 5000 expected inclusions per position.
    const n = 20;
    const k = 5;
    const trials = 20000;
    const counts = new Array<number>(n).fill(0);
    const rng = createRng(`${name} inclusion`);
    const items = range(n);
    for (let t = 0; t < trials; t++) {
      const r = new Reservoir<number>(k, rng);
      r.offerAll(items);
      for (const i of r.indices()) counts[i]++;
    }
    const { statistic, critical } = inclusionChiSquare(counts, (trials * k) / n);
    expect(statistic).toBeLessThan(critical);
  });

  it('offerAll(stream) draws every k-subset with probability 1/C(n, k) (chi-square)', () => {
    // n = 6, k = 3: 20 subsets, 20 000 trials, df 19, p = 0.001.
    const trials = 20000;
    const counts = new Map<number, number>();
    const rng = createRng(`${name} subsets`);
    for (let t = 0; t < trials; t++) {
      const r = new Reservoir<number>(3, rng);
      r.offerAll(range(6));
      const mask = subsetMask(r.indices());
      counts.set(mask, (counts.get(mask) ?? 0) + 1);
    }
    const exact = exactSubsetProbabilities([1, 1, 1, 1, 1, 1], 3);
    const { statistic, critical } = subsetChiSquare(counts, exact, trials);
    expect(statistic).toBeLessThan(critical);
  });

  it('offer() output is a subsequence of size min(k, seen), same per seed (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 300 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer(),
        (stream, k, seed) => {
          const a = new Reservoir<number>(k, createRng(seed));
          const b = new Reservoir<number>(k, createRng(seed));
          for (const x of stream) a.offer(x);
          b.offerAll(stream);
          const positions = a.indices().sort((x, y) => x - y);
          expect(a.inArrivalOrder()).toEqual(positions.map((i) => stream[i]));
          expect(new Set(positions).size).toBe(positions.length);
          expect(a.items()).toHaveLength(Math.min(k, stream.length));
          expect(b.inArrivalOrder()).toEqual(a.inArrivalOrder());
        },
      ),
      { seed: 21, numRuns: 200 },
    );
  });
});
