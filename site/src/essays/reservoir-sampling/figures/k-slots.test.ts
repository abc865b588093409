import { describe, expect, it } from 'vitest';
import { runNow } from './cards.ts';
import { checkFairness } from './deal-odds.ts';
import { inclusionChance, keepChance, simulateInclusion } from './k-slots.ts';

describe('keepChance', () => {
  it('keepChance(k, card) is 1 while slots are free, then k/card', () => {
    expect(keepChance(3, 1)).toBe(1);
    expect(keepChance(3, 3)).toBe(1);
    expect(keepChance(3, 4)).toBe(0.75);
    expect(keepChance(4, 12)).toBeCloseTo(1 / 3, 15);
  });

  it('keepChance rejects k = 0 and card 0', () => {
    expect(() => keepChance(0, 5)).toThrow(/k/);
    expect(() => keepChance(2, 0)).toThrow(/card/);
  });
});

describe('simulateInclusion', () => {
  const tally = runNow(simulateInclusion({ k: 4, n: 24, runs: 10000, seed: 'slots' }));

  it('simulateInclusion counts k positions per run', () => {
    expect(tally.counts.reduce((a, b) => a + b, 0)).toBe(40000);
  });

  it('simulateInclusion: every position is kept k/n of the time (chi-square, p = 0.001)', () => {
    // Conservative: counts of a sample without replacement vary less than multinomial ones.
    // Max deviation: binomial sd sqrt((1/6)(5/6)/10,000) ≈ 0.0037; allow 4 sd.
    const check = checkFairness(tally.counts, 10000, 4 / 24);
    expect(check.passes).toBe(true);
    expect(check.maxDeviation).toBeLessThan(0.015);
  });

  it('simulateInclusion with n = k keeps every position in every run', () => {
    const full = runNow(simulateInclusion({ k: 3, n: 3, runs: 20, seed: 1 }));
    expect(Array.from(full.counts)).toEqual([20, 20, 20]);
  });

  it('simulateInclusion with n < k holds every position (slots not yet full)', () => {
    const early = runNow(simulateInclusion({ k: 4, n: 2, runs: 10, seed: 1 }));
    expect(Array.from(early.counts)).toEqual([10, 10]);
    expect(inclusionChance(4, 2)).toBe(1);
  });

  it('simulateInclusion rejects n = 0 and zero runs', () => {
    expect(() => runNow(simulateInclusion({ k: 4, n: 0, runs: 5, seed: 1 }))).toThrow(/≥ 1/);
    expect(() => runNow(simulateInclusion({ k: 2, n: 3, runs: 0, seed: 1 }))).toThrow(/runs/);
  });
});
