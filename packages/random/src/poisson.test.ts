import { describe, expect, it } from 'vitest';
import { chiSquare, chiSquareCritical001 } from './chi-square.ts';
import {
  logPoissonPmf,
  PTRS_HAT_LOG_ENLARGEMENT,
  PTRS_SQUEEZE_LOG_SHRINK,
  type PtrsHat,
  ptrsCandidate,
  ptrsHat,
  ptrsLogAcceptance,
  samplePoisson,
} from './poisson.ts';
import { createRng } from './rng.ts';

/** Poisson pmf for k = 0..kMax by the recurrence p(k + 1) = p(k) lambda / (k + 1). */
function pmfByRecurrence(lambda: number, kMax: number): number[] {
  const pmf = [Math.exp(-lambda)];
  for (let k = 0; k < kMax; k++) pmf.push((pmf[k] * lambda) / (k + 1));
  return pmf;
}

/**
 * Chi-square of n draws against the exact pmf, merging neighbouring k until each bin expects at
 * least 10 draws; returns the statistic and degrees of freedom.
 */
function poissonGoodnessOfFit(lambda: number, n: number, seed: string) {
  const kMax = Math.ceil(lambda + 20 * Math.sqrt(lambda) + 30);
  const pmf = pmfByRecurrence(lambda, kMax);
  const counts = new Array<number>(kMax + 2).fill(0);
  const rng = createRng(seed);
  for (let i = 0; i < n; i++) counts[Math.min(rng.poisson(lambda), kMax + 1)]++;
  const observed: number[] = [];
  const expected: number[] = [];
  let o = 0;
  let e = 0;
  let massSoFar = 0;
  for (let k = 0; k <= kMax; k++) {
    o += counts[k];
    e += pmf[k] * n;
    massSoFar += pmf[k];
    if (e >= 10) {
      observed.push(o);
      expected.push(e);
      o = 0;
      e = 0;
    }
  }
  // The leftover right tail (including k > kMax) joins the last bin.
  observed[observed.length - 1] += o + counts[kMax + 1];
  expected[expected.length - 1] += e + Math.max(0, 1 - massSoFar) * n;
  return { statistic: chiSquare(observed, expected), df: observed.length - 1 };
}

function meanAndVariance(draw: () => number, n: number) {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSquares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSquares / n - mean * mean };
}

describe('poisson', () => {
  it.each([0.5, 3, 9.99, 10, 17.3, 100, 500])(
    'poisson(%d) over 100k draws fits the exact pmf (chi-square at p = 0.001)',
    (lambda) => {
      const { statistic, df } = poissonGoodnessOfFit(lambda, 100_000, `poisson ${lambda}`);
      expect(df).toBeGreaterThan(2);
      expect(statistic).toBeLessThan(chiSquareCritical001(df));
    },
  );

  it('poisson(3) over 100k draws has mean 3 +- 0.03 and variance 3 +- 0.08 (about 5 sigma)', () => {
    const rng = createRng('poisson moments 3');
    const { mean, variance } = meanAndVariance(() => rng.poisson(3), 100_000);
    expect(Math.abs(mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(variance - 3)).toBeLessThan(0.08);
  });

  it('poisson(500) over 100k draws has mean 500 +- 0.4 and variance 500 +- 12 (5 sigma)', () => {
    const rng = createRng('poisson moments 500');
    const { mean, variance } = meanAndVariance(() => rng.poisson(500), 100_000);
    expect(Math.abs(mean - 500)).toBeLessThan(0.4);
    expect(Math.abs(variance - 500)).toBeLessThan(12);
  });

  it.each([1e6, 1e12, 1e15])(
    'poisson(%d) over 20k draws has mean within 5 standard errors and variance within 5%%',
    (lambda) => {
      const rng = createRng(`poisson huge ${lambda}`);
      const n = 20_000;
      // Subtract lambda before squaring so huge means do not lose the variance to rounding.
      const { mean, variance } = meanAndVariance(() => rng.poisson(lambda) - lambda, n);
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
    },
  );

  it('poisson(lambda) always returns a non-negative integer', () => {
    const rng = createRng('poisson integers');
    const bad: number[] = [];
    for (const lambda of [1e-9, 0.1, 2, 9.999, 10, 10.5, 44, 1e4]) {
      for (let i = 0; i < 2000; i++) {
        const k = rng.poisson(lambda);
        if (!Number.isInteger(k) || k < 0) bad.push(k);
      }
    }
    expect(bad).toEqual([]);
  });

  it('poisson(0) returns 0 without drawing', () => {
    const noDraws = {
      float(): number {
        throw new Error('poisson(0) must not draw');
      },
    };
    expect(samplePoisson(noDraws, 0)).toBe(0);
  });

  it.each([
    [-1, /lambda >= 0, got -1/],
    [Number.NaN, /lambda >= 0, got NaN/],
    [Number.POSITIVE_INFINITY, /lambda <= 1e15, got Infinity/],
    [1e16, /lambda <= 1e15/],
    ['3' as unknown as number, /lambda >= 0, got 3/],
  ])('poisson(%s) throws a clear Error', (lambda, message) => {
    expect(() => createRng(1).poisson(lambda)).toThrow(message);
  });
});

describe('logPoissonPmf', () => {
  it('logPoissonPmf(k, 1000) matches the log-space recurrence to 1e-10 for k in 0..2000', () => {
    const lambda = 1000;
    let logP = -lambda;
    for (let k = 0; k <= 2000; k++) {
      expect(Math.abs(logPoissonPmf(k, lambda) - logP)).toBeLessThan(1e-10);
      logP += Math.log(lambda) - Math.log(k + 1);
    }
  });

  it('logPoissonPmf(k, 1e8) sums to 1 (to 1e-9) and has mean 1e8 over k within 10 sd', () => {
    const lambda = 1e8;
    let mass = 0;
    let mean = 0;
    for (let k = lambda - 1e5; k <= lambda + 1e5; k++) {
      const p = Math.exp(logPoissonPmf(k, lambda));
      mass += p;
      mean += p * (k - lambda);
    }
    expect(Math.abs(mass - 1)).toBeLessThan(1e-9);
    expect(Math.abs(mean)).toBeLessThan(1e-6);
  });
});

/**
 * Scans u on a grid for one lambda and returns the three margins that make PTRS exact: the hat
 * dominates (max ln A <= 0), the squeeze is inside the acceptance region (min ln A - ln vr >= 0
 * where us >= 0.07) and the quick reject only drops v above A (max ln A - ln us <= 0, us < 0.013).
 */
function hatMargins(hat: PtrsHat, gridSize: number) {
  let maxLogA = Number.NEGATIVE_INFINITY;
  let minSqueeze = Number.POSITIVE_INFINITY;
  let maxQuick = Number.NEGATIVE_INFINITY;
  let negativeInSqueeze = 0;
  for (let i = 0; i < gridSize; i++) {
    const u = -0.5 + (i + 0.5) / gridSize;
    const us = 0.5 - Math.abs(u);
    const k = ptrsCandidate(hat, u);
    if (k < 0) {
      if (us >= 0.07) negativeInSqueeze++;
      continue;
    }
    const logA = ptrsLogAcceptance(hat, u, k);
    maxLogA = Math.max(maxLogA, logA);
    if (us >= 0.07) minSqueeze = Math.min(minSqueeze, logA - Math.log(hat.vr));
    if (us < 0.013) maxQuick = Math.max(maxQuick, logA - Math.log(us));
  }
  return { maxLogA, minSqueeze, maxQuick, negativeInSqueeze };
}

describe('ptrsHat', () => {
  it('ptrsHat(lambda) dominates the pmf and bounds the squeeze for lambda in [10, 1e15]', () => {
    // Exactness of transformed rejection needs these margins for every u; a grid of 4000 u per
    // lambda over 500 + 60 lambdas checks them with the 0.014 slack the constants leave.
    const lambdas: number[] = [];
    for (let lambda = 10; lambda < 60; lambda += 0.1) lambdas.push(lambda);
    for (let e = Math.log(60); e <= Math.log(1e15); e += 0.3) lambdas.push(Math.exp(e));
    let worstLogA = Number.NEGATIVE_INFINITY;
    let worstSqueeze = Number.POSITIVE_INFINITY;
    let worstQuick = Number.NEGATIVE_INFINITY;
    let negatives = 0;
    for (const lambda of lambdas) {
      const m = hatMargins(ptrsHat(lambda), 4000);
      worstLogA = Math.max(worstLogA, m.maxLogA);
      worstSqueeze = Math.min(worstSqueeze, m.minSqueeze);
      worstQuick = Math.max(worstQuick, m.maxQuick);
      negatives += m.negativeInSqueeze;
    }
    expect(worstLogA).toBeLessThan(0);
    expect(worstSqueeze).toBeGreaterThan(0);
    expect(worstQuick).toBeLessThan(0);
    expect(negatives).toBe(0);
  });

  it("ptrsHat(13.25) with Hörmann's unadjusted constants fails the dominance check", () => {
    const hat = ptrsHat(13.25);
    const published: PtrsHat = {
      ...hat,
      logInvAlpha: hat.logInvAlpha - PTRS_HAT_LOG_ENLARGEMENT,
      vr: hat.vr / Math.exp(PTRS_SQUEEZE_LOG_SHRINK),
    };
    expect(hatMargins(published, 40_000).maxLogA).toBeGreaterThan(0);
    expect(hatMargins(hat, 40_000).maxLogA).toBeLessThan(0);
  });
});
