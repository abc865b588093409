import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fp16ToFp32, fp32ToFp16 } from '../half.ts';
import type { GgmlType } from '../types.ts';
import {
  applyOutliers,
  deserializeOutliers,
  extractOutliers,
  type OutlierTable,
  outlierEntries,
  outlierTableBytes,
  quantizeWithOutliers,
  serializeOutliers,
} from './outliers.ts';

const roundFp16 = (v: number): number => fp16ToFp32(fp32ToFp16(v));

function normalTensor(seed: number, n: number, sd: number): Float32Array {
  const rng = createRng(seed);
  return new Float32Array(n).map(() => rng.normal(0, sd));
}

/**
 * A test-only block type: 32 values, a little-endian float32 scale absmax / 127, then 32 int8
 * codes round(x / scale). Not a ggml type; it stands in for them in these tests.
 */
const TEST_I8_32: GgmlType = {
  name: 'test_i8_32',
  id: -1,
  blockSize: 32,
  typeSizeBytes: 36,
  usesImatrix: false,
  quantizeRow(src, dst) {
    const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
    for (let b = 0; b < src.length / 32; b++) {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(src[b * 32 + j]));
      const d = Math.fround(amax / 127);
      view.setFloat32(b * 36, d, true);
      for (let j = 0; j < 32; j++) {
        const q = d === 0 ? 0 : Math.round(src[b * 32 + j] / d);
        view.setInt8(b * 36 + 4 + j, Math.max(-127, Math.min(127, q)));
      }
    }
  },
  dequantizeRow(src, dst) {
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    for (let b = 0; b < dst.length / 32; b++) {
      const d = view.getFloat32(b * 36, true);
      for (let j = 0; j < 32; j++) dst[b * 32 + j] = view.getInt8(b * 36 + 4 + j) * d;
    }
  },
};

/** Reference top-k: sort all indices by |x| descending, then index ascending. */
function topKBySort(x: Float32Array, k: number): number[] {
  const idx = Array.from(x, (_, i) => i);
  idx.sort((a, b) => Math.abs(x[b]) - Math.abs(x[a]) || a - b);
  return idx.slice(0, k).sort((a, b) => a - b);
}

describe('extractOutliers and applyOutliers', () => {
  it('extractOutliers then applyOutliers, with no quantization, restores x up to fp16', () => {
    const rows = 8;
    const cols = 64;
    const x = normalTensor(1, rows * cols, 1);
    const { table, residual } = extractOutliers(x, rows, cols, { threshold: 2 });
    expect(table.indices.length).toBeGreaterThan(5);
    const restored = applyOutliers(residual.slice(), table);
    const held = new Set(table.indices);
    for (let i = 0; i < x.length; i++) {
      if (held.has(i)) {
        expect(residual[i]).toBe(0);
        expect(restored[i]).toBe(roundFp16(x[i]));
        expect(Math.abs(restored[i] - x[i])).toBeLessThanOrEqual(Math.abs(x[i]) * 2 ** -11);
      } else {
        expect(residual[i]).toBe(x[i]);
        expect(restored[i]).toBe(x[i]);
      }
    }
  });

  it('extractOutliers(x, {threshold}) takes |x| > t strictly, in ascending index order', () => {
    const x = new Float32Array([0.5, -3, 2, 3, -1, 2.0001]);
    const { table } = extractOutliers(x, 2, 3, { threshold: 2 });
    expect(Array.from(table.indices)).toEqual([1, 3, 5]);
    expect(outlierEntries(table)).toEqual([
      { row: 0, col: 1, value: -3 },
      { row: 1, col: 0, value: 3 },
      { row: 1, col: 2, value: roundFp16(2.0001) },
    ]);
  });

  it('extractOutliers(x, {fraction: 0.0001}) picks exactly round(n / 1e4) largest |x|', () => {
    const rows = 100;
    const cols = 512;
    const x = normalTensor(2, rows * cols, 1);
    const { table } = extractOutliers(x, rows, cols, { fraction: 0.0001 });
    const k = Math.round(0.0001 * rows * cols);
    expect(k).toBe(5);
    expect(table.indices.length).toBe(k);
    expect(Array.from(table.indices)).toEqual(topKBySort(x, k));
  });

  it('extractOutliers(x, {count}) breaks ties in |x| by the lower flat index', () => {
    const x = new Float32Array([1, -5, 5, 0, 5, -5, 2, 5]);
    expect(Array.from(extractOutliers(x, 2, 4, { count: 3 }).table.indices)).toEqual([1, 2, 4]);
    expect(Array.from(extractOutliers(x, 2, 4, { count: 0 }).table.indices)).toEqual([]);
    expect(extractOutliers(x, 2, 4, { count: 8 }).table.indices.length).toBe(8);
    expect(extractOutliers(x, 2, 4, { fraction: 0 }).table.indices.length).toBe(0);
    expect(extractOutliers(x, 2, 4, { fraction: 1 }).table.indices.length).toBe(8);
  });

  it('extractOutliers(x, {count: k}) equals a sort by (|x| desc, index asc) (property)', () => {
    const small = fc.integer({ min: -4, max: 4 }).map((v) => v / 2);
    fc.assert(
      fc.property(
        fc
          .array(small, { minLength: 1, maxLength: 60 })
          .chain((a) =>
            fc.tuple(fc.constant(Float32Array.from(a)), fc.integer({ min: 0, max: a.length })),
          ),
        ([x, k]) => {
          const { table } = extractOutliers(x, 1, x.length, { count: k });
          expect(Array.from(table.indices)).toEqual(topKBySort(x, k));
        },
      ),
      { seed: 51 },
    );
  });

  it('extractOutliers(x, {coordinates}) takes super weights, keeping duplicates once', () => {
    const x = new Float32Array(32).map((_, i) => i / 10);
    const { table, residual } = extractOutliers(x, 4, 8, {
      coordinates: [
        { row: 2, col: 5 },
        { row: 0, col: 1 },
        { row: 2, col: 5 },
      ],
    });
    expect(Array.from(table.indices)).toEqual([1, 21]);
    expect(residual[21]).toBe(0);
    expect(fp16ToFp32(table.valuesFp16[1])).toBe(roundFp16(2.1));
  });

  it('extractOutliers(x, {coordinates}) out of range throws naming row, col and shape', () => {
    const x = new Float32Array(32);
    expect(() =>
      extractOutliers(x, 4, 8, {
        coordinates: [
          { row: 0, col: 0 },
          { row: 4, col: 0 },
        ],
      }),
    ).toThrow('coordinates[1] = {row: 4, col: 0} is outside the 4 × 8 tensor (rows 0…3, cols 0…7)');
    expect(() => extractOutliers(x, 4, 8, { coordinates: [{ row: 1, col: 8 }] })).toThrow(
      /\{row: 1, col: 8\} is outside the 4 × 8 tensor/,
    );
    expect(() => extractOutliers(x, 4, 8, { coordinates: [{ row: -1, col: 2 }] })).toThrow(
      /\{row: -1, col: 2\}/,
    );
    expect(() => extractOutliers(x, 4, 8, { coordinates: [{ row: 1.5, col: 2 }] })).toThrow(
      /\{row: 1.5, col: 2\}/,
    );
  });

  it('extractOutliers(x) rejects bad shapes, selections, non-finite and beyond-fp16 values', () => {
    const x = new Float32Array(8);
    expect(() => extractOutliers(x, 3, 3, { threshold: 1 })).toThrow(
      /x has 8 elements but rows × cols = 3 × 3 = 9/,
    );
    expect(() => extractOutliers(x, 2, 4, { threshold: -1 })).toThrow(/threshold is -1/);
    expect(() => extractOutliers(x, 2, 4, { fraction: 1.5 })).toThrow(/fraction is 1.5/);
    expect(() => extractOutliers(x, 2, 4, { count: 9 })).toThrow(
      /count is 9; expected an integer in \[0, 8\]/,
    );
    const bad = new Float32Array(8);
    bad[6] = Number.NaN;
    expect(() => extractOutliers(bad, 2, 4, { threshold: 1 })).toThrow(
      /x\[6\] \(row 1, col 2\) is NaN/,
    );
    const big = new Float32Array(8);
    big[3] = 70000;
    expect(() => extractOutliers(big, 2, 4, { threshold: 1 })).toThrow(
      /x\[3\] \(row 0, col 3\) = 70000 does not fit fp16/,
    );
  });

  it('applyOutliers(dequantized, table) rejects an array of the wrong length', () => {
    const { table } = extractOutliers(new Float32Array([1, 9]), 1, 2, { threshold: 5 });
    expect(() => applyOutliers(new Float32Array(3), table)).toThrow(
      /dequantized has 3 elements; the table belongs to a 1 × 2 tensor/,
    );
  });
});

describe('serializeOutliers and deserializeOutliers', () => {
  const table: OutlierTable = {
    rows: 2,
    cols: 300,
    indices: Uint32Array.of(7, 299, 0x1ff),
    valuesFp16: Uint16Array.of(0x3c00, 0xc500, 0x0001),
  };

  it('serializeOutliers(table) writes u32 count, u32 indices, u16 fp16 values, LE', () => {
    const bytes = serializeOutliers(table);
    expect(bytes.length).toBe(outlierTableBytes(table));
    expect(outlierTableBytes(table)).toBe(4 + 6 * 3);
    expect(Array.from(bytes)).toEqual([
      3, 0, 0, 0, 7, 0, 0, 0, 0x2b, 1, 0, 0, 0xff, 1, 0, 0, 0x00, 0x3c, 0x00, 0xc5, 0x01, 0x00,
    ]);
  });

  it('deserializeOutliers(serializeOutliers(t)) returns t (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { maxLength: 40 }),
        fc.array(fc.float({ noNaN: true, min: -60000, max: 60000 }), {
          minLength: 40,
          maxLength: 40,
        }),
        (idx, vals) => {
          const indices = Uint32Array.from(idx).sort();
          const t: OutlierTable = {
            rows: 10,
            cols: 100,
            indices,
            valuesFp16: Uint16Array.from(indices, (_, j) => fp32ToFp16(vals[j])),
          };
          const back = deserializeOutliers(serializeOutliers(t), 10, 100);
          expect(back).toEqual(t);
        },
      ),
      { seed: 52 },
    );
  });

  it('deserializeOutliers(bytes) of an empty table is 4 zero bytes and back', () => {
    const empty: OutlierTable = {
      rows: 3,
      cols: 3,
      indices: new Uint32Array(0),
      valuesFp16: new Uint16Array(0),
    };
    expect(Array.from(serializeOutliers(empty))).toEqual([0, 0, 0, 0]);
    expect(deserializeOutliers(new Uint8Array(4), 3, 3)).toEqual(empty);
  });

  it('deserializeOutliers(bytes) reads from a subarray view at a nonzero byte offset', () => {
    const bytes = serializeOutliers(table);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(deserializeOutliers(padded.subarray(3), 2, 300)).toEqual(table);
  });

  it('deserializeOutliers(truncated bytes) throws naming where the input ends', () => {
    const bytes = serializeOutliers(table);
    expect(() => deserializeOutliers(bytes.subarray(0, 2), 2, 300)).toThrow(
      'input ends at offset 2, inside the 4-byte count header at offset 0',
    );
    expect(() => deserializeOutliers(bytes.subarray(0, 21), 2, 300)).toThrow(
      'the header at offset 0 announces 3 entries (22 bytes) but the input ends at offset 21',
    );
    const longer = new Uint8Array(24);
    longer.set(bytes);
    expect(() => deserializeOutliers(longer, 2, 300)).toThrow(
      /2 unexpected trailing bytes at offset 22/,
    );
  });

  it('deserializeOutliers(bad bytes) throws naming the offset of a bad index or value', () => {
    const bytes = serializeOutliers(table);
    expect(() => deserializeOutliers(bytes, 1, 300)).toThrow(
      'index 511 at offset 12 is outside the 1 × 300 tensor (expected < 300)',
    );
    const unsorted = bytes.slice();
    // The second index (bytes 8–11, 299 = 0x012b) becomes 5, below the first index 7.
    unsorted[8] = 5;
    unsorted[9] = 0;
    expect(() => deserializeOutliers(unsorted, 2, 300)).toThrow(
      /index 5 at offset 8 does not exceed the previous index 7/,
    );
    const inf = bytes.slice();
    inf[20] = 0x00;
    inf[21] = 0x7c;
    expect(() => deserializeOutliers(inf, 2, 300)).toThrow(
      /value 0x7c00 at offset 20 is an fp16 infinity or NaN/,
    );
  });
});

describe('quantizeWithOutliers', () => {
  it('quantizeWithOutliers(x with a super weight) has lower RMSE with the side table', () => {
    const rows = 16;
    const cols = 128;
    const x = normalTensor(3, rows * cols, 0.02);
    x[7 * cols + 40] = 3; // a "super weight": 150 standard deviations
    const r = quantizeWithOutliers(x, rows, cols, TEST_I8_32, {
      coordinates: [{ row: 7, col: 40 }],
    });
    expect(r.metricsWith.rmse).toBeLessThan(r.metricsWithout.rmse);
    // Without the table the super weight's block has step 3/127 ≈ 0.024, about one sd, so its
    // other 31 values lose most of their precision; with it, the worst error is far smaller.
    expect(r.metricsWith.maxAbsError).toBeLessThan(r.metricsWithout.maxAbsError / 5);
    expect(r.dequantized[7 * cols + 40]).toBe(3);
    expect(r.tableBytes).toBe(10);
    expect(r.quantBytes).toBe(rows * (cols / 32) * 36);
    expect(r.bytes.length).toBe(r.quantBytes);
    expect(r.bitsPerWeightWithout).toBe(9);
    expect(r.bitsPerWeightWith).toBeCloseTo(9 + 80 / (rows * cols), 12);
  });

  it('quantizeWithOutliers(x, {count: 0}) gives the same bytes and metrics both ways', () => {
    const x = normalTensor(4, 2 * 64, 1);
    const r = quantizeWithOutliers(x, 2, 64, TEST_I8_32, { count: 0 });
    expect(r.bytes).toEqual(r.bytesWithout);
    expect(r.metricsWith).toEqual(r.metricsWithout);
    expect(r.tableBytes).toBe(4);
  });

  it('quantizeWithOutliers(x) rejects cols that are not a multiple of the block size', () => {
    expect(() =>
      quantizeWithOutliers(new Float32Array(40), 1, 40, TEST_I8_32, { threshold: 1 }),
    ).toThrow("cols 40 is not a multiple of test_i8_32's block size 32");
    expect(() =>
      quantizeWithOutliers(
        new Float32Array(64),
        1,
        64,
        TEST_I8_32,
        { threshold: 1 },
        new Float32Array(3),
      ),
    ).toThrow(/imatrix has 3 weights; expected one per column \(64\)/);
  });

  it("quantizeWithOutliers(x, r, c, ggmlType('q4_0'), {fraction}) lowers RMSE", async () => {
    const { ggmlType } = await import('../registry.ts');
    const rows = 32;
    const cols = 256;
    const rng = createRng(6);
    const x = normalTensor(5, rows * cols, 0.02);
    for (let j = 0; j < 8; j++) x[rng.int(0, rows * cols - 1)] = rng.bernoulli(0.5) ? 1 : -1;
    const r = quantizeWithOutliers(x, rows, cols, ggmlType('q4_0'), { fraction: 0.001 });
    expect(r.table.indices.length).toBe(8);
    expect(r.quantBytes).toBe(rows * (cols / 32) * 18);
    expect(r.metricsWith.rmse).toBeLessThan(r.metricsWithout.rmse);
  });
});
