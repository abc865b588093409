import { chiSquare, chiSquareCritical001 } from '@explorables/random';
import { expectedDrawsL, expectedDrawsR } from '@explorables/reservoir';
import { describe, expect, it } from 'vitest';
import {
  binomialBand,
  drawCheckpoints,
  inclusionCountsNow,
  runDrawRace,
  runDrawRaceNow,
  STREAM_LENGTHS,
  skipStrip,
} from './skips.ts';

describe('STREAM_LENGTHS', () => {
  it('STREAM_LENGTHS runs 100, 200, 500 … 10,000,000 in increasing order', () => {
    expect(STREAM_LENGTHS[0]).toBe(100);
    expect(STREAM_LENGTHS.at(-1)).toBe(10_000_000);
    expect(STREAM_LENGTHS.length).toBe(16);
    for (let i = 1; i < STREAM_LENGTHS.length; i++) {
      expect(STREAM_LENGTHS[i]).toBeGreaterThan(STREAM_LENGTHS[i - 1]);
    }
  });
});

describe('drawCheckpoints', () => {
  it('drawCheckpoints(n, k) is strictly increasing, starts at 1 and holds k and n', () => {
    const c = drawCheckpoints(12_345, 10);
    expect(c[0]).toBe(1);
    expect(c.at(-1)).toBe(12_345);
    expect(c).toContain(10);
    for (let i = 1; i < c.length; i++) expect(c[i]).toBeGreaterThan(c[i - 1]);
  });

  it('drawCheckpoints rejects n = 0, negative k and NaN', () => {
    expect(() => drawCheckpoints(0, 1)).toThrow(/n >= 1/);
    expect(() => drawCheckpoints(10, -1)).toThrow(/k >= 0/);
    expect(() => drawCheckpoints(Number.NaN, 1)).toThrow(/got NaN/);
  });
});

describe('runDrawRace', () => {
  it('runDrawRaceNow: R draws exactly n − k, and L far fewer when n ≫ k', () => {
    const race = runDrawRaceNow({ n: 1_000_000, k: 10, seed: 1 });
    expect(race.drawsR).toBe(expectedDrawsR(1_000_000, 10));
    expect(race.drawsL).toBeLessThan(race.drawsR / 1000);
    // L's draws are a sum of ~3k ln(n/k) unit contributions: within 25 % of the mean at k = 10.
    expect(Math.abs(race.drawsL - race.expectedL) / race.expectedL).toBeLessThan(0.25);
    expect(race.expectedL).toBe(expectedDrawsL(1_000_000, 10));
    expect(race.sampleR.length).toBe(10);
    expect(race.sampleL.length).toBe(10);
  });

  it('runDrawRaceNow: the checkpoints count draws that never decrease and end at the totals', () => {
    const race = runDrawRaceNow({ n: 5000, k: 20, seed: 4 });
    for (let i = 1; i < race.points.length; i++) {
      expect(race.points[i].seen).toBeGreaterThan(race.points[i - 1].seen);
      expect(race.points[i].drawsR).toBeGreaterThanOrEqual(race.points[i - 1].drawsR);
      expect(race.points[i].drawsL).toBeGreaterThanOrEqual(race.points[i - 1].drawsL);
    }
    const last = race.points.at(-1);
    expect(last).toEqual({ seen: 5000, drawsR: race.drawsR, drawsL: race.drawsL });
  });

  it('runDrawRace yields progress in chunks and a capped run gives the same race', () => {
    const flat = runDrawRaceNow({ n: 30_000, k: 5, seed: 9 });
    const gen = runDrawRace({ n: 30_000, k: 5, seed: 9, chunk: 1000 });
    let step = gen.next();
    let yields = 0;
    let cap = 100;
    while (!step.done) {
      yields++;
      expect(step.value).toBeGreaterThan(0);
      expect(step.value).toBeLessThan(1);
      cap *= 2;
      step = gen.next(cap);
    }
    expect(yields).toBeGreaterThan(10);
    expect(step.value).toEqual(flat);
  });

  it('runDrawRaceNow with n ≤ k keeps everything and draws nothing', () => {
    const race = runDrawRaceNow({ n: 100, k: 100, seed: 2 });
    expect(race.drawsR).toBe(0);
    expect(race.sampleL).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('runDrawRaceNow rejects k = 0 and a fractional n', () => {
    expect(() => runDrawRaceNow({ n: 10, k: 0, seed: 1 })).toThrow(/k >= 1/);
    expect(() => runDrawRaceNow({ n: 10.5, k: 1, seed: 1 })).toThrow(/n >= 1/);
  });

  it('runDrawRaceNow with the same seed gives the same race', () => {
    expect(runDrawRaceNow({ n: 2000, k: 7, seed: 5 })).toEqual(
      runDrawRaceNow({ n: 2000, k: 7, seed: 5 }),
    );
  });
});

describe('skipStrip', () => {
  it('skipStrip keeps the first k, then the same positions as the race keeps', () => {
    const marks = skipStrip(10, 3, 300);
    expect(marks.length).toBe(300);
    expect(marks.slice(0, 10).every((m) => m.kept && m.filling)).toBe(true);
    // The race over exactly 300 items ends with L's sample drawn from the strip's kept positions.
    const race = runDrawRaceNow({ n: 300, k: 10, seed: 3 });
    const keptPositions = new Set(marks.filter((m) => m.kept).map((m) => m.index));
    for (const i of race.sampleL) expect(keptPositions.has(i)).toBe(true);
    expect(race.writesL).toBe(keptPositions.size);
  });

  it('skipStrip gaps are the distances between consecutive kept positions', () => {
    const marks = skipStrip(5, 8, 500);
    const kept = marks.filter((m) => m.kept);
    for (let i = 5; i < kept.length; i++) {
      expect(kept[i].gap).toBe(kept[i].index - kept[i - 1].index);
    }
    // Jumps grow: later gaps are longer on average than the first ones.
    const gaps = kept.slice(5).map((m) => m.gap);
    const half = Math.floor(gaps.length / 2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(gaps.slice(half))).toBeGreaterThan(mean(gaps.slice(0, half)));
  });

  it('skipStrip(k, seed, 0) is empty', () => {
    expect(skipStrip(3, 1, 0)).toEqual([]);
  });
});

describe('inclusionCounts', () => {
  // Chi-square over positions against trials · k / n; each position's count is a binomial, so
  // the statistic is compared with the p = 0.001 critical value (scaled by 1 / (1 − k/n), the
  // multinomial-like correction for sampling without replacement keeps it conservative).
  for (const algorithm of ['R', 'L'] as const) {
    it(`inclusionCountsNow(${algorithm}) keeps every position about trials · k / n times`, () => {
      const n = 40;
      const k = 10;
      const trials = 8000;
      const result = inclusionCountsNow({ algorithm, n, k, trials, seed: 11 });
      const expected = new Float64Array(n).fill((trials * k) / n);
      const total = result.counts.reduce((a, b) => a + b, 0);
      expect(total).toBe(trials * k);
      const statistic = chiSquare(result.counts, expected) / (1 - k / n);
      expect(statistic).toBeLessThan(chiSquareCritical001(n - 1));
      // And every single position inside a 4-sigma binomial band.
      const band = binomialBand(k / n, trials, 4);
      for (const c of result.counts) {
        expect(c / trials).toBeGreaterThan(band.low);
        expect(c / trials).toBeLessThan(band.high);
      }
    });
  }

  it('inclusionCounts catches an unfair sampler: the check above fails for a biased count', () => {
    const n = 40;
    const trials = 8000;
    const biased = new Float64Array(n).fill((trials * 10) / n);
    biased[0] += 300;
    biased[1] -= 300;
    const expected = new Float64Array(n).fill((trials * 10) / n);
    expect(chiSquare(biased, expected) / (1 - 10 / n)).toBeGreaterThan(chiSquareCritical001(n - 1));
  });
});

describe('binomialBand', () => {
  it('binomialBand(p, trials, z) is centred on p and clipped to [0, 1]', () => {
    const band = binomialBand(0.25, 4000, 3);
    expect((band.low + band.high) / 2).toBeCloseTo(0.25, 12);
    expect(binomialBand(0, 10, 3)).toEqual({ low: 0, high: 0 });
    expect(binomialBand(1, 10, 3)).toEqual({ low: 1, high: 1 });
    expect(() => binomialBand(Number.NaN, 10, 3)).toThrow(/p in/);
  });
});
