// Outliers held out of block quantization in a sparse side table.
//
// extractOutliers picks elements of a rows × cols tensor (by |x| > threshold, the k largest |x|, or
// given coordinates), stores each as a flat index row * cols + col and its value rounded to fp16,
// and replaces it by 0 in the residual. A block quantizer then sees a smaller absmax (its scale
// fits the ordinary values); whatever it reconstructs at an outlier's position is overwritten by
// applyOutliers after dequantization.
//
// Serialized table (little-endian): u32 count, then count × u32 flat index (strictly ascending),
// then count × u16 fp16 bits: 4 + 6 · count bytes. Indices come first so they stay 4-byte aligned.

import { fp16ToFp32, fp32ToFp16 } from '../half.ts';
import type { GgmlType } from '../types.ts';
import { type ErrorMetrics, errorMetrics } from './metrics.ts';

/** A sparse set of tensor elements kept at fp16 beside a quantized tensor. */
export interface OutlierTable {
  /** Rows of the tensor the table belongs to. */
  readonly rows: number;
  /** Columns of the tensor. */
  readonly cols: number;
  /** Flat indices row * cols + col, strictly ascending. */
  readonly indices: Uint32Array;
  /** The values as IEEE binary16 bits, one per index. */
  readonly valuesFp16: Uint16Array;
}

/** One (row, col) position of a rows × cols tensor. */
export interface Coordinate {
  readonly row: number;
  readonly col: number;
}

/**
 * Which elements to hold out: |x| > threshold; the `fraction` × n (rounded to nearest) or `count`
 * largest |x| (ties go to the lower flat index); or the listed coordinates (duplicates kept once).
 */
export type OutlierSelection =
  | { readonly threshold: number }
  | { readonly fraction: number }
  | { readonly count: number }
  | { readonly coordinates: readonly Coordinate[] };

/** The side table and the tensor with the selected elements set to 0. */
export interface ExtractedOutliers {
  readonly table: OutlierTable;
  readonly residual: Float32Array;
}

/**
 * Takes the selected elements out of the rows × cols tensor `x` (row-major) into an fp16 side table
 * and returns it with a copy of `x` in which they are 0. Throws on non-finite input, values beyond
 * fp16's range (|x| ≥ 65520), and coordinates outside the tensor.
 * @example extractOutliers(w, 4, 8, { coordinates: [{ row: 2, col: 5 }] }).table.indices // [21]
 */
export function extractOutliers(
  x: Float32Array,
  rows: number,
  cols: number,
  select: OutlierSelection,
): ExtractedOutliers {
  checkShape('extractOutliers', x.length, rows, cols);
  const n = x.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) {
      throw new Error(
        `extractOutliers: x[${i}] (row ${Math.floor(i / cols)}, col ${i % cols}) is ${x[i]}; ` +
          'expected finite values',
      );
    }
  }
  const indices = selectIndices(x, rows, cols, select);
  const valuesFp16 = new Uint16Array(indices.length);
  const residual = x.slice();
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    const h = fp32ToFp16(x[i]);
    if ((h & 0x7c00) === 0x7c00) {
      throw new Error(
        `extractOutliers: x[${i}] (row ${Math.floor(i / cols)}, col ${i % cols}) = ${x[i]} ` +
          'does not fit fp16 (|x| must be below 65520)',
      );
    }
    valuesFp16[j] = h;
    residual[i] = 0;
  }
  return { table: { rows, cols, indices, valuesFp16 }, residual };
}

/**
 * Writes the table's values (fp16, widened to float32) back into `dequantized` in place and
 * returns it; its length must be the table's rows × cols.
 * @example applyOutliers(dequantized, table)
 */
export function applyOutliers(dequantized: Float32Array, table: OutlierTable): Float32Array {
  const n = table.rows * table.cols;
  if (dequantized.length !== n) {
    throw new Error(
      `applyOutliers: dequantized has ${dequantized.length} elements; the table belongs to a ` +
        `${table.rows} × ${table.cols} tensor (${n} elements)`,
    );
  }
  for (let j = 0; j < table.indices.length; j++) {
    dequantized[table.indices[j]] = fp16ToFp32(table.valuesFp16[j]);
  }
  return dequantized;
}

/**
 * The table's entries as (row, col, value) for display, in ascending flat-index order.
 * @example outlierEntries(table)[0] // { row: 2, col: 5, value: 41.5 }
 */
export function outlierEntries(table: OutlierTable): { row: number; col: number; value: number }[] {
  const out: { row: number; col: number; value: number }[] = [];
  for (let j = 0; j < table.indices.length; j++) {
    const i = table.indices[j];
    out.push({
      row: Math.floor(i / table.cols),
      col: i % table.cols,
      value: fp16ToFp32(table.valuesFp16[j]),
    });
  }
  return out;
}

/**
 * Serialized size of the table in bytes: a u32 count plus 6 bytes (u32 index + u16 fp16) per
 * entry.
 * @example outlierTableBytes(table) // 4 + 6 * table.indices.length
 */
export function outlierTableBytes(table: OutlierTable): number {
  return 4 + 6 * table.indices.length;
}

/**
 * Encodes the table little-endian: u32 count, count × u32 flat index, count × u16 fp16 bits (the
 * shape is not stored; it travels with the tensor).
 * @example serializeOutliers(table).length // outlierTableBytes(table)
 */
export function serializeOutliers(table: OutlierTable): Uint8Array {
  const count = table.indices.length;
  const bytes = new Uint8Array(outlierTableBytes(table));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, count, true);
  for (let j = 0; j < count; j++) {
    view.setUint32(4 + 4 * j, table.indices[j], true);
    view.setUint16(4 + 4 * count + 2 * j, table.valuesFp16[j], true);
  }
  return bytes;
}

/**
 * Decodes bytes written by serializeOutliers for a rows × cols tensor, checking the length, that
 * indices ascend strictly and lie inside the tensor, and that values are finite; errors name the
 * byte offset.
 * @example deserializeOutliers(serializeOutliers(table), table.rows, table.cols)
 */
export function deserializeOutliers(bytes: Uint8Array, rows: number, cols: number): OutlierTable {
  checkShape('deserializeOutliers', rows * cols, rows, cols);
  if (bytes.length < 4) {
    throw new Error(
      `deserializeOutliers: input ends at offset ${bytes.length}, inside the 4-byte count header ` +
        'at offset 0',
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const expected = 4 + 6 * count;
  if (bytes.length < expected) {
    throw new Error(
      `deserializeOutliers: the header at offset 0 announces ${count} entries ` +
        `(${expected} bytes) but the input ends at offset ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `deserializeOutliers: ${bytes.length - expected} unexpected trailing bytes at offset ` +
        `${expected} after ${count} entries`,
    );
  }
  const n = rows * cols;
  const indices = new Uint32Array(count);
  const valuesFp16 = new Uint16Array(count);
  for (let j = 0; j < count; j++) {
    const offset = 4 + 4 * j;
    const i = view.getUint32(offset, true);
    if (i >= n) {
      throw new Error(
        `deserializeOutliers: index ${i} at offset ${offset} is outside the ${rows} × ${cols} ` +
          `tensor (expected < ${n})`,
      );
    }
    if (j > 0 && i <= indices[j - 1]) {
      throw new Error(
        `deserializeOutliers: index ${i} at offset ${offset} does not exceed the previous ` +
          `index ${indices[j - 1]}; expected strictly ascending indices`,
      );
    }
    indices[j] = i;
    const valueOffset = 4 + 4 * count + 2 * j;
    const h = view.getUint16(valueOffset, true);
    if ((h & 0x7c00) === 0x7c00) {
      throw new Error(
        `deserializeOutliers: value 0x${h.toString(16).padStart(4, '0')} at offset ` +
          `${valueOffset} is an fp16 infinity or NaN; expected a finite value`,
      );
    }
    valuesFp16[j] = h;
  }
  return { rows, cols, indices, valuesFp16 };
}

/** Block quantization of one tensor with and without an outlier side table. */
export interface OutlierQuantization {
  /** The residual (outliers set to 0) quantized row by row with the ggml type. */
  readonly bytes: Uint8Array;
  /** The side table. */
  readonly table: OutlierTable;
  /** Dequantized residual with the outliers written back. */
  readonly dequantized: Float32Array;
  /** The original tensor quantized without a side table. */
  readonly bytesWithout: Uint8Array;
  /** Its dequantization. */
  readonly dequantizedWithout: Float32Array;
  /** errorMetrics(x, dequantized). */
  readonly metricsWith: ErrorMetrics;
  /** errorMetrics(x, dequantizedWithout). */
  readonly metricsWithout: ErrorMetrics;
  /** Serialized side table size in bytes (outlierTableBytes). */
  readonly tableBytes: number;
  /** Quantized tensor size in bytes (the same with or without the table). */
  readonly quantBytes: number;
  /** (quantBytes + tableBytes) · 8 / elements. */
  readonly bitsPerWeightWith: number;
  /** quantBytes · 8 / elements. */
  readonly bitsPerWeightWithout: number;
}

/**
 * Quantizes the rows × cols tensor `x` with a ggml type twice: plainly, and with the selected
 * outliers held out in an fp16 side table (set to 0 before quantization, written back after), and
 * measures both; cols must be a multiple of the type's block size.
 * @example quantizeWithOutliers(w, 64, 256, ggmlType('q4_0'), { fraction: 0.001 }).metricsWith.rmse
 */
export function quantizeWithOutliers(
  x: Float32Array,
  rows: number,
  cols: number,
  type: GgmlType,
  select: OutlierSelection,
  imatrix?: Float32Array,
): OutlierQuantization {
  checkShape('quantizeWithOutliers', x.length, rows, cols);
  if (cols % type.blockSize !== 0) {
    throw new Error(
      `quantizeWithOutliers: cols ${cols} is not a multiple of ${type.name}'s block size ` +
        `${type.blockSize}`,
    );
  }
  if (imatrix !== undefined && imatrix.length !== cols) {
    throw new Error(
      `quantizeWithOutliers: imatrix has ${imatrix.length} weights; ` +
        `expected one per column (${cols})`,
    );
  }
  const { table, residual } = extractOutliers(x, rows, cols, select);
  const rowBytes = (cols / type.blockSize) * type.typeSizeBytes;
  const quantBytes = rows * rowBytes;
  const bytesWithout = new Uint8Array(quantBytes);
  const dequantizedWithout = new Float32Array(x.length);
  roundTrip(type, x, rows, cols, rowBytes, bytesWithout, dequantizedWithout, imatrix);
  const bytes = new Uint8Array(quantBytes);
  const dequantized = new Float32Array(x.length);
  roundTrip(type, residual, rows, cols, rowBytes, bytes, dequantized, imatrix);
  applyOutliers(dequantized, table);
  const tableBytes = outlierTableBytes(table);
  const n = x.length;
  return {
    bytes,
    table,
    dequantized,
    bytesWithout,
    dequantizedWithout,
    metricsWith: errorMetrics(x, dequantized),
    metricsWithout: errorMetrics(x, dequantizedWithout),
    tableBytes,
    quantBytes,
    bitsPerWeightWith: n > 0 ? ((quantBytes + tableBytes) * 8) / n : 0,
    bitsPerWeightWithout: n > 0 ? (quantBytes * 8) / n : 0,
  };
}

function roundTrip(
  type: GgmlType,
  src: Float32Array,
  rows: number,
  cols: number,
  rowBytes: number,
  bytes: Uint8Array,
  out: Float32Array,
  imatrix: Float32Array | undefined,
): void {
  for (let r = 0; r < rows; r++) {
    const row = src.subarray(r * cols, (r + 1) * cols);
    const dst = bytes.subarray(r * rowBytes, (r + 1) * rowBytes);
    type.quantizeRow(row, dst, imatrix);
    type.dequantizeRow(dst, out.subarray(r * cols, (r + 1) * cols));
  }
}

function selectIndices(
  x: Float32Array,
  rows: number,
  cols: number,
  select: OutlierSelection,
): Uint32Array {
  const n = x.length;
  if ('threshold' in select) {
    const t = select.threshold;
    if (!(t >= 0)) {
      throw new Error(`extractOutliers: threshold is ${t}; expected a number >= 0`);
    }
    let k = 0;
    for (let i = 0; i < n; i++) if (Math.abs(x[i]) > t) k++;
    const out = new Uint32Array(k);
    let j = 0;
    for (let i = 0; i < n; i++) if (Math.abs(x[i]) > t) out[j++] = i;
    return out;
  }
  if ('fraction' in select || 'count' in select) {
    let k: number;
    if ('fraction' in select) {
      const fr = select.fraction;
      if (!(fr >= 0 && fr <= 1)) {
        throw new Error(`extractOutliers: fraction is ${fr}; expected a number in [0, 1]`);
      }
      k = Math.round(fr * n);
    } else {
      k = select.count;
      if (!Number.isInteger(k) || k < 0 || k > n) {
        throw new Error(`extractOutliers: count is ${k}; expected an integer in [0, ${n}]`);
      }
    }
    return topK(x, k);
  }
  if ('coordinates' in select) {
    const list = select.coordinates;
    const flat: number[] = [];
    for (let j = 0; j < list.length; j++) {
      const { row, col } = list[j];
      if (
        !Number.isInteger(row) ||
        !Number.isInteger(col) ||
        row < 0 ||
        row >= rows ||
        col < 0 ||
        col >= cols
      ) {
        throw new Error(
          `extractOutliers: coordinates[${j}] = {row: ${row}, col: ${col}} is outside the ` +
            `${rows} × ${cols} tensor (rows 0…${rows - 1}, cols 0…${cols - 1})`,
        );
      }
      flat.push(row * cols + col);
    }
    const sorted = Uint32Array.from(new Set(flat)).sort();
    return sorted;
  }
  throw new Error(
    'extractOutliers: select must be {threshold}, {fraction}, {count} or {coordinates}',
  );
}

/** The flat indices of the k largest |x| (ties to the lower index), ascending. O(n log k). */
function topK(x: Float32Array, k: number): Uint32Array {
  const heap = new Uint32Array(k);
  if (k === 0) return heap;
  // A min-heap on "worse": the root is the weakest kept element (smallest |x|, then largest index).
  const worse = (a: number, b: number): boolean => {
    const ma = Math.abs(x[a]);
    const mb = Math.abs(x[b]);
    return ma < mb || (ma === mb && a > b);
  };
  const siftDown = (start: number, size: number): void => {
    let p = start;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= size) return;
      let c = l;
      if (l + 1 < size && worse(heap[l + 1], heap[l])) c = l + 1;
      if (!worse(heap[c], heap[p])) return;
      const t = heap[c];
      heap[c] = heap[p];
      heap[p] = t;
      p = c;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let p = (k >> 1) - 1; p >= 0; p--) siftDown(p, k);
  for (let i = k; i < x.length; i++) {
    // Later indices lose ties, so only a strictly larger |x| displaces the root.
    if (Math.abs(x[i]) > Math.abs(x[heap[0]])) {
      heap[0] = i;
      siftDown(0, k);
    }
  }
  return heap.sort();
}

function checkShape(fn: string, n: number, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`${fn}: shape ${rows} × ${cols} is invalid; expected integers >= 0`);
  }
  if (rows * cols !== n) {
    throw new Error(
      `${fn}: x has ${n} elements but rows × cols = ${rows} × ${cols} = ${rows * cols}`,
    );
  }
  if (n > 0xffffffff) {
    throw new Error(`${fn}: ${n} elements do not fit the table's u32 flat indices`);
  }
}
