// Runs the generated SIMD kernel (matmul-module.ts) on Float32Array operands: copies the weights
// and the inputs (interleaved as float64 pairs) into the module's memory, runs the kernel tile by
// tile, and copies the float32 results out. Bit-identical to kernels.ts's matmul.

import { defaultWebAssembly, instantiate, type WasmApi, type WasmMemory } from '@explorables/wasm';
import { buildMatmulModule, DEFAULT_BLOCKING, type MatmulBlocking } from './matmul-module.ts';

type KernelFn = (
  w: number,
  x: number,
  out: number,
  pairs: number,
  n: number,
  d: number,
  i0: number,
  i1: number,
) => void;

/** A matmul with the signature of kernels.ts's: out[t][i] = Σ_j w[i][j] · x[t][j]. */
export type MatmulFn = (
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  positions: number,
  n: number,
  d: number,
) => void;

/** A WebAssembly SIMD matmul bound to its own memory. */
export interface WasmMatmul {
  /**
   * out[t][i] = Σ_j w[i][j] · x[t][j] for t < positions, i < d (x is [positions][n], w is
   * [d][n], out is [positions][d]); bit-identical to kernels.ts's matmul.
   */
  matmul: MatmulFn;
  /**
   * Reserves memory for a problem of this shape; false when it needs more than 2 GiB or the
   * engine refuses to grow the memory (the caller then falls back to JS).
   */
  fits(positions: number, n: number, d: number): boolean;
  /** Bytes of WebAssembly memory currently reserved. */
  memoryBytes(): number;
  /** Bytes of weight matrices currently resident in WebAssembly memory. */
  residentBytes(): number;
}

/** Options of createWasmMatmul. */
export interface WasmMatmulOptions {
  /** The WebAssembly API to use; null means none. Default: the global. */
  webAssembly?: WasmApi | null;
  /** Register blocking of the generated kernel. */
  blocking?: MatmulBlocking;
  /**
   * Most bytes of weights kept resident in WebAssembly memory (default 1 GiB). Weights are copied
   * in on first use and found again by the identity of their Float32Array; when the budget is
   * full, every resident matrix is dropped and the arena starts over.
   */
  residentBudgetBytes?: number;
}

const PAGE_BYTES = 65536;
/** Largest memory this wrapper grows to (keeps byte addresses positive as i32). */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;
/** Floats of a weight tile kept hot while every position of the batch passes over it. */
const TILE_FLOATS = 16384;
const DEFAULT_RESIDENT_BUDGET = 2 ** 30;

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Bytes of the per-call region: inputs as float64 pairs, then the float32 outputs. */
function scratchBytes(positions: number, n: number, d: number) {
  const pairs = Math.ceil(positions / 2);
  const xBytes = align16(pairs * n * 16);
  const outBytes = align16(2 * pairs * d * 4);
  return { pairs, xBytes, total: xBytes + outBytes };
}

/**
 * Compiles the SIMD matmul kernel; undefined when WebAssembly or its SIMD extension is
 * unavailable (pass `webAssembly: null` to simulate that).
 *
 * Memory layout: a scratch region for one call's inputs and outputs, then an arena of resident
 * weight matrices. A matrix is copied into the arena the first time it is multiplied and reused
 * while the same Float32Array comes back, so weights must not be changed in place once a model
 * has run (edit.ts copies the tensor it edits; a changed copy is a new array).
 * @example const mm = createWasmMatmul(); mm?.matmul(out, x, w, 256, 64, 172)
 */
export function createWasmMatmul(options: WasmMatmulOptions = {}): WasmMatmul | undefined {
  const wa = options.webAssembly === undefined ? defaultWebAssembly() : options.webAssembly;
  const blocking = options.blocking ?? DEFAULT_BLOCKING;
  const budget = options.residentBudgetBytes ?? DEFAULT_RESIDENT_BUDGET;
  const exports = instantiate(buildMatmulModule(blocking), wa);
  if (exports === undefined) return undefined;
  const kernel = exports.matmul as KernelFn;
  const memory = exports.mem as WasmMemory;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);

  // Scratch is [0, scratch); resident weights fill [scratch, arenaEnd).
  let scratch = 0;
  let arenaEnd = 0;
  let resident = new WeakMap<Float32Array, { offset: number; floats: number }>();

  /** Grows the memory to at least `total` bytes; false when the engine refuses. */
  const ensure = (total: number): boolean => {
    if (total > MAX_BYTES) return false;
    const have = memory.buffer.byteLength;
    if (total > have) {
      try {
        memory.grow(Math.ceil((total - have) / PAGE_BYTES));
      } catch {
        return false;
      }
    }
    if (f32.buffer !== memory.buffer) {
      f32 = new Float32Array(memory.buffer);
      f64 = new Float64Array(memory.buffer);
    }
    return true;
  };

  /** Drops every resident matrix and sizes the scratch region for at least `bytes`. */
  const restart = (bytes: number): void => {
    scratch = Math.max(bytes, scratch);
    arenaEnd = scratch;
    resident = new WeakMap();
  };

  /** Byte offset of w's first d·n floats in memory, copying them in when not resident. */
  const place = (w: Float32Array, floats: number): number | undefined => {
    const hit = resident.get(w);
    if (hit !== undefined && hit.floats === floats) return hit.offset;
    const bytes = align16(floats * 4);
    if (bytes > budget) return undefined;
    if (arenaEnd + bytes - scratch > budget) restart(scratch);
    if (!ensure(arenaEnd + bytes)) {
      restart(scratch);
      if (!ensure(arenaEnd + bytes)) return undefined;
    }
    const offset = arenaEnd;
    f32.set(w.length === floats ? w : w.subarray(0, floats), offset / 4);
    arenaEnd += bytes;
    resident.set(w, { offset, floats });
    return offset;
  };

  const fits = (positions: number, n: number, d: number): boolean => {
    const need = scratchBytes(positions, n, d).total;
    if (need > scratch) restart(Math.max(need, 2 * scratch));
    const weightBytes = align16(d * n * 4);
    if (weightBytes > budget) return false;
    return ensure(scratch + weightBytes) && ensure(Math.max(arenaEnd, scratch));
  };

  const matmul: MatmulFn = (out, x, w, positions, n, d) => {
    for (const [label, v] of [
      ['positions', positions],
      ['n', n],
      ['d', d],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) {
        throw new Error(`wasm matmul: ${label} = ${v}; expected a non-negative integer`);
      }
    }
    if (w.length < d * n || x.length < positions * n || out.length < positions * d) {
      throw new Error(
        `wasm matmul: lengths w ${w.length}, x ${x.length}, out ${out.length}; expected at least ` +
          `${d * n}, ${positions * n}, ${positions * d} for ${positions}×${n} → ${d}`,
      );
    }
    if (positions === 0 || d === 0) return;
    const { pairs, xBytes, total } = scratchBytes(positions, n, d);
    if (total > scratch) restart(Math.max(total, 2 * scratch));
    if (!ensure(Math.max(arenaEnd, scratch))) {
      throw new Error(`wasm matmul: could not grow the memory to ${scratch} bytes`);
    }
    const wOff = place(w, d * n);
    if (wOff === undefined) {
      throw new Error(`wasm matmul: ${d * n * 4} bytes of weights do not fit in memory`);
    }
    const xOff = 0;
    const outOff = xBytes;
    // Inputs as float64 pairs: lane 0 = position 2p, lane 1 = position 2p+1 (0 past the end).
    for (let p = 0; p < pairs; p++) {
      const a = 2 * p * n;
      const b = a + n;
      let o = xOff / 8 + 2 * p * n;
      if (2 * p + 1 < positions) {
        for (let k = 0; k < n; k++, o += 2) {
          f64[o] = x[a + k];
          f64[o + 1] = x[b + k];
        }
      } else {
        for (let k = 0; k < n; k++, o += 2) {
          f64[o] = x[a + k];
          f64[o + 1] = 0;
        }
      }
    }
    const rows = blocking.rows;
    const tile = Math.max(rows, Math.floor(TILE_FLOATS / Math.max(n, 1) / rows) * rows);
    for (let i0 = 0; i0 < d; i0 += tile) {
      kernel(wOff, xOff, outOff, pairs, n, d, i0, Math.min(d, i0 + tile));
    }
    out.set(f32.subarray(outOff / 4, outOff / 4 + positions * d));
  };

  return {
    matmul,
    fits,
    memoryBytes: () => memory.buffer.byteLength,
    residentBytes: () => arenaEnd - scratch,
  };
}

/** When the dispatcher hands a matmul to WebAssembly. */
export interface DispatchOptions {
  /** The WebAssembly API to use; null forces the JS fallback. Default: the global. */
  webAssembly?: WasmApi | null;
  /** Smallest batch (positions) sent to WebAssembly; smaller ones run in JS. */
  minPositions?: number;
}

/**
 * A matmul that runs the WebAssembly SIMD kernel for batches of at least `minPositions`
 * positions (compiling it on first use) and `fallback` (the JS kernel) otherwise or when
 * WebAssembly SIMD is unavailable. Both give bit-identical results.
 * @example const mm = createMatmulDispatch(jsMatmul); mm(out, x, w, 256, 64, 172)
 */
export function createMatmulDispatch(fallback: MatmulFn, options: DispatchOptions = {}): MatmulFn {
  const minPositions = options.minPositions ?? 8;
  let wasm: WasmMatmul | undefined;
  let tried = false;
  return (out, x, w, positions, n, d) => {
    if (positions >= minPositions) {
      if (!tried) {
        tried = true;
        wasm = createWasmMatmul({ webAssembly: options.webAssembly });
      }
      if (wasm?.fits(positions, n, d)) {
        wasm.matmul(out, x, w, positions, n, d);
        return;
      }
    }
    fallback(out, x, w, positions, n, d);
  };
}
