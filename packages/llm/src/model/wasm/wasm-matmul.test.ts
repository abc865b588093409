import { defaultWebAssembly, type WasmApi } from '@explorables/wasm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulJs } from '../kernels.ts';
import { buildMatmulModule, type MatmulBlocking } from './matmul-module.ts';
import { createMatmulDispatch, createWasmMatmul, type MatmulFn } from './wasm-matmul.ts';

/** A seeded xorshift generator of float32 values in [-scale, scale). */
function filler(seed: number, scale = 1): (n: number) => Float32Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
    }
    return a;
  };
}

/** Both kernels on the same operands; returns the two outputs (sentinel-filled first). */
function both(
  mm: MatmulFn,
  x: Float32Array,
  w: Float32Array,
  positions: number,
  n: number,
  d: number,
): [Uint32Array, Uint32Array] {
  const a = new Float32Array(positions * d + 3).fill(7);
  const b = new Float32Array(positions * d + 3).fill(7);
  matmulJs(a, x, w, positions, n, d);
  mm(b, x, w, positions, n, d);
  return [new Uint32Array(a.buffer), new Uint32Array(b.buffer)];
}

function wasmOrThrow(blocking?: MatmulBlocking) {
  const mm = createWasmMatmul({ blocking });
  if (mm === undefined) throw new Error('this test needs WebAssembly SIMD (Node 20 has it)');
  return mm;
}

describe('buildMatmulModule', () => {
  it('buildMatmulModule(blocking) validates for every blocking the wrapper accepts', () => {
    const wa = defaultWebAssembly();
    expect(wa).toBeDefined();
    for (const rows of [1, 2, 3, 4, 6, 8]) {
      for (const pairs of [1, 2, 3]) {
        expect(wa?.validate(buildMatmulModule({ rows, pairs }))).toBe(true);
      }
    }
  });

  it('buildMatmulModule(blocking) rejects blockings outside 1..8 × 1..4', () => {
    expect(() => buildMatmulModule({ rows: 0, pairs: 1 })).toThrow(/blocking 0×1/);
    expect(() => buildMatmulModule({ rows: 4, pairs: 5 })).toThrow(/blocking/);
    expect(() => buildMatmulModule({ rows: 2.5, pairs: 1 })).toThrow(/blocking/);
  });
});

describe('createWasmMatmul', () => {
  const mm = wasmOrThrow();
  const fill = filler(12345);

  it('matmul(...) equals the JS kernel bit for bit on odd and edge shapes', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 64, 64],
      [2, 64, 172],
      [3, 7, 5],
      [5, 13, 9],
      [7, 172, 64],
      [9, 33, 6],
      [4, 3, 2],
      [6, 200, 170], // n = 200: tiles of 80 rows, so 3 tiles
      [11, 288, 37],
      [256, 64, 64],
    ];
    for (const [positions, n, d] of shapes) {
      const x = fill(positions * n);
      const w = fill(d * n);
      const [a, b] = both(mm.matmul, x, w, positions, n, d);
      expect(b, `${positions}×${n}→${d}`).toEqual(a);
    }
  });

  it('matmul(...) equals the JS kernel bit for bit for random shapes and values', () => {
    const value = fc.float({ min: Math.fround(-1e30), max: Math.fround(1e30), noNaN: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 41 }),
        fc.integer({ min: 1, max: 23 }),
        fc.infiniteStream(value),
        (positions, n, d, values) => {
          const it = values[Symbol.iterator]();
          const next = () => Math.fround(it.next().value as number);
          const x = Float32Array.from({ length: positions * n }, next);
          const w = Float32Array.from({ length: d * n }, next);
          const [a, b] = both(mm.matmul, x, w, positions, n, d);
          expect(b).toEqual(a);
        },
      ),
      { seed: 20240611, numRuns: 200 },
    );
  });

  it('matmul(...) keeps -0, subnormals and float32 overflow exactly as the JS kernel', () => {
    const x = Float32Array.from([-0, 1e-45, 3e38, -3e38, 1.5, -0, 2e-40, 7]);
    const w = Float32Array.from([-0, 1e-45, 3e38, 3e38, 0, 0, -1e-39, 1e-38, 1, 1, 1, 1]);
    const [a, b] = both(mm.matmul, x, w, 2, 4, 3);
    expect(b).toEqual(a);
    expect(Object.is(new Float32Array(b.buffer)[0], 0)).toBe(true); // +0 like the JS sum
  });

  it('matmul(...) with n = 0 writes +0 and with positions = 0 writes nothing', () => {
    const out = new Float32Array(6).fill(7);
    mm.matmul(out, new Float32Array(0), new Float32Array(0), 2, 0, 3);
    expect(Array.from(new Uint32Array(out.buffer))).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float32Array(4).fill(7);
    mm.matmul(untouched, new Float32Array(8), new Float32Array(8), 0, 4, 2);
    expect(Array.from(untouched)).toEqual([7, 7, 7, 7]);
  });

  it('matmul(...) stays exact after its memory grows between calls', () => {
    const small = wasmOrThrow();
    const before = small.memoryBytes();
    for (const [positions, n, d] of [
      [2, 8, 8],
      [64, 288, 768],
      [3, 5, 5],
    ] as const) {
      const x = fill(positions * n);
      const w = fill(d * n);
      const [a, b] = both(small.matmul, x, w, positions, n, d);
      expect(b).toEqual(a);
    }
    expect(small.memoryBytes()).toBeGreaterThan(before);
  });

  it('matmul(...) reads only the leading positions·n inputs of a longer x', () => {
    const x = fill(5 * 10);
    const w = fill(4 * 10);
    const [a, b] = both(mm.matmul, x, w, 3, 10, 4);
    expect(b).toEqual(a);
  });

  it('matmul(...) throws on short operands and non-integer sizes', () => {
    const f = new Float32Array(4);
    expect(() => mm.matmul(f, f, new Float32Array(3), 1, 2, 2)).toThrow(/lengths w 3/);
    expect(() => mm.matmul(new Float32Array(1), f, f, 1, 2, 2)).toThrow(/expected at least/);
    expect(() => mm.matmul(f, f, f, -1, 2, 2)).toThrow(/positions = -1/);
    expect(() => mm.matmul(f, f, f, 1, Number.NaN, 2)).toThrow(/n = NaN/);
  });

  it('other blockings (2×2, 4×1, 3×2) equal the JS kernel bit for bit too', () => {
    for (const blocking of [
      { rows: 2, pairs: 2 },
      { rows: 4, pairs: 1 },
      { rows: 3, pairs: 2 },
    ]) {
      const other = wasmOrThrow(blocking);
      for (const [positions, n, d] of [
        [7, 19, 11],
        [8, 64, 64],
        [1, 5, 3],
      ] as const) {
        const [a, b] = both(other.matmul, fill(positions * n), fill(d * n), positions, n, d);
        expect(b).toEqual(a);
      }
    }
  });

  it('matmul(...) copies a weight matrix in once and reuses it while the same array comes back', () => {
    const own = wasmOrThrow();
    const w = fill(64 * 64);
    const [a1, b1] = both(own.matmul, fill(64), w, 1, 64, 64);
    expect(b1).toEqual(a1);
    const after = own.residentBytes();
    expect(after).toBe(64 * 64 * 4);
    const [a2, b2] = both(own.matmul, fill(3 * 64), w, 3, 64, 64);
    expect(b2).toEqual(a2);
    expect(own.residentBytes()).toBe(after);
    // A different array with other values is a different matrix, never a stale hit.
    const w2 = fill(64 * 64);
    const [a3, b3] = both(own.matmul, fill(64), w2, 1, 64, 64);
    expect(b3).toEqual(a3);
    expect(own.residentBytes()).toBe(2 * after);
  });

  it('matmul(...) stays exact when the resident budget fills and the arena starts over', () => {
    const tight = createWasmMatmul({ residentBudgetBytes: 3 * 40 * 40 * 4 });
    if (tight === undefined) throw new Error('this test needs WebAssembly SIMD');
    const ws = Array.from({ length: 7 }, () => fill(40 * 40));
    for (let round = 0; round < 3; round++) {
      for (const w of ws) {
        const [a, b] = both(tight.matmul, fill(2 * 40), w, 2, 40, 40);
        expect(b).toEqual(a);
        expect(tight.residentBytes()).toBeLessThanOrEqual(3 * 40 * 40 * 4);
      }
    }
  });

  it('fits(...) is false for a matrix larger than the resident budget', () => {
    const tiny = createWasmMatmul({ residentBudgetBytes: 1024 });
    if (tiny === undefined) throw new Error('this test needs WebAssembly SIMD');
    expect(tiny.fits(4, 16, 16)).toBe(true); // 1024 bytes
    expect(tiny.fits(4, 16, 17)).toBe(false);
  });

  it('createWasmMatmul({ webAssembly: null }) is undefined (no WebAssembly)', () => {
    expect(createWasmMatmul({ webAssembly: null })).toBeUndefined();
  });

  it('createWasmMatmul is undefined when the engine rejects the SIMD module', () => {
    const noSimd: WasmApi = {
      validate: () => false,
      Module: class {} as unknown as WasmApi['Module'],
      Instance: class {} as unknown as WasmApi['Instance'],
    };
    expect(createWasmMatmul({ webAssembly: noSimd })).toBeUndefined();
  });
});

describe('createMatmulDispatch', () => {
  const fill = filler(777);

  function counting(): { fn: MatmulFn; calls: () => number } {
    let calls = 0;
    return {
      fn: (out, x, w, positions, n, d) => {
        calls++;
        matmulJs(out, x, w, positions, n, d);
      },
      calls: () => calls,
    };
  }

  it('dispatch(...) runs WebAssembly for batches of at least minPositions, JS below', () => {
    const js = counting();
    const mm = createMatmulDispatch(js.fn, { minPositions: 4 });
    const [a1, b1] = both(mm, fill(4 * 9), fill(5 * 9), 4, 9, 5);
    expect(b1).toEqual(a1);
    expect(js.calls()).toBe(0);
    const [a2, b2] = both(mm, fill(3 * 9), fill(5 * 9), 3, 9, 5);
    expect(b2).toEqual(a2);
    expect(js.calls()).toBe(1);
  });

  it('dispatch(...) with minPositions 1 runs single-token steps in WebAssembly, bit for bit', () => {
    const js = counting();
    const mm = createMatmulDispatch(js.fn, { minPositions: 1 });
    const w = fill(172 * 64);
    for (let step = 0; step < 5; step++) {
      const [a, b] = both(mm, fill(64), w, 1, 64, 172);
      expect(b).toEqual(a);
    }
    expect(js.calls()).toBe(0);
  });

  it('dispatch(...) falls back to the JS kernel when WebAssembly is forced off', () => {
    const js = counting();
    const mm = createMatmulDispatch(js.fn, { webAssembly: null, minPositions: 1 });
    const [a, b] = both(mm, fill(8 * 16), fill(12 * 16), 8, 16, 12);
    expect(b).toEqual(a);
    expect(js.calls()).toBe(1);
  });
});
