// IQ4_NL: blocks of 32 values as 4-bit indices into a fixed non-linear table, with one fp16
// scale found by a small search (quantize_iq4_nl, the path ggml_quantize_chunk takes).

import { fp16ToFp32 as fp16ToFp32Binding, writeFp16 as writeFp16Binding } from '../half.ts';
import type { GgmlType } from '../types.ts';
import { checkImatrix, checkRow, GROUP_MAX_EPS } from './common.ts';

// Read each imported function once: some loaders turn every call through an import into a
// property lookup, which costs more than the work in these loops.
const fp16ToFp32 = fp16ToFp32Binding;
const writeFp16 = writeFp16Binding;

const f = Math.fround;

const QK = 32;
const SIZE = 18;
const NTRY = 7;

/** ggml's kvalues_iq4nl: the 16 non-linear levels, ascending. */
export const KVALUES_IQ4NL: Int8Array = Int8Array.of(
  -127,
  -104,
  -83,
  -65,
  -49,
  -35,
  -22,
  -10,
  1,
  13,
  25,
  38,
  53,
  69,
  89,
  113,
);

/**
 * ggml's best_index_int8: the index of the entry of the ascending table `values` nearest to x
 * (binary search; on a tie the upper entry wins; NaN gives the last index).
 * @example bestIndexInt8(16, KVALUES_IQ4NL, 0) // 8
 */
export function bestIndexInt8(n: number, values: Int8Array, x: number): number {
  if (x <= values[0]) return 0;
  if (x >= values[n - 1]) return n - 1;
  let ml = 0;
  let mu = n - 1;
  while (mu - ml > 1) {
    const mav = (ml + mu) >> 1;
    if (x < values[mav]) mu = mav;
    else ml = mav;
  }
  return f(x - values[mu - 1]) < f(values[mu] - x) ? mu - 1 : mu;
}

const weight = new Float32Array(QK);
const L = new Uint8Array(QK);

/** One block at src[xo..xo+32) into dst[bo..bo+18); `qw` is the row's imatrix or undefined. */
function quantizeBlock(
  src: Float32Array,
  xo: number,
  dst: Uint8Array,
  bo: number,
  qw: Float32Array | undefined,
): void {
  const values = KVALUES_IQ4NL;
  let sigma2 = 0;
  for (let j = 0; j < QK; j++) sigma2 = f(sigma2 + f(src[xo + j] * src[xo + j]));
  sigma2 = f(sigma2 * 0.0625);

  if (qw !== undefined) {
    for (let j = 0; j < QK; j++) {
      const v = src[xo + j];
      weight[j] = f(qw[xo + j] * f(Math.sqrt(f(sigma2 + f(v * v)))));
    }
  } else {
    for (let j = 0; j < QK; j++) weight[j] = f(src[xo + j] * src[xo + j]);
  }
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const ax = Math.abs(src[xo + j]);
    if (ax > amax) {
      amax = ax;
      max = src[xo + j];
    }
  }
  let scale = 0;
  if (amax >= GROUP_MAX_EPS) {
    let d = f(-max / values[0]);
    let id = f(1 / d);
    let sumqx = 0;
    let sumq2 = 0;
    for (let j = 0; j < QK; j++) {
      const xj = src[xo + j];
      const l = bestIndexInt8(16, values, f(id * xj));
      const q = values[l];
      const wq = f(weight[j] * q);
      sumqx = f(sumqx + f(wq * xj));
      sumq2 = f(sumq2 + f(wq * q));
    }
    d = sumq2 > 0 ? f(sumqx / sumq2) : 0;
    let best = f(d * sumqx);
    for (let itry = -NTRY; itry <= NTRY; itry++) {
      id = f((itry + values[0]) / max);
      sumqx = 0;
      sumq2 = 0;
      for (let j = 0; j < QK; j++) {
        const xj = src[xo + j];
        const l = bestIndexInt8(16, values, f(id * xj));
        const q = values[l];
        const wq = f(weight[j] * q);
        sumqx = f(sumqx + f(wq * xj));
        sumq2 = f(sumq2 + f(wq * q));
      }
      if (sumq2 > 0 && f(sumqx * sumqx) > f(best * sumq2)) {
        d = f(sumqx / sumq2);
        best = f(d * sumqx);
      }
    }
    scale = d;
  }
  writeFp16(dst, bo, scale);
  // The final codes use the float scale, not its fp16 rounding, exactly as ggml does.
  const id = scale ? f(1 / scale) : 0;
  for (let j = 0; j < QK; j++) L[j] = bestIndexInt8(16, values, f(id * src[xo + j]));
  for (let j = 0; j < 16; j++) dst[bo + 2 + j] = L[j] | (L[j + 16] << 4);
}

/**
 * GGML_TYPE_IQ4_NL (id 20): fp16 `d` and 32 four-bit indices into KVALUES_IQ4NL; dequantized as
 * `d·kv[q]`. The scale is the best of 16 candidates by weighted least squares (weights x², or
 * imatrix·sqrt(sigma2 + x²) with an imatrix), as quantize_iq4_nl with ntry = 7.
 * @example IQ4_NL.quantizeRow(row32, new Uint8Array(18))
 */
export const IQ4_NL: GgmlType = {
  name: 'iq4_nl',
  id: 20,
  blockSize: QK,
  typeSizeBytes: SIZE,
  usesImatrix: true,
  quantizeRow(src, dst, imatrix) {
    const nb = checkRow('iq4_nl', QK, SIZE, src.length, dst.length);
    if (imatrix !== undefined) checkImatrix('iq4_nl', imatrix, src.length);
    for (let i = 0; i < nb; i++) quantizeBlock(src, i * QK, dst, i * SIZE, imatrix);
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('iq4_nl', QK, SIZE, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE;
      const yo = i * QK;
      const d = fp16ToFp32(src[bo] | (src[bo + 1] << 8));
      for (let j = 0; j < 16; j++) {
        const q = src[bo + 2 + j];
        dst[yo + j] = d * KVALUES_IQ4NL[q & 0x0f];
        dst[yo + 16 + j] = d * KVALUES_IQ4NL[q >> 4];
      }
    }
  },
};
