/**
 * Pearson's chi-square statistic sum((observed - expected)^2 / expected) over matching bins;
 * every expected count must be > 0.
 * @example chiSquare([48, 52], [50, 50]) // 0.16
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (observed.length !== expected.length) {
    throw new Error(
      `chiSquare needs as many expected as observed bins, got ${observed.length} and ` +
        `${expected.length}`,
    );
  }
  let sum = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i];
    if (!(e > 0)) throw new Error(`chiSquare expected[${i}] must be > 0, got ${String(e)}`);
    const d = observed[i] - e;
    sum += (d * d) / e;
  }
  return sum;
}

// Exact 0.999 quantiles for df 1..30 (rounded to 3 decimals; scipy.stats.chi2.ppf).
const CRITICAL_001 = [
  10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588, 31.264, 32.909,
  34.528, 36.123, 37.697, 39.252, 40.79, 42.312, 43.82, 45.315, 46.797, 48.268, 49.728, 51.179,
  52.62, 54.052, 55.476, 56.892, 58.301, 59.703,
];

/**
 * The chi-square value exceeded with probability 0.001 for the given degrees of freedom: a table
 * for df <= 30, the Wilson–Hilferty cube approximation above (within 0.2% of exact there).
 * @example chiSquareCritical001(9) // 27.877
 */
export function chiSquareCritical001(degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new Error(
      `chiSquareCritical001 needs an integer df >= 1, got ${String(degreesOfFreedom)}`,
    );
  }
  if (degreesOfFreedom <= CRITICAL_001.length) return CRITICAL_001[degreesOfFreedom - 1];
  const z = 3.090232; // standard normal quantile at 0.999
  const c = 2 / (9 * degreesOfFreedom);
  return degreesOfFreedom * (1 - c + z * Math.sqrt(c)) ** 3;
}
