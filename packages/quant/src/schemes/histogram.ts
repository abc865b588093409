/** Options of histogram: bin count and an optional fixed range. */
export interface HistogramOptions {
  /** Number of equal-width bins, an integer >= 1. */
  readonly bins: number;
  /** Lower edge of the first bin (default: the smallest finite value). */
  readonly min?: number;
  /** Upper edge of the last bin (default: the largest finite value). */
  readonly max?: number;
}

/** Counts per bin, plus what fell outside the range. */
export interface Histogram {
  /** bins + 1 edges, ascending; bin i is [edges[i], edges[i+1]), the last bin also holds max. */
  readonly edges: Float64Array;
  /** One count per bin. */
  readonly counts: Uint32Array;
  /** Values below min (including -Infinity). */
  readonly underflow: number;
  /** Values above max (including +Infinity). */
  readonly overflow: number;
  /** NaN values, counted in no bin. */
  readonly nanCount: number;
}

/**
 * Counts `x` into equal-width bins over [min, max]; every value lands in exactly one bin, in
 * underflow, overflow or nanCount, so they add up to x.length. With no finite values and no range
 * given the range is [0, 1]; a zero-width range [v, v] becomes [v - 0.5, v + 0.5].
 * @example histogram([0, 0.5, 1], { bins: 2 }).counts // Uint32Array [1, 2]
 */
export function histogram(x: ArrayLike<number>, opts: HistogramOptions): Histogram {
  const bins = opts.bins;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`histogram: bins is ${bins}; expected an integer >= 1`);
  }
  let lo = opts.min;
  let hi = opts.max;
  if (lo === undefined || hi === undefined) {
    let dataMin = Number.POSITIVE_INFINITY;
    let dataMax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (!Number.isFinite(v)) continue;
      if (v < dataMin) dataMin = v;
      if (v > dataMax) dataMax = v;
    }
    if (dataMin > dataMax) {
      dataMin = 0;
      dataMax = 1;
    }
    lo ??= Math.min(dataMin, hi ?? dataMin);
    hi ??= Math.max(dataMax, lo);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new Error(`histogram: range [${lo}, ${hi}] is invalid; expected finite min <= max`);
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const width = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = lo + i * width;
  edges[bins] = hi;
  for (let i = 0; i < bins; i++) {
    if (!(edges[i + 1] > edges[i])) {
      throw new Error(
        `histogram: range [${lo}, ${hi}] cannot hold ${bins} distinct bins in double precision; ` +
          'expected a wider range or fewer bins',
      );
    }
  }
  const counts = new Uint32Array(bins);
  let underflow = 0;
  let overflow = 0;
  let nanCount = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) nanCount++;
    else if (v < lo) underflow++;
    else if (v > hi) overflow++;
    else {
      let b = Math.floor((v - lo) / width);
      if (b >= bins) b = bins - 1;
      // The division may round across an edge; the stored edges are the ground truth.
      if (b > 0 && v < edges[b]) b--;
      else if (b < bins - 1 && v >= edges[b + 1]) b++;
      counts[b]++;
    }
  }
  return { edges, counts, underflow, overflow, nanCount };
}
