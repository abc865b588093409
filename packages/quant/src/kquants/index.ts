// ggml's K-quants as GgmlType constants: Q2_K … Q6_K (super-blocks of 256 values).

import type { GgmlType } from '../types.ts';
import { dequantizeRowQ2K, Q2_K_BYTES, quantizeRowQ2K } from './q2k.ts';
import { dequantizeRowQ3K, Q3_K_BYTES, quantizeRowQ3K } from './q3k.ts';
import { dequantizeRowQ4K, Q4_K_BYTES, quantizeRowQ4K } from './q4k.ts';
import { dequantizeRowQ5K, Q5_K_BYTES, quantizeRowQ5K } from './q5k.ts';
import { dequantizeRowQ6K, Q6_K_BYTES, quantizeRowQ6K } from './q6k.ts';

/** Q6_K (ggml type 14): 6-bit levels, int8 sub-block scales, 210 bytes per 256 values. */
export const Q6_K: GgmlType = {
  name: 'q6_K',
  id: 14,
  blockSize: 256,
  typeSizeBytes: Q6_K_BYTES,
  usesImatrix: true,
  quantizeRow: quantizeRowQ6K,
  dequantizeRow: dequantizeRowQ6K,
};

/** Q4_K (ggml type 12): 4-bit levels, 6-bit scales and mins, 144 bytes per 256 values. */
export const Q4_K: GgmlType = {
  name: 'q4_K',
  id: 12,
  blockSize: 256,
  typeSizeBytes: Q4_K_BYTES,
  usesImatrix: true,
  quantizeRow: quantizeRowQ4K,
  dequantizeRow: dequantizeRowQ4K,
};

/** Q5_K (ggml type 13): 5-bit levels, 6-bit scales and mins, 176 bytes per 256 values. */
export const Q5_K: GgmlType = {
  name: 'q5_K',
  id: 13,
  blockSize: 256,
  typeSizeBytes: Q5_K_BYTES,
  usesImatrix: true,
  quantizeRow: quantizeRowQ5K,
  dequantizeRow: dequantizeRowQ5K,
};

/** Q3_K (ggml type 11): 3-bit signed levels, 6-bit scales, 110 bytes per 256 values. */
export const Q3_K: GgmlType = {
  name: 'q3_K',
  id: 11,
  blockSize: 256,
  typeSizeBytes: Q3_K_BYTES,
  usesImatrix: true,
  quantizeRow: quantizeRowQ3K,
  dequantizeRow: dequantizeRowQ3K,
};

/** Q2_K (ggml type 10): 2-bit levels, 4-bit scales and mins, 84 bytes per 256 values. */
export const Q2_K: GgmlType = {
  name: 'q2_K',
  id: 10,
  blockSize: 256,
  typeSizeBytes: Q2_K_BYTES,
  usesImatrix: true,
  quantizeRow: quantizeRowQ2K,
  dequantizeRow: dequantizeRowQ2K,
};
