/**
 * The float32 kernels of the forward pass. Storage is always Float32Array; every stored value is
 * rounded to float32. Dot products and other long sums accumulate in JS doubles and round once at
 * the end (run.c accumulates in float32, so the last bit of a logit can differ from it). Each dot
 * product is one double sum taken in index order (Σ over j = 0, 1, … n-1), whatever the batch
 * size or the register blocking around it, so batched prefill and one-token steps give
 * bit-identical results. A float32 × float32 product is exact in a double, so only the additions
 * round.
 */

import { createMatmulDispatch } from './wasm/wasm-matmul.ts';

const f = Math.fround;

/** Floats of a weight tile kept hot (in L2) while every position of a batch passes over it. */
const TILE_FLOATS = 16384;
/** Weight rows per register block (each weight load serves 2 positions, each input load 4 rows). */
const ROWS = 4;

/**
 * out[t][i] = Σ_j w[i][j] · x[t][j] for `positions` rows of x ([positions][n]) and a row-major
 * weight matrix w ([d][n]); out is [positions][d]. Runs the WebAssembly SIMD kernel
 * (model/wasm/) when the engine has it, with w kept resident in its memory after the first call
 * (so weights must not change in place; edit.ts copies), which gives bit-identical results
 * (each output the same double sum in index order, rounded once); else matmulJs.
 * @example matmul(out, x, w, 4, 64, 172)
 */
export function matmul(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  positions: number,
  n: number,
  d: number,
): void {
  dispatch(out, x, w, positions, n, d);
}

/**
 * matmul in plain JS. Register-blocked: 4 weight rows × 2 positions share their loads, over
 * tiles of weight rows that stay in cache while all positions pass.
 * @example matmulJs(out, x, w, 4, 64, 172)
 */
export function matmulJs(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  positions: number,
  n: number,
  d: number,
): void {
  const tile = Math.max(ROWS, Math.floor(TILE_FLOATS / n / ROWS) * ROWS);
  for (let i0 = 0; i0 < d; i0 += tile) {
    const i1 = Math.min(d, i0 + tile);
    let t = 0;
    for (; t + 2 <= positions; t += 2) rowsTimesTwo(out, x, w, t, i0, i1, n, d);
    if (t < positions) rowsTimesOne(out, x, w, t, i0, i1, n, d);
  }
}

const dispatch = createMatmulDispatch(matmulJs, { minPositions: 1 });

/** Rows i0..i1 of matmul for positions t and t+1: blocks of 4 rows, then single rows. */
function rowsTimesTwo(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  t: number,
  i0: number,
  i1: number,
  n: number,
  d: number,
): void {
  const xa = t * n;
  const xb = xa + n;
  const oa = t * d;
  const ob = oa + d;
  let i = i0;
  for (; i + ROWS <= i1; i += ROWS) {
    const w0 = i * n;
    const w1 = w0 + n;
    const w2 = w1 + n;
    const w3 = w2 + n;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let j = 0; j < n; j++) {
      const p = x[xa + j];
      const q = x[xb + j];
      const u0 = w[w0 + j];
      const u1 = w[w1 + j];
      const u2 = w[w2 + j];
      const u3 = w[w3 + j];
      a0 += u0 * p;
      a1 += u1 * p;
      a2 += u2 * p;
      a3 += u3 * p;
      b0 += u0 * q;
      b1 += u1 * q;
      b2 += u2 * q;
      b3 += u3 * q;
    }
    out[oa + i] = a0;
    out[oa + i + 1] = a1;
    out[oa + i + 2] = a2;
    out[oa + i + 3] = a3;
    out[ob + i] = b0;
    out[ob + i + 1] = b1;
    out[ob + i + 2] = b2;
    out[ob + i + 3] = b3;
  }
  for (; i < i1; i++) {
    const wi = i * n;
    let a = 0;
    let b = 0;
    for (let j = 0; j < n; j++) {
      const u = w[wi + j];
      a += u * x[xa + j];
      b += u * x[xb + j];
    }
    out[oa + i] = a;
    out[ob + i] = b;
  }
}

/** Rows i0..i1 of matmul for the single position t: blocks of 4 rows, then single rows. */
function rowsTimesOne(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  t: number,
  i0: number,
  i1: number,
  n: number,
  d: number,
): void {
  const xa = t * n;
  const oa = t * d;
  let i = i0;
  for (; i + ROWS <= i1; i += ROWS) {
    const w0 = i * n;
    const w1 = w0 + n;
    const w2 = w1 + n;
    const w3 = w2 + n;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < n; j++) {
      const p = x[xa + j];
      a0 += w[w0 + j] * p;
      a1 += w[w1 + j] * p;
      a2 += w[w2 + j] * p;
      a3 += w[w3 + j] * p;
    }
    out[oa + i] = a0;
    out[oa + i + 1] = a1;
    out[oa + i + 2] = a2;
    out[oa + i + 3] = a3;
  }
  for (; i < i1; i++) out[oa + i] = dot(w, i * n, x, xa, n);
}

/**
 * Σ_j a[ao + j] · b[bo + j] over n elements, in the canonical order of matmul (one double sum in
 * index order).
 * @example dot(w, 0, x, 0, 64)
 */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[ao + j] * b[bo + j];
  return s;
}

/**
 * RMSNorm of `rows` rows of width n: out = weight · (x · 1/sqrt(mean(x²) + eps)), in run.c's
 * order of float32 roundings (the mean square accumulates in double).
 * @example rmsnorm(out, x, weight, 1, 64, 1e-5)
 */
export function rmsnorm(
  out: Float32Array,
  x: Float32Array,
  weight: Float32Array,
  rows: number,
  n: number,
  eps: number,
): void {
  const epsF = f(eps);
  for (let t = 0; t < rows; t++) {
    const o = t * n;
    let ss = 0;
    for (let j = 0; j < n; j++) ss += x[o + j] * x[o + j];
    const scale = f(1 / f(Math.sqrt(f(f(f(ss) / n) + epsF))));
    for (let j = 0; j < n; j++) out[o + j] = weight[j] * f(scale * x[o + j]);
  }
}

/**
 * In-place softmax of x[offset .. offset+n) exactly as run.c computes it in float32: subtract the
 * max, expf, float32 running sum, divide.
 * @example softmaxF32(logits, 0, 512)
 */
export function softmaxF32(x: Float32Array, offset: number, n: number): void {
  let max = x[offset];
  for (let i = 1; i < n; i++) if (x[offset + i] > max) max = x[offset + i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = f(Math.exp(f(x[offset + i] - max)));
    x[offset + i] = e;
    sum = f(sum + e);
  }
  for (let i = 0; i < n; i++) x[offset + i] = x[offset + i] / sum;
}

/**
 * a[i] += b[i] in float32 for n elements (the residual connection).
 * @example addInPlace(x, out, 64)
 */
export function addInPlace(a: Float32Array, b: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) a[i] = a[i] + b[i];
}

/**
 * SwiGLU in place: gate[i] = silu(gate[i]) · up[i], with run.c's roundings.
 * @example swiglu(hb, hb2, 172)
 */
export function swiglu(gate: Float32Array, up: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = gate[i];
    const s = f(v * f(1 / f(1 + f(Math.exp(-v)))));
    gate[i] = s * up[i];
  }
}
