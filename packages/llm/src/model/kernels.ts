/**
 * The float32 kernels of the forward pass. Storage is always Float32Array; every stored value is
 * rounded to float32. Dot products and other long sums accumulate in JS doubles and round once at
 * the end (run.c accumulates in float32, so the last bit of a logit can differ from it). Each dot
 * product sums in one fixed order whatever the batch size (four interleaved partial sums over
 * j mod 4, combined as (s0 + s1) + (s2 + s3)), so batched prefill and one-token steps give
 * bit-identical results.
 */

const f = Math.fround;

/** Rows of a weight tile kept hot while every position of a batch passes over it. */
const TILE_FLOATS = 16384;

/**
 * out[t][i] = Σ_j w[i][j] · x[t][j] for `positions` rows of x ([positions][n]) and a row-major
 * weight matrix w ([d][n]); out is [positions][d]. Two positions share each weight load.
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
  const n4 = n - (n % 4);
  const tile = Math.max(1, Math.floor(TILE_FLOATS / n));
  for (let i0 = 0; i0 < d; i0 += tile) {
    const i1 = Math.min(d, i0 + tile);
    let t = 0;
    for (; t + 2 <= positions; t += 2) {
      const xa = t * n;
      const xb = xa + n;
      const oa = t * d;
      const ob = oa + d;
      for (let i = i0; i < i1; i++) {
        const wi = i * n;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let b0 = 0;
        let b1 = 0;
        let b2 = 0;
        let b3 = 0;
        let j = 0;
        for (; j < n4; j += 4) {
          const w0 = w[wi + j];
          const w1 = w[wi + j + 1];
          const w2 = w[wi + j + 2];
          const w3 = w[wi + j + 3];
          a0 += w0 * x[xa + j];
          a1 += w1 * x[xa + j + 1];
          a2 += w2 * x[xa + j + 2];
          a3 += w3 * x[xa + j + 3];
          b0 += w0 * x[xb + j];
          b1 += w1 * x[xb + j + 1];
          b2 += w2 * x[xb + j + 2];
          b3 += w3 * x[xb + j + 3];
        }
        for (; j < n; j++) {
          a0 += w[wi + j] * x[xa + j];
          b0 += w[wi + j] * x[xb + j];
        }
        out[oa + i] = a0 + a1 + (a2 + a3);
        out[ob + i] = b0 + b1 + (b2 + b3);
      }
    }
    for (; t < positions; t++) {
      const xa = t * n;
      const oa = t * d;
      for (let i = i0; i < i1; i++) {
        out[oa + i] = dot(w, i * n, x, xa, n);
      }
    }
  }
}

/**
 * Σ_j a[ao + j] · b[bo + j] over n elements, in the canonical order of matmul (double sums).
 * @example dot(w, 0, x, 0, 64)
 */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  const n4 = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j < n4; j += 4) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
    s2 += a[ao + j + 2] * b[bo + j + 2];
    s3 += a[ao + j + 3] * b[bo + j + 3];
  }
  for (; j < n; j++) s0 += a[ao + j] * b[bo + j];
  return s0 + s1 + (s2 + s3);
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
