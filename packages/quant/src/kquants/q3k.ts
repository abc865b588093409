// Q3_K: 256 values as 16 sub-blocks of 16, 3-bit signed levels (2 low bits in qs, the high bit in
// hmask), 6-bit signed sub-block scales and one fp16 super-block scale; 110 bytes.
// Layout: hmask[32] | qs[64] | scales[12] | d:fp16.

import { readFp16, writeFp16 } from '../half.ts';
import {
  checkDequantizeArgs,
  checkQuantizeArgs,
  makeQ3Quants,
  makeQxQuants,
  nearestInt,
  pack2Bit,
  QK_K,
} from './common.ts';

const f = Math.fround;

/** Bytes in one Q3_K super-block. */
export const Q3_K_BYTES = 110;

const L = new Int8Array(QK_K);
const scales = new Float32Array(16);
const weight = new Float32Array(16);
const sw = new Float32Array(16);
const Ls = new Int8Array(16);

/**
 * The signed 6-bit scale (−32..31) of sub-block `j` (0..15) from the 12 packed bytes at `q[off..]`.
 * @example scaleQ3K(9, block, 96)
 */
export function scaleQ3K(j: number, q: Uint8Array, off: number): number {
  const lo = j < 8 ? q[off + j] & 0xf : q[off + j - 8] >> 4;
  return (lo | (((q[off + 8 + (j & 3)] >> (2 * (j >> 2))) & 3) << 4)) - 32;
}

/** Stores the 6-bit level `l` (0..63) of sub-block `j` into the zeroed 12 scale bytes at `q[off..]`. */
function packScaleQ3K(q: Uint8Array, off: number, j: number, l: number): void {
  if (j < 8) q[off + j] = l & 0xf;
  else q[off + j - 8] |= (l & 0xf) << 4;
  q[off + 8 + (j & 3)] |= (l >> 4) << (2 * (j >> 2));
}

/**
 * Quantizes one row to Q3_K, as ggml's quantize_row_q3_K_ref (no imatrix) or
 * quantize_row_q3_K_impl (with one importance weight per column).
 * @example quantizeRowQ3K(new Float32Array(256), new Uint8Array(110))
 */
export function quantizeRowQ3K(src: Float32Array, dst: Uint8Array, imatrix?: Float32Array): void {
  const nb = checkQuantizeArgs('q3_K', Q3_K_BYTES, src, dst, imatrix);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K;
    const yo = i * Q3_K_BYTES;
    const so = yo + 96;
    let d: number;
    if (imatrix === undefined) {
      let maxScale = 0;
      let amax = 0;
      for (let j = 0; j < 16; j++) {
        const s = makeQ3Quants(16, 4, src, xo + 16 * j, L, 16 * j, true);
        scales[j] = s;
        const scale = Math.abs(s);
        if (scale > amax) {
          amax = scale;
          maxScale = s;
        }
      }
      dst.fill(0, so, so + 12);
      if (maxScale !== 0) {
        const iscale = f(-32 / maxScale);
        for (let j = 0; j < 16; j++) {
          let l = (nearestInt(f(iscale * scales[j])) << 24) >> 24;
          l = Math.min(31, l);
          l = Math.max(-32, l) + 32;
          packScaleQ3K(dst, so, j, l);
        }
        d = writeFp16(dst, yo + 108, f(1 / iscale));
      } else {
        d = writeFp16(dst, yo + 108, 0);
      }
    } else {
      let sumX2 = 0;
      for (let j = 0; j < QK_K; j++) sumX2 = f(sumX2 + f(src[xo + j] * src[xo + j]));
      const sigma2 = f(f(2 * sumX2) / QK_K);
      for (let j = 0; j < 16; j++) {
        const bo = xo + 16 * j;
        for (let l = 0; l < 16; l++) {
          const x = src[bo + l];
          weight[l] = f(imatrix[bo + l] * f(Math.sqrt(f(sigma2 + f(x * x)))));
        }
        let sumw = 0;
        for (let l = 0; l < 16; l++) sumw = f(sumw + weight[l]);
        sw[j] = sumw;
        scales[j] = makeQxQuants(16, 4, src, bo, L, 16 * j, 1, weight, 0);
      }
      dst.fill(0, so, so + 12);
      const dBlock = makeQxQuants(16, 32, scales, 0, Ls, 0, 1, sw, 0);
      for (let j = 0; j < 16; j++) packScaleQ3K(dst, so, j, Ls[j]);
      d = writeFp16(dst, yo + 108, dBlock);
    }
    for (let j = 0; j < 16; j++) {
      const dj = f(d * scaleQ3K(j, dst, so));
      if (dj === 0) continue;
      const bo = xo + 16 * j;
      for (let ii = 0; ii < 16; ii++) {
        let l = nearestInt(f(src[bo + ii] / dj));
        l = Math.min(3, l);
        L[16 * j + ii] = Math.max(-4, l) + 4;
      }
    }
    dst.fill(0, yo, yo + 32);
    let m = 0;
    let hm = 1;
    for (let j = 0; j < QK_K; j++) {
      if (L[j] > 3) {
        dst[yo + m] |= hm;
        L[j] -= 4;
      }
      if (++m === 32) {
        m = 0;
        hm = (hm << 1) & 0xff;
      }
    }
    pack2Bit(dst, yo + 32, L);
  }
}

/**
 * Dequantizes a row of Q3_K blocks as ggml's dequantize_row_q3_K: (d·sc)·q with q in −4..3.
 * @example dequantizeRowQ3K(bytes, new Float32Array(256))
 */
export function dequantizeRowQ3K(src: Uint8Array, dst: Float32Array): void {
  const nb = checkDequantizeArgs('q3_K', Q3_K_BYTES, src, dst);
  for (let i = 0; i < nb; i++) {
    const o = i * Q3_K_BYTES;
    const dAll = readFp16(src, o + 108);
    let y = i * QK_K;
    let m = 1;
    let is = 0;
    for (let n = 0; n < 2; n++) {
      const q = o + 32 + 32 * n;
      for (let shift = 0; shift < 8; shift += 2) {
        let dl = f(dAll * scaleQ3K(is++, src, o + 96));
        for (let l = 0; l < 16; l++) {
          const v = ((src[q + l] >> shift) & 3) - (src[o + l] & m ? 0 : 4);
          dst[y + l] = f(dl * v);
        }
        dl = f(dAll * scaleQ3K(is++, src, o + 96));
        for (let l = 0; l < 16; l++) {
          const v = ((src[q + l + 16] >> shift) & 3) - (src[o + l + 16] & m ? 0 : 4);
          dst[y + 16 + l] = f(dl * v);
        }
        y += 32;
        m <<= 1;
      }
    }
  }
}
