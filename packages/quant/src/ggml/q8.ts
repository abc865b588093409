// Q8_0: blocks of 32 values as one fp16 scale and 32 signed bytes (quantize_row_q8_0_ref).

import { fp16ToFp32 as fp16ToFp32Binding, writeFp16 as writeFp16Binding } from '../half.ts';
import type { GgmlType } from '../types.ts';
import { checkRow } from './common.ts';
import { quantizeRowWasm } from './wasm/wasm-quantize.ts';

// Read each imported function once: some loaders turn every call through an import into a
// property lookup, which costs more than the work in these loops.
const fp16ToFp32 = fp16ToFp32Binding;
const writeFp16 = writeFp16Binding;

const f = Math.fround;

const QK = 32;
const SIZE = 34;
/** Rows at least this long go to the SIMD kernel, where copying in and out pays for itself. */
const WASM_MIN_FLOATS = 256;

/**
 * quantize_row_q8_0_ref in scalar JavaScript: the port every other path is checked against.
 * `src` holds whole blocks of 32 and `dst` exactly their 34-byte blocks.
 * @example quantizeQ8_0Scalar(new Float32Array(32).fill(1), new Uint8Array(34))
 */
export function quantizeQ8_0Scalar(src: Float32Array, dst: Uint8Array): void {
  const nb = checkRow('q8_0', QK, SIZE, src.length, dst.length);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK;
    const bo = i * SIZE;
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const v = Math.abs(src[xo + j]);
      // biome-ignore lint/complexity/useMathMinMax: C's MAX, not Math.max (they differ on NaN)
      amax = amax > v ? amax : v;
    }
    const d = f(amax / 127);
    const id = d ? f(1 / d) : 0;
    writeFp16(dst, bo, d);
    for (let j = 0; j < QK; j++) {
      // roundf (halves away from zero) without a sign branch, which mispredicts on half of all
      // weights: round |x| up from .5, then negate with two's complement when x < 0.
      const x0 = f(src[xo + j] * id);
      const r = (Math.abs(x0) + 0.5) | 0;
      const s = +(x0 < 0);
      dst[bo + 2 + j] = (r ^ -s) + s;
    }
  }
}

/**
 * GGML_TYPE_Q8_0 (id 8): `d = amax/127` stored as fp16, then `q = roundf(x/d)` as int8 per value.
 * The imatrix is ignored, as in ggml. Rows of 256 floats or more run in a WebAssembly SIMD kernel
 * with the same result bit for bit (quantizeQ8_0Scalar otherwise, or when SIMD is missing).
 * @example Q8_0.quantizeRow(new Float32Array(32).fill(1), new Uint8Array(34))
 */
export const Q8_0: GgmlType = {
  name: 'q8_0',
  id: 8,
  blockSize: QK,
  typeSizeBytes: SIZE,
  usesImatrix: false,
  quantizeRow(src, dst) {
    checkRow('q8_0', QK, SIZE, src.length, dst.length);
    if (src.length >= WASM_MIN_FLOATS && quantizeRowWasm('q8_0', src, dst)) return;
    quantizeQ8_0Scalar(src, dst);
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('q8_0', QK, SIZE, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE;
      const yo = i * QK;
      const d = fp16ToFp32(src[bo] | (src[bo + 1] << 8));
      for (let j = 0; j < QK; j++) dst[yo + j] = ((src[bo + 2 + j] << 24) >> 24) * d;
    }
  },
};
