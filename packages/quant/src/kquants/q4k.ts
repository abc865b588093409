// Q4_K: 256 values as 8 sub-blocks of 32, 4-bit levels with a 6-bit scale and 6-bit min per
// sub-block, and fp16 super-block scale and min; 144 bytes.
// Layout: d:fp16 | dmin:fp16 | scales[12] (packed 6-bit pairs) | qs[128] (nibbles).

import { readFp16 } from '../half.ts';
import { checkDequantizeArgs, checkQuantizeArgs, minK4, QK_K, scaleK4 } from './common.ts';
import { quantizeBlockK45 } from './k45.ts';

const f = Math.fround;

/** Bytes in one Q4_K super-block. */
export const Q4_K_BYTES = 144;

const L = new Uint8Array(QK_K);
const RMIN = f(-1);
const RDELTA = f(0.1);

/**
 * Quantizes one row to Q4_K, as ggml's quantize_row_q4_K_ref (no imatrix) or
 * quantize_row_q4_K_impl (with one importance weight per column).
 * @example quantizeRowQ4K(new Float32Array(256), new Uint8Array(144))
 */
export function quantizeRowQ4K(src: Float32Array, dst: Uint8Array, imatrix?: Float32Array): void {
  const nb = checkQuantizeArgs('q4_K', Q4_K_BYTES, src, dst, imatrix);
  for (let i = 0; i < nb; i++) {
    const yo = i * Q4_K_BYTES;
    quantizeBlockK45(src, i * QK_K, dst, yo, imatrix, 15, RMIN, RDELTA, 20, false, L);
    let q = yo + 16;
    for (let j = 0; j < QK_K; j += 64) {
      for (let l = 0; l < 32; l++) dst[q + l] = L[j + l] | (L[j + l + 32] << 4);
      q += 32;
    }
  }
}

/**
 * Dequantizes a row of Q4_K blocks as ggml's dequantize_row_q4_K: (d·sc)·q − dmin·m.
 * @example dequantizeRowQ4K(bytes, new Float32Array(256))
 */
export function dequantizeRowQ4K(src: Uint8Array, dst: Float32Array): void {
  const nb = checkDequantizeArgs('q4_K', Q4_K_BYTES, src, dst);
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_K_BYTES;
    const d = readFp16(src, o);
    const min = readFp16(src, o + 2);
    let q = o + 16;
    let y = i * QK_K;
    for (let is = 0; is < 8; is += 2) {
      const d1 = f(d * scaleK4(is, src, o + 4));
      const m1 = f(min * minK4(is, src, o + 4));
      const d2 = f(d * scaleK4(is + 1, src, o + 4));
      const m2 = f(min * minK4(is + 1, src, o + 4));
      for (let l = 0; l < 32; l++) dst[y + l] = f(f(d1 * (src[q + l] & 0xf)) - m1);
      for (let l = 0; l < 32; l++) dst[y + 32 + l] = f(f(d2 * (src[q + l] >> 4)) - m2);
      q += 32;
      y += 64;
    }
  }
}
