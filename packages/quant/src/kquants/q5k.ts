// Q5_K: as Q4_K with 5-bit levels; the fifth bits sit in qh; 176 bytes.
// Layout: d:fp16 | dmin:fp16 | scales[12] | qh[32] | qs[128] (low nibbles as Q4_K).

import { readFp16 } from '../half.ts';
import { checkDequantizeArgs, checkQuantizeArgs, minK4, QK_K, scaleK4 } from './common.ts';
import { quantizeBlockK45 } from './k45.ts';

const f = Math.fround;

/** Bytes in one Q5_K super-block. */
export const Q5_K_BYTES = 176;

const L = new Uint8Array(QK_K);
const RMIN = f(-0.5);
const RDELTA = f(0.1);

/**
 * Quantizes one row to Q5_K, as ggml's quantize_row_q5_K_ref (no imatrix) or
 * quantize_row_q5_K_impl (with one importance weight per column).
 * @example quantizeRowQ5K(new Float32Array(256), new Uint8Array(176))
 */
export function quantizeRowQ5K(src: Float32Array, dst: Uint8Array, imatrix?: Float32Array): void {
  const nb = checkQuantizeArgs('q5_K', Q5_K_BYTES, src, dst, imatrix);
  for (let i = 0; i < nb; i++) {
    const yo = i * Q5_K_BYTES;
    quantizeBlockK45(src, i * QK_K, dst, yo, imatrix, 31, RMIN, RDELTA, 15, true, L);
    const qh = yo + 16;
    dst.fill(0, qh, qh + 32);
    let ql = yo + 48;
    let m1 = 1;
    let m2 = 2;
    for (let n = 0; n < QK_K; n += 64) {
      for (let j = 0; j < 32; j++) {
        let l1 = L[n + j];
        if (l1 > 15) {
          l1 -= 16;
          dst[qh + j] |= m1;
        }
        let l2 = L[n + j + 32];
        if (l2 > 15) {
          l2 -= 16;
          dst[qh + j] |= m2;
        }
        dst[ql + j] = l1 | (l2 << 4);
      }
      m1 <<= 2;
      m2 <<= 2;
      ql += 32;
    }
  }
}

/**
 * Dequantizes a row of Q5_K blocks as ggml's dequantize_row_q5_K: (d·sc)·q − dmin·m.
 * @example dequantizeRowQ5K(bytes, new Float32Array(256))
 */
export function dequantizeRowQ5K(src: Uint8Array, dst: Float32Array): void {
  const nb = checkDequantizeArgs('q5_K', Q5_K_BYTES, src, dst);
  for (let i = 0; i < nb; i++) {
    const o = i * Q5_K_BYTES;
    const d = readFp16(src, o);
    const min = readFp16(src, o + 2);
    const qh = o + 16;
    let ql = o + 48;
    let y = i * QK_K;
    let u1 = 1;
    let u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      const d1 = f(d * scaleK4(is, src, o + 4));
      const m1 = f(min * minK4(is, src, o + 4));
      const d2 = f(d * scaleK4(is + 1, src, o + 4));
      const m2 = f(min * minK4(is + 1, src, o + 4));
      for (let l = 0; l < 32; l++) {
        const q = (src[ql + l] & 0xf) + (src[qh + l] & u1 ? 16 : 0);
        dst[y + l] = f(f(d1 * q) - m1);
      }
      for (let l = 0; l < 32; l++) {
        const q = (src[ql + l] >> 4) + (src[qh + l] & u2 ? 16 : 0);
        dst[y + 32 + l] = f(f(d2 * q) - m2);
      }
      ql += 32;
      y += 64;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}
