// Shared arithmetic for the ggml block formats. ggml computes in float32 without fused
// multiply-adds, so every float operation below goes through Math.fround, in ggml's order.

// Every file keeps its own alias: calls through an imported binding are slower in some loaders.
const f = Math.fround;

/** ggml's GROUP_MAX_EPS (1e-15f): a group whose largest magnitude is below it counts as zero. */
export const GROUP_MAX_EPS = Math.fround(1e-15);

const F_0_1 = Math.fround(0.1);

const nearestF32 = new Float32Array(1);
const nearestI32 = new Int32Array(nearestF32.buffer);

/**
 * ggml's nearest_int: adds 1.5·2^23 (12582912) in float32 and reads the mantissa, which rounds
 * half to even for |x| < 2^22; outside that range (and for NaN) it returns exactly what the bit
 * trick yields. `x` must already be a float32 value.
 * @example nearestInt(2.5) // 2
 */
export function nearestInt(x: number): number {
  if (x > -4194304 && x < 4194303) return Math.fround(x + 12582912) - 12582912;
  nearestF32[0] = x + 12582912;
  return (nearestI32[0] & 0x7fffff) - 0x400000;
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
