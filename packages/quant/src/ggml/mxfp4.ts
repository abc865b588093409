// MXFP4 (OCP microscaling FP4): blocks of 32 E2M1 codes sharing one E8M0 power-of-two scale.

import type { GgmlType } from '../types.ts';
import { checkRow } from './common.ts';

const f = Math.fround;

const QK = 32;
const SIZE = 17;

/** The E2M1 code points, doubled to integers (ggml's kvalues_mxfp4); index 8..15 are negative. */
export const KVALUES_MXFP4: Int8Array = Int8Array.of(
  0,
  1,
  2,
  3,
  4,
  6,
  8,
  12,
  0,
  -1,
  -2,
  -3,
  -4,
  -6,
  -8,
  -12,
);

// GGML_E8M0_TO_FP32_HALF: 2^(e-128), exact in float32 for every byte (subnormal for e < 2).
const HALF_SCALE = new Float64Array(256);
for (let e = 0; e < 256; e++) HALF_SCALE[e] = 2 ** (e - 128);

// kv[i]·d for the current block: the same float32 products ggml forms for every element.
const grid = new Float64Array(16);

function bestIndexMxfp4(x: number): number {
  let best = 0;
  let bestErr = Math.abs(f(grid[0] - x));
  for (let i = 1; i < 16; i++) {
    const err = Math.abs(f(grid[i] - x));
    if (err < bestErr) {
      best = i;
      bestErr = err;
    }
  }
  return best;
}

/**
 * GGML_TYPE_MXFP4 (id 39): byte `e = floor(log2(amax)) - 2 + 127` (0 when amax is 0), then each
 * value becomes the index of the nearest `kv[q]·2^(e-128)` (first index on ties). The imatrix is
 * ignored, as in ggml.
 * @example MXFP4.quantizeRow(row32, new Uint8Array(17))
 */
export const MXFP4: GgmlType = {
  name: 'mxfp4',
  id: 39,
  blockSize: QK,
  typeSizeBytes: SIZE,
  usesImatrix: false,
  quantizeRow(src, dst) {
    const nb = checkRow('mxfp4', QK, SIZE, src.length, dst.length);
    for (let i = 0; i < nb; i++) {
      const xo = i * QK;
      const bo = i * SIZE;
      let amax = 0;
      for (let j = 0; j < QK; j++) {
        const a = Math.abs(src[xo + j]);
        if (amax < a) amax = a;
      }
      // log2f rounds to float32 before the floor (it returns exactly m just below 2^m).
      const e = amax > 0 ? (Math.floor(f(Math.log2(amax))) - 2 + 127) & 0xff : 0;
      const d = HALF_SCALE[e];
      dst[bo] = e;
      for (let k = 0; k < 16; k++) grid[k] = f(KVALUES_MXFP4[k] * d);
      for (let j = 0; j < 16; j++) {
        const x0 = bestIndexMxfp4(src[xo + j]);
        const x1 = bestIndexMxfp4(src[xo + 16 + j]);
        dst[bo + 1 + j] = x0 | (x1 << 4);
      }
    }
  },
  dequantizeRow(src, dst) {
    const nb = checkRow('mxfp4', QK, SIZE, dst.length, src.length);
    for (let i = 0; i < nb; i++) {
      const bo = i * SIZE;
      const yo = i * QK;
      const d = HALF_SCALE[src[bo]];
      for (let j = 0; j < 16; j++) {
        const q = src[bo + 1 + j];
        dst[yo + j] = KVALUES_MXFP4[q & 0x0f] * d;
        dst[yo + 16 + j] = KVALUES_MXFP4[q >> 4] * d;
      }
    }
  },
};
