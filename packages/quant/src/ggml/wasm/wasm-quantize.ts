// Runs the SIMD block quantizers of quantize-module.ts on Float32Array rows: copies a chunk of
// blocks into the module's memory, runs the kernel, copies the blocks out and writes each block's
// fp16 scale with the same conversion as the scalar ports. Bit-identical to q8.ts and q4.ts.

import { defaultWebAssembly, instantiate, type WasmApi } from '@explorables/wasm';
import { fp32BitsToFp16 } from '../../half.ts';
import { buildQuantizeModule, KERNELS, type WasmQuantType } from './quantize-module.ts';

/** Blocks per kernel call; rows longer than this run in several calls. */
const CHUNK_BLOCKS = 2048;
const SRC = 64;
const DST = SRC + CHUNK_BLOCKS * 128;
const SCALES = DST + CHUNK_BLOCKS * 36;
const PAGES = Math.ceil((SCALES + CHUNK_BLOCKS * 4) / 65536);

type Kernel = (src: number, dst: number, scales: number, blocks: number) => void;

/** Quantizes a row with a SIMD kernel; false (dst then undefined) when the caller must use JS. */
export type WasmQuantizeRow = (type: WasmQuantType, src: Float32Array, dst: Uint8Array) => boolean;

/**
 * Compiles the SIMD quantizers; undefined when WebAssembly or its SIMD extension is unavailable
 * (pass `null` to simulate that). The returned function quantizes src (a whole number of 32-float
 * blocks) into dst (exactly the blocks' bytes) and returns true, or returns false, leaving dst
 * partly written, when a block holds a NaN (ggml's C comparisons give NaN an order-dependent
 * treatment that only the scalar port reproduces) or its scale underflows so far that 1/d is
 * infinite (C and JavaScript convert ±inf to a code their own way).
 * @example const q = createWasmQuantizer(); q?.('q8_0', row, new Uint8Array(row.length / 32 * 34))
 */
export function createWasmQuantizer(
  webAssembly: WasmApi | null | undefined = defaultWebAssembly(),
): WasmQuantizeRow | undefined {
  const exports = instantiate(buildQuantizeModule(PAGES), webAssembly);
  if (exports === undefined) return undefined;
  const buffer = (exports.mem as { buffer: ArrayBuffer }).buffer;
  const f32 = new Float32Array(buffer);
  const u32 = new Uint32Array(buffer);
  const u8 = new Uint8Array(buffer);
  const kernels: Record<WasmQuantType, Kernel> = {
    q8_0: exports[KERNELS.q8_0.exportName] as Kernel,
    q4_0: exports[KERNELS.q4_0.exportName] as Kernel,
  };
  return (type, src, dst) => {
    const size = KERNELS[type].blockBytes;
    const blocks = src.length / 32;
    if (!Number.isInteger(blocks) || dst.length !== blocks * size) {
      throw new Error(
        `${type}: ${src.length} floats into ${dst.length} bytes; expected whole blocks of 32 ` +
          `into ${size} bytes each`,
      );
    }
    const kernel = kernels[type];
    for (let b0 = 0; b0 < blocks; b0 += CHUNK_BLOCKS) {
      const n = Math.min(CHUNK_BLOCKS, blocks - b0);
      f32.set(src.subarray(b0 * 32, (b0 + n) * 32), SRC / 4);
      u32[0] = 0;
      kernel(SRC, DST, SCALES, n);
      if (u32[0] !== 0) return false;
      const out = dst.subarray(b0 * size, (b0 + n) * size);
      out.set(u8.subarray(DST, DST + n * size));
      for (let b = 0, o = 0, s = SCALES / 4; b < n; b++, o += size, s++) {
        const h = fp32BitsToFp16(u32[s]);
        out[o] = h & 0xff;
        out[o + 1] = h >>> 8;
      }
    }
    return true;
  };
}

let shared: WasmQuantizeRow | undefined;
let tried = false;

/**
 * Quantizes with the module-wide SIMD quantizer, compiled on first use; false when WebAssembly
 * SIMD is unavailable or the row needs the scalar port (a NaN, an infinite 1/d).
 * @example if (!quantizeRowWasm('q4_0', row, out)) quantizeRowJs(row, out)
 */
export function quantizeRowWasm(type: WasmQuantType, src: Float32Array, dst: Uint8Array): boolean {
  if (!tried) {
    tried = true;
    shared = createWasmQuantizer();
  }
  return shared?.(type, src, dst) === true;
}
