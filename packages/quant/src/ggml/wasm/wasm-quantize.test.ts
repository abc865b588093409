import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Q4_0, quantizeQ4_0Scalar } from '../q4.ts';
import { Q8_0, quantizeQ8_0Scalar } from '../q8.ts';
import type { WasmQuantType } from './quantize-module.ts';
import { createWasmQuantizer } from './wasm-quantize.ts';

const quantizer = createWasmQuantizer();
if (quantizer === undefined) throw new Error('these tests need WebAssembly SIMD (Node 20 has it)');
const wasm = quantizer;

const SCALAR: Record<WasmQuantType, (src: Float32Array, dst: Uint8Array) => void> = {
  q8_0: quantizeQ8_0Scalar,
  q4_0: quantizeQ4_0Scalar,
};
const SIZE: Record<WasmQuantType, number> = { q8_0: 34, q4_0: 18 };
const TYPES: WasmQuantType[] = ['q8_0', 'q4_0'];

/** Both paths on one row: the wasm bytes (undefined when it declined) and the scalar bytes. */
function both(type: WasmQuantType, src: Float32Array) {
  const bytes = (src.length / 32) * SIZE[type];
  const got = new Uint8Array(bytes);
  const want = new Uint8Array(bytes);
  const ran = wasm(type, src, got);
  SCALAR[type](src, want);
  return { ran, got, want };
}

/** A seeded xorshift32 row of normal-ish weights with a few outliers. */
function weights(seed: number, n: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = next() + next() + next() + next() - 2;
    out[i] = next() < 1 / 500 ? g * 0.3 : g * 0.02;
  }
  return out;
}

describe('createWasmQuantizer', () => {
  for (const type of TYPES) {
    it(`${type}: a 4096-wide row of weights gives the scalar port's bytes`, () => {
      const { ran, got, want } = both(type, weights(7, 4096));
      expect(ran).toBe(true);
      expect(got).toEqual(want);
    });

    it(`${type}: rows longer than one kernel call (3000 blocks) give the scalar port's bytes`, () => {
      const { ran, got, want } = both(type, weights(11, 3000 * 32));
      expect(ran).toBe(true);
      expect(got).toEqual(want);
    });

    it(`${type}: exact ties, zeros, signed zeros, infinities and subnormals match the scalar port`, () => {
      const blocks: number[][] = [];
      // amax 127 (q8_0: d = 1) and max −8 (q4_0: d = 1): x·id lands exactly on halves.
      blocks.push(
        Array.from({ length: 32 }, (_, j) => (j === 0 ? 127 : j % 2 ? -j - 0.5 : j + 0.5)),
      );
      blocks.push(Array.from({ length: 32 }, (_, j) => (j === 5 ? -8 : (j % 16) * 0.5 - 4)));
      blocks.push(new Array(32).fill(0));
      blocks.push(new Array(32).fill(-0));
      blocks.push(Array.from({ length: 32 }, (_, j) => (j % 3 ? -0 : 0)));
      blocks.push(Array.from({ length: 32 }, (_, j) => (j === 9 ? 3 : j === 20 ? -3 : 1)));
      // A subnormal scale whose inverse is still finite.
      const small = type === 'q8_0' ? 5e-37 : 5e-38;
      blocks.push(
        Array.from({ length: 32 }, (_, j) => (j === 3 ? small : j === 7 ? -small / 3 : 0)),
      );
      blocks.push(Array.from({ length: 32 }, (_, j) => 3e38 * (j % 2 ? 1 : -1))); // near FLT_MAX
      const row = new Float32Array(blocks.flat());
      const { ran, got, want } = both(type, row);
      expect(ran).toBe(true);
      expect(got).toEqual(want);
      // Infinities: d = inf, id = 0, the other codes are x·0.
      const inf = both(
        type,
        new Float32Array(32).map((_, j) => (j === 4 ? -Infinity : j)),
      );
      expect(inf.ran).toBe(true);
      expect(inf.got).toEqual(inf.want);
    });

    it(`${type}: declines a row with a NaN or an infinite inverse scale, and the type then falls back`, () => {
      const nan = weights(3, 256);
      nan[77] = Number.NaN;
      expect(both(type, nan).ran).toBe(false);
      // amax of a few smallest subnormals: d underflows to the last subnormal, 1/d overflows.
      const tiny = new Float32Array(256);
      tiny[40] = (type === 'q8_0' ? 100 : 6) * 2 ** -149;
      expect(both(type, tiny).ran).toBe(false);
      const ggml = type === 'q8_0' ? Q8_0 : Q4_0;
      for (const row of [nan, tiny]) {
        const viaType = new Uint8Array(8 * SIZE[type]);
        ggml.quantizeRow(row, viaType);
        expect(viaType).toEqual(both(type, row).want);
      }
    });

    it(`${type}: any row of float32 values gives the scalar port's bytes, or declines it`, () => {
      const value = fc.oneof(
        fc.float({ noNaN: true }),
        fc.float({ noNaN: true, min: -1, max: 1 }),
        fc.integer({ min: -300, max: 300 }).map((k) => k / 2),
        fc.constantFrom(0, -0, 2 ** -149, -(2 ** -126), 65504, 1e-8),
      );
      let ran = 0;
      let runs = 0;
      fc.assert(
        fc.property(
          fc
            .integer({ min: 1, max: 12 })
            .chain((blocks) => fc.array(value, { minLength: blocks * 32, maxLength: blocks * 32 })),
          (values) => {
            const r = both(type, new Float32Array(values));
            runs++;
            if (r.ran) {
              ran++;
              expect(r.got).toEqual(r.want);
            }
          },
        ),
        { seed: 20261204, numRuns: 400 },
      );
      // Most rows must have exercised the kernel, not the fallback.
      expect(ran / runs).toBeGreaterThan(0.5);
    });
  }

  it('createWasmQuantizer(null) is undefined, so callers keep the scalar port', () => {
    expect(createWasmQuantizer(null)).toBeUndefined();
  });

  it('rejects a row that is not whole blocks, or a destination of the wrong size', () => {
    expect(() => wasm('q8_0', new Float32Array(40), new Uint8Array(34))).toThrow(/whole blocks/);
    expect(() => wasm('q4_0', new Float32Array(64), new Uint8Array(35))).toThrow(/18 bytes each/);
  });
});
