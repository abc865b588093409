// Q6_K: 256 values as 16 sub-blocks of 16, 6-bit signed levels, 8-bit signed sub-block scales and
// one fp16 super-block scale; 210 bytes. Layout: ql[128] | qh[64] | scales:int8[16] | d:fp16.

import { readFp16, writeFp16 } from '../half.ts';
import {
  checkDequantizeArgs,
  checkQuantizeArgs,
  GROUP_MAX_EPS,
  makeQxQuants,
  nearestInt,
  QK_K,
} from './common.ts';

const f = Math.fround;

/** Bytes in one Q6_K super-block. */
export const Q6_K_BYTES = 210;

const L = new Int8Array(QK_K);
const scales = new Float32Array(QK_K / 16);
const sc8 = new Int8Array(QK_K / 16);

/**
 * Quantizes one row to Q6_K, as ggml's quantize_row_q6_K_ref (no imatrix) or
 * quantize_row_q6_K_impl (with one importance weight per column).
 * @example quantizeRowQ6K(new Float32Array(256), new Uint8Array(210))
 */
export function quantizeRowQ6K(src: Float32Array, dst: Uint8Array, imatrix?: Float32Array): void {
  const nb = checkQuantizeArgs('q6_K', Q6_K_BYTES, src, dst, imatrix);
  const qw = imatrix ?? null;
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K;
    const yo = i * Q6_K_BYTES;
    let maxScale = 0;
    let maxAbsScale = 0;
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const scale = makeQxQuants(16, 32, src, xo + 16 * ib, L, 16 * ib, 1, qw, xo + 16 * ib);
      scales[ib] = scale;
      const absScale = Math.abs(scale);
      if (absScale > maxAbsScale) {
        maxAbsScale = absScale;
        maxScale = scale;
      }
    }
    if (maxAbsScale < GROUP_MAX_EPS) {
      dst.fill(0, yo, yo + Q6_K_BYTES);
      writeFp16(dst, yo + 208, 0);
      continue;
    }
    const iscale = f(-128 / maxScale);
    const d = writeFp16(dst, yo + 208, f(1 / iscale));
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const l = nearestInt(f(iscale * scales[ib]));
      sc8[ib] = Math.min(127, l);
      dst[yo + 192 + ib] = sc8[ib];
    }
    for (let j = 0; j < QK_K / 16; j++) {
      const dj = f(d * sc8[j]);
      if (dj === 0) continue;
      for (let ii = 0; ii < 16; ii++) {
        let l = nearestInt(f(src[xo + 16 * j + ii] / dj));
        l = Math.min(31, l);
        L[16 * j + ii] = Math.max(-32, l) + 32;
      }
    }
    for (let j = 0; j < QK_K; j += 128) {
      const ql = yo + (j >> 1);
      const qh = yo + 128 + (j >> 2);
      for (let l = 0; l < 32; l++) {
        const a = L[j + l];
        const b = L[j + l + 32];
        const c = L[j + l + 64];
        const e = L[j + l + 96];
        dst[ql + l] = (a & 0xf) | ((c & 0xf) << 4);
        dst[ql + l + 32] = (b & 0xf) | ((e & 0xf) << 4);
        dst[qh + l] = (a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6);
      }
    }
  }
}

/**
 * Dequantizes a row of Q6_K blocks as ggml's dequantize_row_q6_K: (d·scale)·q per element.
 * @example dequantizeRowQ6K(bytes, new Float32Array(256))
 */
export function dequantizeRowQ6K(src: Uint8Array, dst: Float32Array): void {
  const nb = checkDequantizeArgs('q6_K', Q6_K_BYTES, src, dst);
  for (let i = 0; i < nb; i++) {
    const o = i * Q6_K_BYTES;
    const d = readFp16(src, o + 208);
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const sc = o + 192 + 8 * n;
      const y = i * QK_K + 128 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = src[qh + l];
        const q1 = ((src[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        dst[y + l] = f(f(d * ((src[sc + is] << 24) >> 24)) * q1);
        dst[y + l + 32] = f(f(d * ((src[sc + is + 2] << 24) >> 24)) * q2);
        dst[y + l + 64] = f(f(d * ((src[sc + is + 4] << 24) >> 24)) * q3);
        dst[y + l + 96] = f(f(d * ((src[sc + is + 6] << 24) >> 24)) * q4);
      }
    }
  }
}
