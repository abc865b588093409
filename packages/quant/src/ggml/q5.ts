// Q5_0 and Q5_1: blocks of 32 values as 5-bit codes. The low 4 bits are packed as in Q4_0
// (element j low nibble of qs[j], element j+16 high nibble); bit 4 of element j is bit j of the
// little-endian uint32 qh.

import { fp16ToFp32 as fp16ToFp32Binding, writeFp16 as writeFp16Binding } from '../half.ts';
import type { GgmlType } from '../types.ts';
import { checkImatrix, checkRow, imatrixWeights, makeQxQuants, rowSigma2 } from './common.ts';
import { fitBlockWithMin } from './fit-min.ts';

// Read each imported function once: some loaders turn every call through an import into a
// property lookup, which costs more than the work in these loops.
const fp16ToFp32 = fp16ToFp32Binding;
const writeFp16 = writeFp16Binding;

const f = Math.fround;

const QK = 32;
const SIZE_0 = 22;
const SIZE_1 = 24;
const FLT_MAX = 3.4028234663852886e38;

const weight = new Float32Array(QK);
const L = new Uint8Array(QK);

function writeU32(dst: Uint8Array, off: number, v: number): void {
  dst[off] = v & 0xff;
  dst[off + 1] = (v >>> 8) & 0xff;
  dst[off + 2] = (v >>> 16) & 0xff;
  dst[off + 3] = v >>> 24;
}

function readU32(src: Uint8Array, off: number): number {
  return (src[off] | (src[off + 1] << 8) | (src[off + 2] << 16) | (src[off + 3] << 24)) >>> 0;
}

/** Packs 32 five-bit levels from L into qh (at `qhOff`) and the nibbles after it. */
function packLevels(dst: Uint8Array, qhOff: number): void {
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    const xi0 = L[j];
    const xi1 = L[j + 16];
    dst[qhOff + 4 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
    qh |= ((xi0 & 0x10) >> 4) << j;
    qh |= ((xi1 & 0x10) >> 4) << (j + 16);
  }
  writeU32(dst, qhOff, qh);
}

function quantizeQ5_0Ref(src: Float32Array, dst: Uint8Array, nb: number): void {
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
    const d = f(max / -16);
    const id = d ? f(1 / d) : 0;
    writeFp16(dst, bo, d);
    for (let j = 0; j < 16; j++) {
      const x0 = f(src[xo + j] * id);
      const x1 = f(src[xo + 16 + j] * id);
      L[j] = Math.min(31, f(x0 + 16.5) | 0);
      L[j + 16] = Math.min(31, f(x1 + 16.5) | 0);
    }
    packLevels(dst, bo + 2);
  }
}

function quantizeQ5_0Impl(src: Float32Array, dst: Uint8Array, nb: number, qw: Float32Array): void {
  const sigma2 = rowSigma2(src);
  for (let ib = 0; ib < nb; ib++) {
    const xo = ib * QK;
    const bo = ib * SIZE_0;
    imatrixWeights(src, qw, xo, QK, sigma2, weight);
    const d = makeQxQuants(QK, 16, src, xo, L, weight);
    writeFp16(dst, bo, d);
    packLevels(dst, bo + 2);
  }
}

/**
 * GGML_TYPE_Q5_0 (id 6): `d = max/-16` (max = the value of largest magnitude), codes
 * `min(31, trunc(x/d + 16.5))`; dequantized as `(q-16)·d`. With an imatrix, ggml's weighted scale
 * search (quantize_row_q5_0_impl).
 * @example Q5_0.quantizeRow(row32, new Uint8Array(22))
 */
export const Q5_0: GgmlType = {
  name: 'q5_0',
  id: 6,
  blockSize: QK,
  typeSizeBytes: SIZE_0,
  usesImatrix: true,
  quantizeRow(src, dst, imatrix) {
    const nb = checkRow('q5_0', QK, SIZE_0, src.length, dst.length);
    if (imatrix === undefined) {
      quantizeQ5_0Ref(src, dst, nb);
    } else {
      checkImatrix('q5_0', imatrix, src.length);
      quantizeQ5_0Impl(src, dst, nb, imatrix);
    }
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('q5_0', QK, SIZE_0, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE_0;
      const yo = i * QK;
      const d = fp16ToFp32(src[bo] | (src[bo + 1] << 8));
      const qh = readU32(src, bo + 2);
      for (let j = 0; j < 16; j++) {
        const q = src[bo + 6 + j];
        const xh0 = ((qh >>> j) << 4) & 0x10;
        const xh1 = (qh >>> (j + 12)) & 0x10;
        dst[yo + j] = (((q & 0x0f) | xh0) - 16) * d;
        dst[yo + 16 + j] = (((q >> 4) | xh1) - 16) * d;
      }
    }
  },
};

function quantizeQ5_1Ref(src: Float32Array, dst: Uint8Array, nb: number): void {
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
    const d = f(f(max - min) / 31);
    const id = d ? f(1 / d) : 0;
    writeFp16(dst, bo, d);
    writeFp16(dst, bo + 2, min);
    for (let j = 0; j < 16; j++) {
      const x0 = f(f(src[xo + j] - min) * id);
      const x1 = f(f(src[xo + 16 + j] - min) * id);
      L[j] = (f(x0 + 0.5) | 0) & 0xff;
      L[j + 16] = (f(x1 + 0.5) | 0) & 0xff;
    }
    packLevels(dst, bo + 4);
  }
}

function quantizeQ5_1Impl(src: Float32Array, dst: Uint8Array, nb: number, qw: Float32Array): void {
  const sigma2 = rowSigma2(src);
  for (let ib = 0; ib < nb; ib++) {
    const xo = ib * QK;
    const bo = ib * SIZE_1;
    imatrixWeights(src, qw, xo, QK, sigma2, weight);
    const [d, m] = fitBlockWithMin(31, src, xo, weight, L);
    writeFp16(dst, bo, d);
    writeFp16(dst, bo + 2, m);
    packLevels(dst, bo + 4);
  }
}

/**
 * GGML_TYPE_Q5_1 (id 7): `d = (max-min)/31` and `m = min` as fp16, codes
 * `trunc((x-min)/d + 0.5)`; dequantized as `q·d + m`. With an imatrix, ggml's weighted
 * (scale, min) search (quantize_row_q5_1_impl).
 * @example Q5_1.quantizeRow(row32, new Uint8Array(24))
 */
export const Q5_1: GgmlType = {
  name: 'q5_1',
  id: 7,
  blockSize: QK,
  typeSizeBytes: SIZE_1,
  usesImatrix: true,
  quantizeRow(src, dst, imatrix) {
    const nb = checkRow('q5_1', QK, SIZE_1, src.length, dst.length);
    if (imatrix === undefined) {
      quantizeQ5_1Ref(src, dst, nb);
    } else {
      checkImatrix('q5_1', imatrix, src.length);
      quantizeQ5_1Impl(src, dst, nb, imatrix);
    }
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('q5_1', QK, SIZE_1, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE_1;
      const yo = i * QK;
      const d = fp16ToFp32(src[bo] | (src[bo + 1] << 8));
      const m = fp16ToFp32(src[bo + 2] | (src[bo + 3] << 8));
      const qh = readU32(src, bo + 4);
      for (let j = 0; j < 16; j++) {
        const q = src[bo + 8 + j];
        const xh0 = ((qh >>> j) << 4) & 0x10;
        const xh1 = (qh >>> (j + 12)) & 0x10;
        dst[yo + j] = f(f(((q & 0x0f) | xh0) * d) + m);
        dst[yo + 16 + j] = f(f(((q >> 4) | xh1) * d) + m);
      }
    }
  },
};
