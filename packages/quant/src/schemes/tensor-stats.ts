/** Summary statistics of a tensor's finite values (NaN and ±Infinity are only counted). */
export interface TensorStats {
  /** All elements, finite or not. */
  readonly length: number;
  /** Finite elements: the population every statistic below describes. */
  readonly count: number;
  /** Smallest finite value (NaN when count is 0). */
  readonly min: number;
  /** Largest finite value (NaN when count is 0). */
  readonly max: number;
  /** Largest |x| over finite values (NaN when count is 0). */
  readonly absMax: number;
  /** Mean (NaN when count is 0). */
  readonly mean: number;
  /** Population standard deviation, dividing by count, not count − 1 (NaN when count is 0). */
  readonly std: number;
  /**
   * Pearson kurtosis m4 / m2² with population moments: 3 for a normal distribution, larger for
   * heavy tails (NaN when the variance is 0).
   */
  readonly kurtosis: number;
  /** kurtosis − 3: 0 for a normal distribution. */
  readonly excessKurtosis: number;
  /** Finite values with |x − mean| > 6·std (0 when std is 0). */
  readonly countBeyond6Sigma: number;
  /** NaN elements. */
  readonly nanCount: number;
  /** ±Infinity elements. */
  readonly infCount: number;
}

/**
 * Min, max, mean, std, Pearson kurtosis and counts of a tensor: the moments in one pass with
 * Welford-style updates (numerically stable for large offsets), then a second pass counting values
 * beyond 6 standard deviations (which needs the final mean and std).
 * @example tensorStats([1, 2, 3, 4]).mean // 2.5
 */
export function tensorStats(x: ArrayLike<number>): TensorStats {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nanCount = 0;
  let infCount = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      nanCount++;
      continue;
    }
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      infCount++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    const n1 = n;
    n++;
    const delta = v - mean;
    const deltaN = delta / n;
    const deltaN2 = deltaN * deltaN;
    const term1 = delta * deltaN * n1;
    mean += deltaN;
    m4 += term1 * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * m2 - 4 * deltaN * m3;
    m3 += term1 * deltaN * (n - 2) - 3 * deltaN * m2;
    m2 += term1;
  }
  if (n === 0) {
    return {
      length: x.length,
      count: 0,
      min: Number.NaN,
      max: Number.NaN,
      absMax: Number.NaN,
      mean: Number.NaN,
      std: Number.NaN,
      kurtosis: Number.NaN,
      excessKurtosis: Number.NaN,
      countBeyond6Sigma: 0,
      nanCount,
      infCount,
    };
  }
  const std = Math.sqrt(m2 / n);
  const kurtosis = m2 > 0 ? (n * m4) / (m2 * m2) : Number.NaN;
  let countBeyond6Sigma = 0;
  if (std > 0) {
    const limit = 6 * std;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (Number.isFinite(v) && Math.abs(v - mean) > limit) countBeyond6Sigma++;
    }
  }
  return {
    length: x.length,
    count: n,
    min,
    max,
    absMax: Math.max(-min, max),
    mean,
    std,
    kurtosis,
    excessKurtosis: kurtosis - 3,
    countBeyond6Sigma,
    nanCount,
    infCount,
  };
}
