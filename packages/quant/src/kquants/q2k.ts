// Q2_K: 256 values as 16 sub-blocks of 16, 2-bit levels with a 4-bit scale and 4-bit min per
// sub-block and fp16 super-block scale and min; 84 bytes.
// Layout: scales[16] (low nibble scale, high nibble min) | qs[64] | d:fp16 | dmin:fp16.

import { readFp16, writeFp16 } from '../half.ts';
import {
  checkDequantizeArgs,
  checkQuantizeArgs,
  makeQkx2Quants,
  makeQkx3Quants,
  makeQpQuants,
  nearestInt,
  pack2Bit,
  QK_K,
} from './common.ts';

const f = Math.fround;

/** Bytes in one Q2_K super-block. */
export const Q2_K_BYTES = 84;

const L = new Uint8Array(QK_K);
const Laux = new Uint8Array(16);
const weights = new Float32Array(16);
const mins = new Float32Array(16);
const scales = new Float32Array(16);
const sw = new Float32Array(16);
const Ls = new Uint8Array(16);
const Lm = new Uint8Array(16);

const RMIN_X2 = f(-0.5);
const RDELTA_X2 = f(0.1);
const RMIN_X3 = f(-0.9);
const RDELTA_X3 = f(0.05);

/**
 * Quantizes one row to Q2_K, as ggml's quantize_row_q2_K_ref (no imatrix) or
 * quantize_row_q2_K_impl (with one importance weight per column).
 * @example quantizeRowQ2K(new Float32Array(256), new Uint8Array(84))
 */
export function quantizeRowQ2K(src: Float32Array, dst: Uint8Array, imatrix?: Float32Array): void {
  const nb = checkQuantizeArgs('q2_K', Q2_K_BYTES, src, dst, imatrix);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K;
    const yo = i * Q2_K_BYTES;
    let d: number;
    let dmin: number;
    if (imatrix === undefined) {
      let maxScale = 0;
      let maxMin = 0;
      for (let j = 0; j < 16; j++) {
        const bo = xo + 16 * j;
        for (let l = 0; l < 16; l++) weights[l] = Math.abs(src[bo + l]);
        const scale = makeQkx2Quants(
          16,
          3,
          src,
          bo,
          weights,
          0,
          L,
          16 * j,
          mins,
          j,
          Laux,
          RMIN_X2,
          RDELTA_X2,
          15,
          true,
        );
        scales[j] = scale;
        if (scale > maxScale) maxScale = scale;
        const min = mins[j];
        if (min > maxMin) maxMin = min;
      }
      if (maxScale > 0) {
        const iscale = f(15 / maxScale);
        for (let j = 0; j < 16; j++) dst[yo + j] = nearestInt(f(iscale * scales[j]));
        d = writeFp16(dst, yo + 80, f(maxScale / 15));
      } else {
        dst.fill(0, yo, yo + 16);
        d = writeFp16(dst, yo + 80, 0);
      }
      if (maxMin > 0) {
        const iscale = f(15 / maxMin);
        for (let j = 0; j < 16; j++) dst[yo + j] |= nearestInt(f(iscale * mins[j])) << 4;
        dmin = writeFp16(dst, yo + 82, f(maxMin / 15));
      } else {
        dmin = writeFp16(dst, yo + 82, 0);
      }
    } else {
      let sumX2 = 0;
      for (let j = 0; j < QK_K; j++) sumX2 = f(sumX2 + f(src[xo + j] * src[xo + j]));
      const sigma2 = f(sumX2 / QK_K);
      for (let j = 0; j < 16; j++) {
        const bo = xo + 16 * j;
        for (let l = 0; l < 16; l++) {
          const x = src[bo + l];
          weights[l] = f(imatrix[bo + l] * f(Math.sqrt(f(sigma2 + f(x * x)))));
        }
        let s = 0;
        for (let l = 0; l < 16; l++) s = f(s + weights[l]);
        sw[j] = s;
        scales[j] = makeQkx3Quants(
          16,
          3,
          src,
          bo,
          weights,
          0,
          L,
          16 * j,
          mins,
          j,
          Laux,
          RMIN_X3,
          RDELTA_X3,
          36,
          false,
        );
      }
      const dm = makeQpQuants(16, 15, scales, Ls, sw);
      const mm = makeQpQuants(16, 15, mins, Lm, sw);
      d = writeFp16(dst, yo + 80, dm);
      dmin = writeFp16(dst, yo + 82, mm);
      for (let j = 0; j < 16; j++) dst[yo + j] = Ls[j] | (Lm[j] << 4);
    }
    for (let j = 0; j < 16; j++) {
      const sc = dst[yo + j];
      const dj = f(d * (sc & 0xf));
      if (dj === 0) continue;
      const m = f(dmin * (sc >> 4));
      const bo = xo + 16 * j;
      for (let ii = 0; ii < 16; ii++) {
        let l = nearestInt(f(f(src[bo + ii] + m) / dj));
        l = Math.min(3, l);
        L[16 * j + ii] = Math.max(0, l);
      }
    }
    pack2Bit(dst, yo + 16, L);
  }
}

/**
 * Dequantizes a row of Q2_K blocks as ggml's dequantize_row_q2_K: (d·sc)·q − dmin·m.
 * @example dequantizeRowQ2K(bytes, new Float32Array(256))
 */
export function dequantizeRowQ2K(src: Uint8Array, dst: Float32Array): void {
  const nb = checkDequantizeArgs('q2_K', Q2_K_BYTES, src, dst);
  for (let i = 0; i < nb; i++) {
    const o = i * Q2_K_BYTES;
    const d = readFp16(src, o + 80);
    const min = readFp16(src, o + 82);
    let y = i * QK_K;
    let is = 0;
    for (let n = 0; n < 2; n++) {
      const q = o + 16 + 32 * n;
      for (let shift = 0; shift < 8; shift += 2) {
        let sc = src[o + is++];
        let dl = f(d * (sc & 0xf));
        let ml = f(min * (sc >> 4));
        for (let l = 0; l < 16; l++) dst[y + l] = f(f(dl * ((src[q + l] >> shift) & 3)) - ml);
        sc = src[o + is++];
        dl = f(d * (sc & 0xf));
        ml = f(min * (sc >> 4));
        for (let l = 0; l < 16; l++) {
          dst[y + 16 + l] = f(f(dl * ((src[q + l + 16] >> shift) & 3)) - ml);
        }
        y += 32;
      }
    }
  }
}
