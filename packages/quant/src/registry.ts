// Every ggml tensor type by name and id: the ones this package quantizes (GGML_TYPES) and, for
// sizing tensors in GGUF files, the block geometry of all of ggml's types up to MXFP4.

import { BF16, F16, F32 } from './ggml/float.ts';
import { IQ4_NL } from './ggml/iq4nl.ts';
import { MXFP4 } from './ggml/mxfp4.ts';
import { Q4_0, Q4_1 } from './ggml/q4.ts';
import { Q5_0, Q5_1 } from './ggml/q5.ts';
import { Q8_0 } from './ggml/q8.ts';
import { Q2_K, Q3_K, Q4_K, Q5_K, Q6_K } from './kquants/index.ts';
import type { GgmlType } from './types.ts';

/** Block geometry of one ggml type: its enum id, elements per block and bytes per block. */
export interface GgmlTypeInfo {
  readonly id: number;
  readonly blockSize: number;
  readonly typeSizeBytes: number;
}

/**
 * Every ggml_type up to MXFP4 (39), keyed by ggml's own spelling, with the block geometry from
 * ggml's type_traits. Ids 4, 5 and 31–33, 36–38 were removed from ggml and are absent.
 * @example GGML_TYPE_INFO.q4_K // { id: 12, blockSize: 256, typeSizeBytes: 144 }
 */
export const GGML_TYPE_INFO: Readonly<Record<string, GgmlTypeInfo>> = Object.freeze({
  f32: { id: 0, blockSize: 1, typeSizeBytes: 4 },
  f16: { id: 1, blockSize: 1, typeSizeBytes: 2 },
  q4_0: { id: 2, blockSize: 32, typeSizeBytes: 18 },
  q4_1: { id: 3, blockSize: 32, typeSizeBytes: 20 },
  q5_0: { id: 6, blockSize: 32, typeSizeBytes: 22 },
  q5_1: { id: 7, blockSize: 32, typeSizeBytes: 24 },
  q8_0: { id: 8, blockSize: 32, typeSizeBytes: 34 },
  q8_1: { id: 9, blockSize: 32, typeSizeBytes: 36 },
  q2_K: { id: 10, blockSize: 256, typeSizeBytes: 84 },
  q3_K: { id: 11, blockSize: 256, typeSizeBytes: 110 },
  q4_K: { id: 12, blockSize: 256, typeSizeBytes: 144 },
  q5_K: { id: 13, blockSize: 256, typeSizeBytes: 176 },
  q6_K: { id: 14, blockSize: 256, typeSizeBytes: 210 },
  q8_K: { id: 15, blockSize: 256, typeSizeBytes: 292 },
  iq2_xxs: { id: 16, blockSize: 256, typeSizeBytes: 66 },
  iq2_xs: { id: 17, blockSize: 256, typeSizeBytes: 74 },
  iq3_xxs: { id: 18, blockSize: 256, typeSizeBytes: 98 },
  iq1_s: { id: 19, blockSize: 256, typeSizeBytes: 50 },
  iq4_nl: { id: 20, blockSize: 32, typeSizeBytes: 18 },
  iq3_s: { id: 21, blockSize: 256, typeSizeBytes: 110 },
  iq2_s: { id: 22, blockSize: 256, typeSizeBytes: 82 },
  iq4_xs: { id: 23, blockSize: 256, typeSizeBytes: 136 },
  i8: { id: 24, blockSize: 1, typeSizeBytes: 1 },
  i16: { id: 25, blockSize: 1, typeSizeBytes: 2 },
  i32: { id: 26, blockSize: 1, typeSizeBytes: 4 },
  i64: { id: 27, blockSize: 1, typeSizeBytes: 8 },
  f64: { id: 28, blockSize: 1, typeSizeBytes: 8 },
  iq1_m: { id: 29, blockSize: 256, typeSizeBytes: 56 },
  bf16: { id: 30, blockSize: 1, typeSizeBytes: 2 },
  tq1_0: { id: 34, blockSize: 256, typeSizeBytes: 54 },
  tq2_0: { id: 35, blockSize: 256, typeSizeBytes: 66 },
  mxfp4: { id: 39, blockSize: 32, typeSizeBytes: 17 },
});

/**
 * The types this package can quantize and dequantize, in ggml id order.
 * @example GGML_TYPES.map((t) => t.name) // ['f32', 'f16', 'q4_0', …]
 */
export const GGML_TYPES: readonly GgmlType[] = Object.freeze(
  [F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, BF16, MXFP4].sort(
    (a, b) => a.id - b.id,
  ),
);

const byName = new Map<string, GgmlType>();
const byId = new Map<number, GgmlType>();
for (const t of GGML_TYPES) {
  byName.set(t.name.toLowerCase(), t);
  byId.set(t.id, t);
}

const infoByName = new Map<string, [string, GgmlTypeInfo]>();
const infoById = new Map<number, [string, GgmlTypeInfo]>();
for (const [name, info] of Object.entries(GGML_TYPE_INFO)) {
  infoByName.set(name.toLowerCase(), [name, info]);
  infoById.set(info.id, [name, info]);
}

function supportedList(): string {
  return GGML_TYPES.map((t) => `${t.name} (${t.id})`).join(', ');
}

/**
 * The implemented type with this ggml name (any case: 'Q4_k', 'MXFP4') or enum id; throws a
 * message listing the supported types otherwise.
 * @example ggmlType('q8_0').typeSizeBytes // 34
 */
export function ggmlType(nameOrId: string | number): GgmlType {
  const found =
    typeof nameOrId === 'number' ? byId.get(nameOrId) : byName.get(nameOrId.toLowerCase());
  if (found !== undefined) return found;
  const known =
    typeof nameOrId === 'number' ? infoById.get(nameOrId) : infoByName.get(nameOrId.toLowerCase());
  const what = typeof nameOrId === 'number' ? `id ${nameOrId}` : `'${nameOrId}'`;
  const why =
    known !== undefined
      ? `ggml type ${what} (${known[0]}) has no quantizer here`
      : `unknown ggml type ${what}`;
  throw new Error(`${why}; supported: ${supportedList()}`);
}

/**
 * Block geometry of any ggml type up to MXFP4 by name (any case) or id, including the ones not
 * implemented here; throws for unknown or removed ids.
 * @example ggmlTypeInfo(23).typeSizeBytes // 136 (iq4_xs)
 */
export function ggmlTypeInfo(nameOrId: string | number): GgmlTypeInfo & { readonly name: string } {
  const known =
    typeof nameOrId === 'number' ? infoById.get(nameOrId) : infoByName.get(nameOrId.toLowerCase());
  if (known === undefined) {
    const names = Object.entries(GGML_TYPE_INFO)
      .map(([n, i]) => `${n} (${i.id})`)
      .join(', ');
    throw new Error(`unknown ggml type ${JSON.stringify(nameOrId)}; known: ${names}`);
  }
  return { name: known[0], ...known[1] };
}

function checkPerRow(type: GgmlTypeInfo & { readonly name?: string }, nPerRow: number): void {
  if (!Number.isInteger(nPerRow) || nPerRow <= 0) {
    throw new Error(`nPerRow must be a positive integer, got ${nPerRow}`);
  }
  if (nPerRow % type.blockSize !== 0) {
    throw new Error(
      `${type.name ?? 'type'}: nPerRow ${nPerRow} is not a multiple of its block size ` +
        `${type.blockSize}`,
    );
  }
}

/**
 * Bytes of one row of `nPerRow` elements (ggml_row_size); throws when nPerRow is not a positive
 * multiple of the type's block size.
 * @example rowSizeBytes(ggmlType('q4_0'), 64) // 36
 */
export function rowSizeBytes(
  type: GgmlTypeInfo & { readonly name?: string },
  nPerRow: number,
): number {
  checkPerRow(type, nPerRow);
  return (nPerRow / type.blockSize) * type.typeSizeBytes;
}

/**
 * Quantizes a row-major matrix of rows × nPerRow floats row by row, as ggml_quantize_chunk does;
 * `imatrix` (one weight per column) is used by the types that support it. Writes into `dst` when
 * given (it must be exactly rows × rowSizeBytes long) and returns the bytes.
 * @example quantizeRows(ggmlType('q8_0'), weights, 64) // Uint8Array(rows * 68)
 */
export function quantizeRows(
  type: GgmlType,
  src: Float32Array,
  nPerRow: number,
  imatrix?: Float32Array,
  dst?: Uint8Array,
): Uint8Array {
  const rowBytes = rowSizeBytes(type, nPerRow);
  if (src.length % nPerRow !== 0) {
    throw new Error(
      `${type.name}: input of ${src.length} floats is not a whole number of rows of ${nPerRow}`,
    );
  }
  if (imatrix !== undefined && imatrix.length !== nPerRow) {
    throw new Error(
      `${type.name}: imatrix has ${imatrix.length} weights, expected one per column (${nPerRow})`,
    );
  }
  const rows = src.length / nPerRow;
  const out = dst ?? new Uint8Array(rows * rowBytes);
  if (out.length !== rows * rowBytes) {
    throw new Error(
      `${type.name}: output buffer has ${out.length} bytes, ${rows} rows need ${rows * rowBytes}`,
    );
  }
  for (let r = 0; r < rows; r++) {
    type.quantizeRow(
      src.subarray(r * nPerRow, (r + 1) * nPerRow),
      out.subarray(r * rowBytes, (r + 1) * rowBytes),
      imatrix,
    );
  }
  return out;
}

/**
 * Dequantizes rows of `nPerRow` elements from their bytes, row by row (ggml's to_float). Writes
 * into `dst` when given (exactly rows × nPerRow floats) and returns the floats.
 * @example dequantizeRows(ggmlType('q4_0'), bytes, 64) // Float32Array(bytes.length / 36 * 64)
 */
export function dequantizeRows(
  type: GgmlType,
  src: Uint8Array,
  nPerRow: number,
  dst?: Float32Array,
): Float32Array {
  const rowBytes = rowSizeBytes(type, nPerRow);
  if (src.length % rowBytes !== 0) {
    throw new Error(
      `${type.name}: ${src.length} bytes is not a whole number of rows of ${rowBytes} bytes ` +
        `(${nPerRow} values)`,
    );
  }
  const rows = src.length / rowBytes;
  const out = dst ?? new Float32Array(rows * nPerRow);
  if (out.length !== rows * nPerRow) {
    throw new Error(
      `${type.name}: output buffer has ${out.length} floats, ${rows} rows need ${rows * nPerRow}`,
    );
  }
  for (let r = 0; r < rows; r++) {
    type.dequantizeRow(
      src.subarray(r * rowBytes, (r + 1) * rowBytes),
      out.subarray(r * nPerRow, (r + 1) * nPerRow),
    );
  }
  return out;
}
