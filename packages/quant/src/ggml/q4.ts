// Q4_0 and Q4_1: blocks of 32 values as 4-bit codes. Element j (0..15) sits in the low nibble
// of qs[j], element j+16 in the high nibble.

import { fp16ToFp32 as fp16ToFp32Binding, writeFp16 as writeFp16Binding } from '../half.ts';
import type { GgmlType } from '../types.ts';
import { checkImatrix, checkRow, imatrixWeights, makeQxQuants, rowSigma2 } from './common.ts';
import { fitBlockWithMin } from './fit-min.ts';
import { quantizeRowWasm } from './wasm/wasm-quantize.ts';

// Read each imported function once: some loaders turn every call through an import into a
// property lookup, which costs more than the work in these loops.
const fp16ToFp32 = fp16ToFp32Binding;
const writeFp16 = writeFp16Binding;

const f = Math.fround;

const QK = 32;
const SIZE_0 = 18;
const SIZE_1 = 20;
const FLT_MAX = 3.4028234663852886e38;

// Scratch reused by every call: no allocation per block.
const weight = new Float32Array(QK);
const L = new Uint8Array(QK);

/** Rows at least this long go to the SIMD kernel, where copying in and out pays for itself. */
const WASM_MIN_FLOATS = 256;

/**
 * quantize_row_q4_0_ref in scalar JavaScript: the port every other path is checked against.
 * `src` holds whole blocks of 32 and `dst` exactly their 18-byte blocks.
 * @example quantizeQ4_0Scalar(new Float32Array(32).fill(1), new Uint8Array(18))
 */
export function quantizeQ4_0Scalar(src: Float32Array, dst: Uint8Array): void {
  const nb = checkRow('q4_0', QK, SIZE_0, src.length, dst.length);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK;
    const bo = i * SIZE_0;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = src[xo + j];
      const a = Math.abs(v);
      if (amax < a) {
        amax = a;
        max = v;
      }
    }
    const d = f(max / -8);
    const id = d ? f(1 / d) : 0;
    writeFp16(dst, bo, d);
    for (let j = 0; j < 16; j++) {
      const x0 = f(src[xo + j] * id);
      const x1 = f(src[xo + 16 + j] * id);
      // min(15, ·) without Math.min, which V8 compiles to a slow float path here: |x·id| ≤ 8
      // (up to rounding), so the truncated code is 0..16 and subtracting code >> 4 maps 16 to 15.
      const xi0 = f(x0 + 8.5) | 0;
      const xi1 = f(x1 + 8.5) | 0;
      dst[bo + 2 + j] = (xi0 - (xi0 >> 4)) | ((xi1 - (xi1 >> 4)) << 4);
    }
  }
}

function quantizeQ4_0Impl(src: Float32Array, dst: Uint8Array, nb: number, qw: Float32Array): void {
  const sigma2 = rowSigma2(src);
  for (let ib = 0; ib < nb; ib++) {
    const xo = ib * QK;
    const bo = ib * SIZE_0;
    imatrixWeights(src, qw, xo, QK, sigma2, weight);
    const d = makeQxQuants(QK, 8, src, xo, L, weight);
    writeFp16(dst, bo, d);
    for (let j = 0; j < 16; j++) dst[bo + 2 + j] = L[j] | (L[j + 16] << 4);
  }
}

/**
 * GGML_TYPE_Q4_0 (id 2): `d = max/-8` (max = the value of largest magnitude), codes
 * `min(15, trunc(x/d + 8.5))`; dequantized as `(q-8)·d`. With an imatrix, ggml's weighted
 * scale search (quantize_row_q4_0_impl).
 * @example Q4_0.quantizeRow(row32, new Uint8Array(18))
 */
export const Q4_0: GgmlType = {
  name: 'q4_0',
  id: 2,
  blockSize: QK,
  typeSizeBytes: SIZE_0,
  usesImatrix: true,
  quantizeRow(src, dst, imatrix) {
    const nb = checkRow('q4_0', QK, SIZE_0, src.length, dst.length);
    if (imatrix === undefined) {
      if (src.length >= WASM_MIN_FLOATS && quantizeRowWasm('q4_0', src, dst)) return;
      quantizeQ4_0Scalar(src, dst);
    } else {
      checkImatrix('q4_0', imatrix, src.length);
      quantizeQ4_0Impl(src, dst, nb, imatrix);
    }
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('q4_0', QK, SIZE_0, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE_0;
      const yo = i * QK;
      const d = fp16ToFp32(src[bo] | (src[bo + 1] << 8));
      for (let j = 0; j < 16; j++) {
        const q = src[bo + 2 + j];
        dst[yo + j] = ((q & 0x0f) - 8) * d;
        dst[yo + 16 + j] = ((q >> 4) - 8) * d;
      }
    }
  },
};

function quantizeQ4_1Ref(src: Float32Array, dst: Uint8Array, nb: number): void {
  for (let i = 0; i < nb; i++) {
    const xo = i * QK;
    const bo = i * SIZE_1;
    let min = FLT_MAX;
    let max = -FLT_MAX;
    for (let j = 0; j < QK; j++) {
      const v = src[xo + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = f(f(max - min) / 15);
    const id = d ? f(1 / d) : 0;
    writeFp16(dst, bo, d);
    writeFp16(dst, bo + 2, min);
    for (let j = 0; j < 16; j++) {
      const x0 = f(f(src[xo + j] - min) * id);
      const x1 = f(f(src[xo + 16 + j] - min) * id);
      const xi0 = Math.min(15, f(x0 + 0.5) | 0);
      const xi1 = Math.min(15, f(x1 + 0.5) | 0);
      dst[bo + 4 + j] = xi0 | (xi1 << 4);
    }
  }
}

function quantizeQ4_1Impl(src: Float32Array, dst: Uint8Array, nb: number, qw: Float32Array): void {
  const sigma2 = rowSigma2(src);
  for (let ib = 0; ib < nb; ib++) {
    const xo = ib * QK;
    const bo = ib * SIZE_1;
    imatrixWeights(src, qw, xo, QK, sigma2, weight);
    const [d, m] = fitBlockWithMin(15, src, xo, weight, L);
    writeFp16(dst, bo, d);
    writeFp16(dst, bo + 2, m);
    for (let j = 0; j < 16; j++) dst[bo + 4 + j] = L[j] | (L[j + 16] << 4);
  }
}

/**
 * GGML_TYPE_Q4_1 (id 3): `d = (max-min)/15` and `m = min` as fp16, codes
 * `min(15, trunc((x-min)/d + 0.5))`; dequantized as `q·d + m`. With an imatrix, ggml's weighted
 * (scale, min) search (quantize_row_q4_1_impl).
 * @example Q4_1.quantizeRow(row32, new Uint8Array(20))
 */
export const Q4_1: GgmlType = {
  name: 'q4_1',
  id: 3,
  blockSize: QK,
  typeSizeBytes: SIZE_1,
  usesImatrix: true,
  quantizeRow(src, dst, imatrix) {
    const nb = checkRow('q4_1', QK, SIZE_1, src.length, dst.length);
    if (imatrix === undefined) {
      quantizeQ4_1Ref(src, dst, nb);
    } else {
      checkImatrix('q4_1', imatrix, src.length);
      quantizeQ4_1Impl(src, dst, nb, imatrix);
    }
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('q4_1', QK, SIZE_1, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE_1;
      const yo = i * QK;
      const d = fp16ToFp32(src[bo] | (src[bo + 1] << 8));
      const m = fp16ToFp32(src[bo + 2] | (src[bo + 3] << 8));
      for (let j = 0; j < 16; j++) {
        const q = src[bo + 4 + j];
        dst[yo + j] = f(f((q & 0x0f) * d) + m);
        dst[yo + 16 + j] = f(f((q >> 4) * d) + m);
      }
    }
  },
};
