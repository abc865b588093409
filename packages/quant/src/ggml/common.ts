// Shared arithmetic for the ggml block formats. ggml computes in float32 without fused
// multiply-adds, so every float operation below goes through Math.fround, in ggml's order.

// Every file keeps its own alias: calls through an imported binding are slower in some loaders.
const f = Math.fround;

/** ggml's GROUP_MAX_EPS (1e-15f): a group whose largest magnitude is below it counts as zero. */
export const GROUP_MAX_EPS = Math.fround(1e-15);

const F_0_1 = Math.fround(0.1);

/**
 * ggml's nearest_int: adds 1.5·2^23 in float32 and reads the integer back, which rounds half to
 * even. Valid for |fval| < 2^22, as in ggml (where an assert guards it).
 * @example nearestInt(2.5) // 2
 */
export function nearestInt(fval: number): number {
  return Math.fround(fval + 12582912) - 12582912;
}

/**
 * C's roundf for a float32 value with |x| < 2^31: nearest integer, halves away from zero. The
 * double sum x ± 0.5 is exact whenever it could reach an integer, and `| 0` truncates toward zero.
 * @example roundHalfAwayFromZero(-2.5) // -3
 */
export function roundHalfAwayFromZero(x: number): number {
  return (x + (x >= 0 ? 0.5 : -0.5)) | 0;
}

/**
 * Throws unless `srcLength` elements fill whole blocks and `dstLength` is exactly their byte size.
 * @example checkRow('q8_0', 32, 34, 64, 68) // ok
 */
export function checkRow(
  name: string,
  blockSize: number,
  typeSizeBytes: number,
  srcLength: number,
  dstLength: number,
): number {
  if (srcLength % blockSize !== 0) {
    throw new Error(
      `${name}: row of ${srcLength} values is not a multiple of the block size ${blockSize}`,
    );
  }
  const blocks = srcLength / blockSize;
  if (dstLength !== blocks * typeSizeBytes) {
    throw new Error(
      `${name}: ${blocks} blocks need ${blocks * typeSizeBytes} bytes, got ${dstLength}`,
    );
  }
  return blocks;
}

/**
 * Throws unless the importance matrix covers the row (one weight per column).
 * @example checkImatrix('q4_0', imatrix, 256)
 */
export function checkImatrix(name: string, imatrix: Float32Array, nPerRow: number): void {
  if (imatrix.length !== nPerRow) {
    throw new Error(
      `${name}: imatrix has ${imatrix.length} weights, expected one per column (${nPerRow})`,
    );
  }
}

/**
 * sum(x²)/n over a whole row, summed from index 0 in float32, as the imatrix paths of
 * Q4_0/Q4_1/Q5_0/Q5_1 compute their sigma2.
 * @example rowSigma2(new Float32Array([1, 1])) // 1
 */
export function rowSigma2(x: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < x.length; j++) sum = f(sum + f(x[j] * x[j]));
  return f(sum / x.length);
}

/**
 * Fills `weight[0..n)` with qw[j]·sqrt(sigma2 + x[j]²) for the block at `off`, as the imatrix
 * paths do.
 * @example imatrixWeights(x, imatrix, 0, 32, sigma2, weight)
 */
export function imatrixWeights(
  x: Float32Array,
  qw: Float32Array,
  off: number,
  n: number,
  sigma2: number,
  weight: Float32Array,
): void {
  for (let j = 0; j < n; j++) {
    const v = x[off + j];
    weight[j] = f(qw[off + j] * f(Math.sqrt(f(sigma2 + f(v * v)))));
  }
}

/**
 * ggml's make_qx_quants with rmse_type 1 and explicit weights: a symmetric scale search over
 * 19 candidate scales, writing levels 0..2·nmax-1 into L and returning the scale.
 * @example const d = makeQxQuants(32, 8, x, off, L, weight)
 */
export function makeQxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  off: number,
  L: Uint8Array,
  qw: Float32Array,
): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[off + i]);
    if (ax > amax) {
      amax = ax;
      max = x[off + i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  let iscale = f(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[off + i];
    let l = nearestInt(f(iscale * xi));
    l = Math.max(-nmax, Math.min(nmax - 1, l));
    L[i] = l + nmax;
    const w = qw[i];
    sumlx = f(sumlx + f(f(w * xi) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  let scale = suml2 ? f(sumlx / suml2) : 0;
  let best = f(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(F_0_1 * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[off + i];
      let l = nearestInt(f(iscale * xi));
      l = Math.max(-nmax, Math.min(nmax - 1, l));
      const w = qw[i];
      sumlx = f(sumlx + f(f(w * xi) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    if (suml2 > 0 && f(sumlx * sumlx) > f(best * suml2)) {
      for (let i = 0; i < n; i++) {
        const l = nearestInt(f(iscale * x[off + i]));
        L[i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
      }
      scale = f(sumlx / suml2);
      best = f(scale * sumlx);
    }
  }
  return scale;
}

/**
 * ggml's make_qkx3_quants with explicit weights and squared error: an asymmetric (scale, min)
 * search. Writes levels 0..nmax into L, the negated minimum into `theMin[0]`, returns the scale.
 * @example const d = makeQkx3Quants(32, 15, x, off, weight, L, theMin, Laux, -0.9, 0.05, 36)
 */
export function makeQkx3Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  off: number,
  weights: Float32Array,
  L: Uint8Array,
  theMin: Float32Array,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
): number {
  let min = x[off];
  let max = x[off];
  let sumW = weights[0];
  let sumX = f(sumW * x[off]);
  for (let i = 1; i < n; i++) {
    const xi = x[off + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights[i];
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * xi));
  }
  if (min > 0) min = 0;
  if (max <= min) {
    L.fill(0, 0, n);
    theMin[0] = -min;
    return 0;
  }
  // min changes when a candidate wins, and later candidates use the new range, as in ggml.
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestMad = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[off + i];
    const l = nearestInt(f(iscale * f(xi - min)));
    const li = Math.max(0, Math.min(nmax, l));
    L[i] = li;
    let diff = f(f(f(scale * li) + min) - xi);
    diff = f(diff * diff);
    bestMad = f(bestMad + f(weights[i] * diff));
  }
  if (nstep < 1) {
    theMin[0] = -min;
    return scale;
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[off + i];
      let l = nearestInt(f(iscale * f(xi - min)));
      l = Math.max(0, Math.min(nmax, l));
      Laux[i] = l;
      const w = weights[i];
      const wl = f(w * l);
      sumL = f(sumL + wl);
      sumL2 = f(sumL2 + f(wl * l));
      sumXL = f(sumXL + f(wl * xi));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let mad = 0;
      for (let i = 0; i < n; i++) {
        let diff = f(f(f(thisScale * Laux[i]) + thisMin) - x[off + i]);
        diff = f(diff * diff);
        mad = f(mad + f(weights[i] * diff));
      }
      if (mad < bestMad) {
        for (let i = 0; i < n; i++) L[i] = Laux[i];
        bestMad = mad;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  theMin[0] = -min;
  return scale;
}
