import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runNow } from './cards.ts';
import { checkFairness } from './deal-odds.ts';
import {
  deckOf,
  expectedPickDraws,
  pickPositions,
  shuffleTakeFirst,
  tallyKnownSize,
} from './known-size.ts';

describe('known-size sampling', () => {
  it('deckOf(n) lists cards 1…n in order', () => {
    expect(deckOf(4)).toEqual([1, 2, 3, 4]);
  });

  it('shuffleTakeFirst(n, k) returns a permutation of the deck and its first k cards', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 52 }), fc.integer(), (n, seed) => {
        const k = Math.floor(n / 2);
        const deal = shuffleTakeFirst(n, k, createRng(seed));
        expect([...deal.order].sort((a, b) => a - b)).toEqual(deckOf(n));
        expect(deal.chosen).toEqual(deal.order.slice(0, k));
      }),
    );
  });

  it('pickPositions(n, k) chooses k distinct cards and marks exactly the repeated draws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 52 }), fc.integer(), (n, seed) => {
        const deal = pickPositions(n, n, createRng(seed));
        expect(new Set(deal.chosen).size).toBe(n);
        const seen = new Set<number>();
        for (const d of deal.draws) {
          expect(d.repeat).toBe(seen.has(d.card));
          seen.add(d.card);
        }
        expect(deal.draws.filter((d) => !d.repeat).map((d) => d.card)).toEqual(deal.chosen);
      }),
    );
  });

  it('pickPositions(n, 0) and shuffleTakeFirst(n, 0) choose nothing', () => {
    expect(pickPositions(5, 0, createRng(1))).toEqual({ draws: [], chosen: [] });
    expect(shuffleTakeFirst(5, 0, createRng(1)).chosen).toEqual([]);
  });

  it('shuffleTakeFirst and pickPositions reject k above n, negative k and n = 0', () => {
    expect(() => shuffleTakeFirst(5, 6, createRng(1))).toThrow(/0…5/);
    expect(() => pickPositions(5, -1, createRng(1))).toThrow(/0…5/);
    expect(() => pickPositions(0, 0, createRng(1))).toThrow(/≥ 1/);
  });

  it('expectedPickDraws(n, k) is k for one card and ≈ 236 for a whole deck of 52', () => {
    expect(expectedPickDraws(52, 1)).toBe(1);
    expect(expectedPickDraws(52, 52)).toBeCloseTo(235.978, 2);
    expect(expectedPickDraws(10, 0)).toBe(0);
  });
});

describe('tallyKnownSize', () => {
  const tally = runNow(tallyKnownSize({ n: 20, k: 5, runs: 10000, seed: 'known' }));

  it('tallyKnownSize counts k cards per run for each method', () => {
    expect(tally.shuffle.reduce((a, b) => a + b, 0)).toBe(50000);
    expect(tally.pick.reduce((a, b) => a + b, 0)).toBe(50000);
  });

  it('tallyKnownSize: both methods choose every card k/n of the time (chi-square, p = 0.001)', () => {
    // Counts of a sample without replacement vary less than multinomial ones: the test is
    // conservative. Max deviation: binomial sd sqrt(0.25 · 0.75 / 10,000) ≈ 0.0043; allow 4 sd.
    for (const counts of [tally.shuffle, tally.pick]) {
      const check = checkFairness(counts, 10000, 5 / 20);
      expect(check.passes).toBe(true);
      expect(check.maxDeviation).toBeLessThan(0.0175);
    }
  });

  it('tallyKnownSize: mean pick draws is within 2% of expectedPickDraws', () => {
    expect(tally.pickDraws / 10000).toBeGreaterThan(expectedPickDraws(20, 5) * 0.98);
    expect(tally.pickDraws / 10000).toBeLessThan(expectedPickDraws(20, 5) * 1.02);
  });

  it('tallyKnownSize picks the same cards as pickPositions on the same child rng', () => {
    const small = runNow(tallyKnownSize({ n: 6, k: 3, runs: 40, seed: 9 }));
    const rng = createRng(9).child('pick');
    const counts = new Uint32Array(6);
    let draws = 0;
    for (let r = 0; r < 40; r++) {
      const deal = pickPositions(6, 3, rng);
      draws += deal.draws.length;
      for (const c of deal.chosen) counts[c - 1]++;
    }
    expect(Array.from(small.pick)).toEqual(Array.from(counts));
    expect(small.pickDraws).toBe(draws);
  });

  it('tallyKnownSize rejects zero runs', () => {
    expect(() => runNow(tallyKnownSize({ n: 5, k: 2, runs: 0, seed: 1 }))).toThrow(/runs/);
  });
});
