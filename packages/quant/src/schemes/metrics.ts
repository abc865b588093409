/** How far a reconstruction is from the original, every sum taken in double precision. */
export interface ErrorMetrics {
  /** Elements compared. */
  readonly count: number;
  /** Mean squared error Σ(x − y)² / n (0 for empty input). */
  readonly mse: number;
  /** √mse. */
  readonly rmse: number;
  /** Mean absolute error Σ|x − y| / n (0 for empty input). */
  readonly meanAbsError: number;
  /** Largest |x − y|. */
  readonly maxAbsError: number;
  /** Index of the first element reaching maxAbsError (-1 for empty input). */
  readonly maxAbsErrorIndex: number;
  /**
   * Signal-to-noise ratio in dB, 10·log10(Σx² / Σ(x − y)²): +Infinity when the reconstruction is
   * exact (including empty input), -Infinity when x is all zeros and y is not.
   */
  readonly snrDb: number;
  /**
   * Σxy / √(Σx² Σy²), clamped to [-1, 1]. Defined as 1 when both vectors are all zeros (they are
   * identical) and 0 when exactly one of them is.
   */
  readonly cosineSimilarity: number;
}

/**
 * Compares `original` with `reconstructed` element by element (same length, finite values; a NaN or
 * infinity throws naming its index) and returns MSE, RMSE, mean and max absolute error, SNR in dB
 * and cosine similarity.
 * @example errorMetrics([1, 2], [1, 2.5]).mse // 0.125
 */
export function errorMetrics(
  original: ArrayLike<number>,
  reconstructed: ArrayLike<number>,
): ErrorMetrics {
  const n = original.length;
  if (reconstructed.length !== n) {
    throw new Error(
      `errorMetrics: original has ${n} elements but reconstructed has ${reconstructed.length}; ` +
        'expected equal lengths',
    );
  }
  let sumXX = 0;
  let sumYY = 0;
  let sumXY = 0;
  let sumEE = 0;
  let sumAbs = 0;
  let maxAbs = 0;
  let maxX = 0;
  let maxY = 0;
  let maxIndex = n > 0 ? 0 : -1;
  for (let i = 0; i < n; i++) {
    const x = original[i];
    const y = reconstructed[i];
    if (!Number.isFinite(x))
      throw new Error(`errorMetrics: original[${i}] is ${x}; expected finite`);
    if (!Number.isFinite(y)) {
      throw new Error(`errorMetrics: reconstructed[${i}] is ${y}; expected finite`);
    }
    const e = x - y;
    const a = Math.abs(e);
    if (a === Number.POSITIVE_INFINITY) {
      throw new Error(`errorMetrics: original[${i}] − reconstructed[${i}] overflows double`);
    }
    sumXX += x * x;
    sumYY += y * y;
    sumXY += x * y;
    sumEE += e * e;
    sumAbs += a;
    if (a > maxAbs) {
      maxAbs = a;
      maxIndex = i;
    }
    maxX = Math.max(maxX, Math.abs(x));
    maxY = Math.max(maxY, Math.abs(y));
  }
  const meanAbsError = n > 0 ? sumAbs / n : 0;
  const lost = (sum: number, max: number): boolean => (sum === 0 && max > 0) || sum === Infinity;
  if (lost(sumXX, maxX) || lost(sumYY, maxY) || lost(sumEE, maxAbs) || !(sumXY < Infinity)) {
    // Squares underflowed or overflowed double: redo the sums, each scaled by its largest |value|.
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    let se = 0;
    for (let i = 0; i < n; i++) {
      const x = maxX > 0 ? original[i] / maxX : 0;
      const y = maxY > 0 ? reconstructed[i] / maxY : 0;
      const e = maxAbs > 0 ? (original[i] - reconstructed[i]) / maxAbs : 0;
      sx += x * x;
      sy += y * y;
      sxy += x * y;
      se += e * e;
    }
    const rmse = maxAbs * Math.sqrt(se / n);
    let snrDb: number;
    if (maxAbs === 0) snrDb = Number.POSITIVE_INFINITY;
    else if (maxX === 0) snrDb = Number.NEGATIVE_INFINITY;
    else snrDb = 20 * Math.log10(maxX / maxAbs) + 10 * Math.log10(sx / se);
    return {
      count: n,
      mse: rmse * rmse,
      rmse,
      meanAbsError,
      maxAbsError: maxAbs,
      maxAbsErrorIndex: maxIndex,
      snrDb,
      cosineSimilarity: cosine(sx, sy, sxy),
    };
  }
  const mse = n > 0 ? sumEE / n : 0;
  let snrDb: number;
  if (maxAbs === 0) snrDb = Number.POSITIVE_INFINITY;
  else if (sumXX === 0) snrDb = Number.NEGATIVE_INFINITY;
  else snrDb = 10 * Math.log10(sumXX / sumEE);
  return {
    count: n,
    mse,
    rmse: Math.sqrt(mse),
    meanAbsError,
    maxAbsError: maxAbs,
    maxAbsErrorIndex: maxIndex,
    snrDb,
    cosineSimilarity: cosine(sumXX, sumYY, sumXY),
  };
}

function cosine(sumXX: number, sumYY: number, sumXY: number): number {
  if (sumXX === 0 && sumYY === 0) return 1;
  if (sumXX === 0 || sumYY === 0) return 0;
  return Math.min(1, Math.max(-1, sumXY / (Math.sqrt(sumXX) * Math.sqrt(sumYY))));
}
