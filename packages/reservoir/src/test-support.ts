/**
 * Helpers for the statistical tests of this package (not exported from index.ts): exact subset
 * probabilities to compare sample frequencies against, and chi-square verdicts.
 */
import { chiSquare, chiSquareCritical001 } from '@explorables/random';

/**
 * A bit mask with bit i set for every stream position i in `indices` (positions below 31).
 * @example subsetMask([0, 2]) // 5
 */
export function subsetMask(indices: readonly number[]): number {
  let mask = 0;
  for (const i of indices) mask |= 1 << i;
  return mask;
}

/**
 * Exact probability of every k-subset (as a bit mask) when k of n items are drawn one at a time
 * without replacement, each draw proportional to weight among those left (the distribution of
 * A-Res and A-ExpJ samples). Equal weights give 1 / C(n, k) each.
 * @example exactSubsetProbabilities([1, 1, 2], 1) // Map { 1 => 0.25, 2 => 0.25, 4 => 0.5 }
 */
export function exactSubsetProbabilities(
  weights: readonly number[],
  k: number,
): Map<number, number> {
  const out = new Map<number, number>();
  const total = weights.reduce((a, b) => a + b, 0);
  const visit = (mask: number, left: number, weightLeft: number, p: number): void => {
    if (left === 0) {
      out.set(mask, (out.get(mask) ?? 0) + p);
      return;
    }
    for (let i = 0; i < weights.length; i++) {
      if (mask & (1 << i)) continue;
      visit(mask | (1 << i), left - 1, weightLeft - weights[i], (p * weights[i]) / weightLeft);
    }
  };
  visit(0, k, total, 1);
  return out;
}

/** A chi-square statistic with the critical value it must stay below (p = 0.001). */
export interface ChiSquareVerdict {
  statistic: number;
  critical: number;
}

/**
 * Compares subset frequencies with exact probabilities over `trials` samples (df = bins − 1).
 * @example subsetChiSquare(counts, exactSubsetProbabilities([1, 1, 1, 1], 2), 1000)
 */
export function subsetChiSquare(
  counts: Map<number, number>,
  probabilities: Map<number, number>,
  trials: number,
): ChiSquareVerdict {
  const observed: number[] = [];
  const expected: number[] = [];
  for (const [mask, p] of probabilities) {
    observed.push(counts.get(mask) ?? 0);
    expected.push(p * trials);
  }
  for (const mask of counts.keys()) {
    if (!probabilities.has(mask)) throw new Error(`impossible subset ${mask.toString(2)}`);
  }
  return {
    statistic: chiSquare(observed, expected),
    critical: chiSquareCritical001(observed.length - 1),
  };
}

/**
 * Pearson's statistic of per-position inclusion counts against equal expectations, df = n − 1.
 * The counts are negatively correlated (they sum to k · trials), which makes the statistic's
 * mean n − k instead of n − 1: the test is conservative but still fails for a biased sampler.
 * @example inclusionChiSquare([50, 48, 52], 50)
 */
export function inclusionChiSquare(counts: readonly number[], expected: number): ChiSquareVerdict {
  return {
    statistic: chiSquare(
      counts,
      counts.map(() => expected),
    ),
    critical: chiSquareCritical001(counts.length - 1),
  };
}

/**
 * A stand-in Rng whose float() replays `floats` (then repeats the last) for edge-case tests;
 * nextUint32 scales the same value, int and pick use it too.
 * @example scriptedRng([0.5]).float() // 0.5
 */
export function scriptedRng(floats: readonly number[]) {
  let i = 0;
  const float = (): number => floats[Math.min(i++, floats.length - 1)];
  const rng = {
    float,
    nextUint32: () => Math.floor(float() * 4294967296),
    int: (min: number, max: number) => min + Math.floor(float() * (max - min + 1)),
    pick: <T>(array: ArrayLike<T>) => array[Math.floor(float() * array.length)],
    get used() {
      return i;
    },
  };
  return rng;
}
