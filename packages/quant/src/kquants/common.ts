// Shared search routines of ggml's K-quants (super-blocks of 256 values), ported operation by
// operation from ggml-quants.c. Every float operation is rounded to float32 on its own, in ggml's
// order, so results match ggml's non-FMA x86-64 build bit for bit. C's `!x` becomes `x === 0`
// (NaN is truthy in C but falsy in JS); integer MIN/MAX become Math.min/Math.max, and the one
// float MAX keeps C's ternary so NaN behaves as in ggml.

import { GROUP_MAX_EPS, nearestInt } from '../ggml/common.ts';

// The K-quant files take these from here, with the rest of the shared search routines.
export { GROUP_MAX_EPS, nearestInt };

const f = Math.fround;

/** Elements in one K-quant super-block. */
export const QK_K = 256;

const TENTH = f(0.1);

/**
 * Throws unless `src` holds whole super-blocks and `dst` (and `imatrix`, when given) fit them.
 * @example const blocks = checkQuantizeArgs('q4_K', 144, src, dst)
 */
export function checkQuantizeArgs(
  name: string,
  typeSizeBytes: number,
  src: Float32Array,
  dst: Uint8Array,
  imatrix?: Float32Array,
): number {
  if (src.length % QK_K !== 0) {
    throw new Error(
      `${name}: row length ${src.length} is not a multiple of the super-block size ${QK_K}`,
    );
  }
  const blocks = src.length / QK_K;
  if (dst.length !== blocks * typeSizeBytes) {
    throw new Error(
      `${name}: dst has ${dst.length} bytes, expected ${blocks * typeSizeBytes} ` +
        `(${blocks} blocks of ${typeSizeBytes})`,
    );
  }
  if (imatrix !== undefined && imatrix.length !== src.length) {
    throw new Error(
      `${name}: imatrix has ${imatrix.length} weights, expected one per column (${src.length})`,
    );
  }
  return blocks;
}

/**
 * Throws unless `src` holds whole blocks of `typeSizeBytes` and `dst` has 256 floats per block.
 * @example checkDequantizeArgs('q6_K', 210, bytes, out)
 */
export function checkDequantizeArgs(
  name: string,
  typeSizeBytes: number,
  src: Uint8Array,
  dst: Float32Array,
): number {
  if (src.length % typeSizeBytes !== 0) {
    throw new Error(
      `${name}: ${src.length} bytes is not a whole number of ${typeSizeBytes}-byte blocks`,
    );
  }
  const blocks = src.length / typeSizeBytes;
  if (dst.length !== blocks * QK_K) {
    throw new Error(`${name}: dst has ${dst.length} floats, expected ${blocks * QK_K}`);
  }
  return blocks;
}

/**
 * ggml's make_qx_quants: a symmetric scale for `n` values at `x[xo..]` with levels -nmax..nmax-1
 * (stored in `L` as level + nmax), refined over 18 nearby scales to maximise the weighted fit.
 * Weights are `qw[qo..]` when given, else chosen by `rmseType` (1: x², 2: 1, 3: |x|, 4: √|x|);
 * rmseType 0 skips the search and a negative type returns early, as in ggml. Returns the scale.
 * @example const d = makeQxQuants(16, 32, x, 0, L, 0, 1, null, 0)
 */
export function makeQxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  L: Int8Array,
  lo: number,
  rmseType: number,
  qw: Float32Array | null,
  qo: number,
): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xo + i]);
    if (ax > amax) {
      amax = ax;
      max = x[xo + i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  let iscale = f(-nmax / max);
  if (rmseType === 0) {
    for (let i = 0; i < n; i++) {
      let l = nearestInt(f(iscale * x[xo + i]));
      l = Math.min(nmax - 1, l);
      L[lo + i] = nmax + Math.max(-nmax, l);
    }
    return f(1 / iscale);
  }
  let returnEarly = false;
  if (rmseType < 0) {
    rmseType = -rmseType;
    returnEarly = true;
  }
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i];
    let l = nearestInt(f(iscale * xi));
    l = Math.min(nmax - 1, l);
    l = Math.max(-nmax, l);
    L[lo + i] = l + nmax;
    const w = qxWeight(qw, qo + i, rmseType, xi);
    sumlx = f(sumlx + f(f(w * xi) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  let scale = suml2 !== 0 ? f(sumlx / suml2) : 0;
  if (returnEarly) return suml2 > 0 ? f(0.5 * f(scale + f(1 / iscale))) : f(1 / iscale);
  let best = f(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(TENTH * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      let l = nearestInt(f(iscale * xi));
      l = Math.min(nmax - 1, l);
      l = Math.max(-nmax, l);
      const w = qxWeight(qw, qo + i, rmseType, xi);
      sumlx = f(sumlx + f(f(w * xi) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    if (suml2 > 0 && f(sumlx * sumlx) > f(best * suml2)) {
      for (let i = 0; i < n; i++) {
        let l = nearestInt(f(iscale * x[xo + i]));
        l = Math.min(nmax - 1, l);
        L[lo + i] = nmax + Math.max(-nmax, l);
      }
      scale = f(sumlx / suml2);
      best = f(scale * sumlx);
    }
  }
  return scale;
}

function qxWeight(qw: Float32Array | null, qi: number, rmseType: number, xi: number): number {
  if (qw !== null) return qw[qi];
  if (rmseType === 1) return f(xi * xi);
  if (rmseType === 2) return 1;
  if (rmseType === 3) return Math.abs(xi);
  return f(Math.sqrt(Math.abs(xi)));
}

/**
 * ggml's make_q3_quants: a symmetric scale for `n` values at `x[xo..]` with levels -nmax..nmax-1
 * (stored as level + nmax); with `doRmse` it moves single levels while that improves the x²-weighted
 * fit (up to 5 passes). Returns the scale.
 * @example const d = makeQ3Quants(16, 4, x, 0, L, 0, true)
 */
export function makeQ3Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  L: Int8Array,
  lo: number,
  doRmse: boolean,
): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xo + i]);
    if (ax > amax) {
      amax = ax;
      max = x[xo + i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  const iscale = f(-nmax / max);
  if (doRmse) {
    let sumlx = 0;
    let suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      let l = nearestInt(f(iscale * xi));
      l = Math.min(nmax - 1, l);
      l = Math.max(-nmax, l);
      L[lo + i] = l;
      const w = f(xi * xi);
      sumlx = f(sumlx + f(f(w * xi) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    for (let itry = 0; itry < 5; itry++) {
      let nChanged = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[xo + i];
        const w = f(xi * xi);
        const li = L[lo + i];
        let slx = f(sumlx - f(f(w * xi) * li));
        if (slx > 0) {
          let sl2 = f(suml2 - f(f(w * li) * li));
          let newL = nearestInt(f(f(xi * sl2) / slx));
          newL = Math.min(nmax - 1, newL);
          newL = Math.max(-nmax, newL);
          if (newL !== li) {
            slx = f(slx + f(f(w * xi) * newL));
            sl2 = f(sl2 + f(f(w * newL) * newL));
            if (sl2 > 0 && f(f(slx * slx) * suml2) > f(f(sumlx * sumlx) * sl2)) {
              L[lo + i] = newL;
              sumlx = slx;
              suml2 = sl2;
              nChanged++;
            }
          }
        }
      }
      if (nChanged === 0) break;
    }
    for (let i = 0; i < n; i++) L[lo + i] += nmax;
    return suml2 > 0 ? f(sumlx / suml2) : 0;
  }
  for (let i = 0; i < n; i++) {
    let l = nearestInt(f(iscale * x[xo + i]));
    l = Math.min(nmax - 1, l);
    L[lo + i] = Math.max(-nmax, l) + nmax;
  }
  return f(1 / iscale);
}

/**
 * ggml's make_qkx2_quants: an asymmetric fit x ≈ scale·L + min with L in 0..nmax for `n` values at
 * `x[xo..]` and weights `w[wo..]`, trying nstep+1 candidate scales. Stores −min into
 * `minsOut[mi]` and returns the scale; levels go to `L[lo..]`, `Laux` is scratch (≥ n).
 * @example const d = makeQkx2Quants(32, 15, x, 0, w, 0, L, 0, mins, 0, aux, -1, f(0.1), 20, false)
 */
export function makeQkx2Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  weights: Float32Array,
  wo: number,
  L: Uint8Array,
  lo: number,
  minsOut: Float32Array,
  mi: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
): number {
  return makeQkxQuants(
    n,
    nmax,
    x,
    xo,
    weights,
    wo,
    L,
    lo,
    minsOut,
    mi,
    Laux,
    rmin,
    rdelta,
    nstep,
    useMad,
    false,
  );
}

/**
 * ggml's make_qkx3_quants with explicit weights: as makeQkx2Quants, but it gives up on a group
 * when max <= min (ggml: `max <= min`, where qkx2 tests `max == min`).
 * @example const d = makeQkx3Quants(32, 15, x, 0, w, 0, L, 0, mins, 0, aux, f(-0.9), f(0.05), 36, false)
 */
export function makeQkx3Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  weights: Float32Array,
  wo: number,
  L: Uint8Array,
  lo: number,
  minsOut: Float32Array,
  mi: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
): number {
  return makeQkxQuants(
    n,
    nmax,
    x,
    xo,
    weights,
    wo,
    L,
    lo,
    minsOut,
    mi,
    Laux,
    rmin,
    rdelta,
    nstep,
    useMad,
    true,
  );
}

function makeQkxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  xo: number,
  weights: Float32Array,
  wo: number,
  L: Uint8Array,
  lo: number,
  minsOut: Float32Array,
  mi: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
  x3: boolean,
): number {
  let min = x[xo];
  let max = x[xo];
  let sumW = weights[wo];
  let sumX = f(sumW * x[xo]);
  for (let i = 1; i < n; i++) {
    const xi = x[xo + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights[wo + i];
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * xi));
  }
  if (min > 0) min = 0;
  if (x3 ? max <= min : max === min) {
    L.fill(0, lo, lo + n);
    minsOut[mi] = -min;
    return 0;
  }
  // min changes whenever a better candidate is found, so max - min is recomputed each time.
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i];
    let l = nearestInt(f(iscale * f(xi - min)));
    l = Math.min(nmax, l);
    l = Math.max(0, l);
    L[lo + i] = l;
    let diff = f(f(f(scale * l) + min) - xi);
    diff = useMad ? Math.abs(diff) : f(diff * diff);
    bestError = f(bestError + f(weights[wo + i] * diff));
  }
  if (nstep < 1) {
    minsOut[mi] = -min;
    return scale;
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXl = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      let l = nearestInt(f(iscale * f(xi - min)));
      l = Math.min(nmax, l);
      l = Math.max(0, l);
      Laux[i] = l;
      const wl = f(weights[wo + i] * l);
      sumL = f(sumL + wl);
      sumL2 = f(sumL2 + f(wl * l));
      sumXl = f(sumXl + f(wl * xi));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXl) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXl)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXl / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = f(f(f(thisScale * Laux[i]) + thisMin) - x[xo + i]);
        diff = useMad ? Math.abs(diff) : f(diff * diff);
        curError = f(curError + f(weights[wo + i] * diff));
      }
      if (curError < bestError) {
        for (let i = 0; i < n; i++) L[lo + i] = Laux[i];
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  minsOut[mi] = -min;
  return scale;
}

/**
 * ggml's make_qp_quants: a scale for `n` non-negative values `x[0..n)` (the sub-block scales or
 * mins) with levels 0..nmax stored in `L` (uint8), fitted under weights `qw` by a scale search and
 * up to 5 passes of single-level moves. Returns the scale, 0 when the fit is empty.
 * @example const d = makeQpQuants(8, 63, scales, Ls, sw)
 */
export function makeQpQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  L: Uint8Array,
  qw: Float32Array,
): number {
  let max = 0;
  for (let i = 0; i < n; i++) {
    // C's MAX(a, b) is a > b ? a : b; unlike Math.max it keeps `max` when x[i] is NaN.
    // biome-ignore lint/complexity/useMathMinMax: NaN handling must match ggml's macro.
    max = max > x[i] ? max : x[i];
  }
  if (max < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  let iscale = f(nmax / max);
  for (let i = 0; i < n; i++) L[i] = nearestInt(f(iscale * x[i]));
  const scale = f(1 / iscale);
  let bestMse = 0;
  for (let i = 0; i < n; i++) {
    const diff = f(x[i] - f(scale * L[i]));
    bestMse = f(bestMse + f(f(qw[i] * diff) * diff));
  }
  for (let is = -4; is <= 4; is++) {
    if (is === 0) continue;
    const iscaleIs = f(f(f(TENTH * is) + nmax) / max);
    const scaleIs = f(1 / iscaleIs);
    let mse = 0;
    for (let i = 0; i < n; i++) {
      let l = nearestInt(f(iscaleIs * x[i]));
      l = Math.min(nmax, l);
      const diff = f(x[i] - f(scaleIs * l));
      mse = f(mse + f(f(qw[i] * diff) * diff));
    }
    if (mse < bestMse) {
      bestMse = mse;
      iscale = iscaleIs;
    }
  }
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let l = nearestInt(f(iscale * xi));
    l = Math.min(nmax, l);
    L[i] = l;
    const w = qw[i];
    sumlx = f(sumlx + f(f(w * xi) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < n; i++) {
      const w = qw[i];
      const xi = x[i];
      const li = L[i];
      let slx = f(sumlx - f(f(w * xi) * li));
      let sl2 = f(suml2 - f(f(w * li) * li));
      if (slx > 0 && sl2 > 0) {
        let newL = nearestInt(f(f(xi * sl2) / slx));
        newL = Math.min(nmax, newL);
        if (newL !== li) {
          slx = f(slx + f(f(w * xi) * newL));
          sl2 = f(sl2 + f(f(w * newL) * newL));
          if (f(f(slx * slx) * suml2) > f(f(sumlx * sumlx) * sl2)) {
            L[i] = newL;
            sumlx = slx;
            suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (nChanged === 0) break;
  }
  return suml2 > 0 ? f(sumlx / suml2) : 0;
}

/**
 * The 6-bit scale of sub-block `j` (0..7) from the 12 packed bytes at `q[off..]` (Q4_K, Q5_K);
 * ggml's get_scale_min_k4 first output.
 * @example scaleK4(5, block, 4) // 0..63
 */
export function scaleK4(j: number, q: Uint8Array, off: number): number {
  return j < 4 ? q[off + j] & 63 : (q[off + j + 4] & 0xf) | ((q[off + j - 4] >> 6) << 4);
}

/**
 * The 6-bit min of sub-block `j` (0..7) from the 12 packed bytes at `q[off..]` (Q4_K, Q5_K);
 * ggml's get_scale_min_k4 second output.
 * @example minK4(5, block, 4) // 0..63
 */
export function minK4(j: number, q: Uint8Array, off: number): number {
  return j < 4 ? q[off + j + 4] & 63 : (q[off + j + 4] >> 4) | ((q[off + j] >> 6) << 4);
}

/**
 * Packs 8 scales `ls` and 8 mins `lm` (uint8 values, normally 0..63) into the 12 bytes at
 * `q[off..]` exactly as ggml's Q4_K/Q5_K quantizers do, including how out-of-range bits spill.
 * @example packScaleMinK4(block, 4, ls, lm)
 */
export function packScaleMinK4(q: Uint8Array, off: number, ls: Uint8Array, lm: Uint8Array): void {
  for (let j = 0; j < 8; j++) {
    const s = ls[j];
    const m = lm[j];
    if (j < 4) {
      q[off + j] = s;
      q[off + j + 4] = m;
    } else {
      q[off + j + 4] = (s & 0xf) | ((m & 0xf) << 4);
      q[off + j - 4] |= (s >> 4) << 6;
      q[off + j] |= (m >> 4) << 6;
    }
  }
}

/**
 * Packs 256 2-bit levels (`L[0..256)`, each 0..3) into 64 bytes at `q[off..]` as Q2_K/Q3_K store
 * them: byte 32h + l holds elements 128h + l, +32, +64, +96 at bit 0, 2, 4, 6.
 * @example pack2Bit(block, 16, L)
 */
export function pack2Bit(q: Uint8Array, off: number, L: Uint8Array | Int8Array): void {
  for (let j = 0; j < QK_K; j += 128) {
    const o = off + (j >> 2);
    for (let l = 0; l < 32; l++) {
      q[o + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
    }
  }
}
