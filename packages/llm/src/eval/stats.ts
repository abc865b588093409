/**
 * The statistics helpers of llama.cpp's `kl_divergence()` (tools/perplexity/perplexity.cpp):
 * `mean_and_uncertainty`, `covariance`, the float `percentile` lambda and the float median.
 */

const f = Math.fround;

/** A value and its standard error. */
export interface ValueWithError {
  value: number;
  err: number;
}

/**
 * llama.cpp's `mean_and_uncertainty(sum, sum2, count)`: mean = sum/count and, when count > 10 and
 * the variance sum2/count - mean² is positive, err = sqrt(variance / (count - 1)), else 0.
 * @example meanAndUncertainty(10, 100, 1) // { value: 10, err: 0 }
 */
export function meanAndUncertainty(sum: number, sum2: number, count: number): ValueWithError {
  if (count < 1) return { value: 0, err: 0 };
  const value = sum / count;
  const variance = sum2 / count - value * value;
  const err = variance > 0 && count > 10 ? Math.sqrt(variance / (count - 1)) : 0;
  return { value, err };
}

/**
 * llama.cpp's `covariance(suma, sumb, sumab, count)`: the covariance of the means,
 * (sumab/count - (suma/count)(sumb/count)) / (count - 1), or 0 below 10 samples.
 * @example covarianceOfMeans(0, 0, 0, 5) // 0
 */
export function covarianceOfMeans(
  sumA: number,
  sumB: number,
  sumAB: number,
  count: number,
): number {
  if (count < 10) return 0;
  let v = sumAB / count - (sumA / count) * (sumB / count);
  v /= count - 1;
  return v;
}

/**
 * llama.cpp's `percentile(values, fraction)` on an ascending float array, all in float:
 * p = fraction · (n - 1), linear interpolation between values[floor(p)] and the next one.
 * `fraction` is a C float literal such as 0.999f (pass the decimal; it is rounded to float).
 * @example percentileOfSorted(new Float32Array([0, 10]), 0.25) // 2.5
 */
export function percentileOfSorted(sorted: Float32Array, fraction: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('percentileOfSorted: the array is empty');
  const fr = f(fraction);
  if (fr <= 0) return sorted[0];
  if (fr >= 1) return sorted[n - 1];
  let p = f(fr * f(n - 1));
  const ip = Math.trunc(p);
  p = f(p - ip);
  const hi = sorted[Math.min(ip + 1, n - 1)];
  return f(f(f(1 - p) * sorted[ip]) + f(p * hi));
}

/**
 * llama.cpp's median of an ascending float array: the middle value, or 0.5f · (a + b) in float
 * for an even count.
 * @example medianOfSorted(new Float32Array([1, 2, 3, 4])) // 2.5
 */
export function medianOfSorted(sorted: Float32Array): number {
  const n = sorted.length;
  if (n === 0) throw new Error('medianOfSorted: the array is empty');
  if (n % 2 === 1) return sorted[(n - 1) / 2];
  return f(0.5 * f(sorted[n / 2] + sorted[n / 2 - 1]));
}
