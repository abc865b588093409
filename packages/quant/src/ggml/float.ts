// The unblocked float types: F32 (a byte copy), F16 and BF16 (one 2-byte value per element).

import {
  fp16BitsToFp32Bits as fp16BitsToFp32BitsBinding,
  fp32BitsToBf16 as fp32BitsToBf16Binding,
  fp32BitsToFp16 as fp32BitsToFp16Binding,
} from '../half.ts';
import type { GgmlType } from '../types.ts';
import { checkRow } from './common.ts';

// Read each imported function once: some loaders turn every call through an import into a
// property lookup, which costs more than the work in these loops.
const fp16BitsToFp32Bits = fp16BitsToFp32BitsBinding;
const fp32BitsToBf16 = fp32BitsToBf16Binding;
const fp32BitsToFp16 = fp32BitsToFp16Binding;

function bitsOf(src: Float32Array): Uint32Array {
  return new Uint32Array(src.buffer, src.byteOffset, src.length);
}

let fp16BitsTable: Uint32Array | undefined;

/** float32 bit patterns of all 65,536 halves (NaN payloads shifted up, as a C cast does). */
function fp16Bits(): Uint32Array {
  if (fp16BitsTable === undefined) {
    const table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = fp16BitsToFp32Bits(h);
    fp16BitsTable = table;
  }
  return fp16BitsTable;
}

/**
 * GGML_TYPE_F32 (id 0): raw little-endian float32, copied bit for bit.
 * @example F32.quantizeRow(new Float32Array([1]), new Uint8Array(4))
 */
export const F32: GgmlType = {
  name: 'f32',
  id: 0,
  blockSize: 1,
  typeSizeBytes: 4,
  usesImatrix: false,
  quantizeRow(src, dst) {
    checkRow('f32', 1, 4, src.length, dst.length);
    dst.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  },
  dequantizeRow(src, dst) {
    checkRow('f32', 1, 4, dst.length, src.length);
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(src);
  },
};

/**
 * GGML_TYPE_F16 (id 1): IEEE binary16 rounded to nearest even, NaN written as 0x7E00 | sign.
 * @example F16.quantizeRow(new Float32Array([1]), out) // out = [0x00, 0x3c]
 */
export const F16: GgmlType = {
  name: 'f16',
  id: 1,
  blockSize: 1,
  typeSizeBytes: 2,
  usesImatrix: false,
  quantizeRow(src, dst) {
    const n = checkRow('f16', 1, 2, src.length, dst.length);
    const bits = bitsOf(src);
    for (let i = 0; i < n; i++) {
      const h = fp32BitsToFp16(bits[i]);
      dst[2 * i] = h & 0xff;
      dst[2 * i + 1] = h >>> 8;
    }
  },
  dequantizeRow(src, dst) {
    const n = checkRow('f16', 1, 2, dst.length, src.length);
    const table = fp16Bits();
    const out = bitsOf(dst);
    for (let i = 0; i < n; i++) out[i] = table[src[2 * i] | (src[2 * i + 1] << 8)];
  },
};

/**
 * GGML_TYPE_BF16 (id 30): the top 16 bits of float32, rounded to nearest even; NaN keeps its
 * payload with the quiet bit set.
 * @example BF16.quantizeRow(new Float32Array([1]), out) // out = [0x80, 0x3f]
 */
export const BF16: GgmlType = {
  name: 'bf16',
  id: 30,
  blockSize: 1,
  typeSizeBytes: 2,
  usesImatrix: false,
  quantizeRow(src, dst) {
    const n = checkRow('bf16', 1, 2, src.length, dst.length);
    const bits = bitsOf(src);
    for (let i = 0; i < n; i++) {
      const h = fp32BitsToBf16(bits[i]);
      dst[2 * i] = h & 0xff;
      dst[2 * i + 1] = h >>> 8;
    }
  },
  dequantizeRow(src, dst) {
    const n = checkRow('bf16', 1, 2, dst.length, src.length);
    const out = bitsOf(dst);
    for (let i = 0; i < n; i++) out[i] = ((src[2 * i] | (src[2 * i + 1] << 8)) << 16) >>> 0;
  },
};
