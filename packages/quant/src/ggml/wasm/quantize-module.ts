// WebAssembly SIMD kernels for ggml's reference Q8_0 and Q4_0 quantizers, generated as bytes.
// One block of 32 floats is 8 f32x4 vectors. Every step is a float32 operation that ggml also
// performs in float32 (the division for the scale, x·id, x·id + 8.5), or an exact one (absolute
// values, comparisons of bit patterns, truncation, x − trunc(x)), so the codes and scales equal
// the JavaScript ports in q8.ts and q4.ts bit for bit. The fp16 scale is written by the caller.
//
// Memory: the i32 at address 0 is set to 1 when a block held a NaN (whose handling follows C's
// comparison order, which the scalar port reproduces and this kernel does not) or got an infinite
// inverse scale (a scale that underflowed to a tiny subnormal, where x·id is ±inf and C's and
// JavaScript's float-to-int conversions differ from WebAssembly's saturating one); the caller then
// quantizes that row in JavaScript.

import { Code, encodeModule, F32, I32, Op, Simd, V128, VOID } from '@explorables/wasm';

/** The two kernels: exported function names and block sizes in bytes. */
export const KERNELS = {
  q8_0: { exportName: 'quantize_q8_0', blockBytes: 34 },
  q4_0: { exportName: 'quantize_q4_0', blockBytes: 18 },
} as const;

/** The quantizers this module provides. */
export type WasmQuantType = keyof typeof KERNELS;

// Parameters of every kernel: (src, dst, scales, blocks), byte addresses and a block count.
const SRC = 0;
const DST = 1;
const SCALES = 2;
const BLOCKS = 3;

// i32 locals.
const END = 4; // src + blocks·128
const AMAX = 5; // bit pattern of the block's largest |x|
const MASK = 6; // q4_0: bitmask of the lanes equal to AMAX
const INF = 7; // 1 once some block's inverse scale was infinite
// f32 locals.
const D = 8;
const ID = 9;
// v128 locals.
const V = 10; // V..V+7: the block's 8 vectors, then their codes
const A = 18; // A..A+7: |x| bit patterns
const M = 26; // running max / scratch
const NAN = 27; // OR of the per-lane "is NaN" masks
const T = 28; // scratch
const LOCALS: [number, number][] = [
  [I32, 4],
  [F32, 2],
  [V128, 19],
];

const splatI32 = (c: Code, v: number): Code => c.i32(v).simd(Simd.i32x4Splat);
const splatF32 = (c: Code, v: number): Code => c.f32(v).simd(Simd.f32x4Splat);

/** Loads the block's vectors, their |x| bits, the NaN flag and AMAX (the largest |x| bits). */
function loadBlock(c: Code): void {
  for (let k = 0; k < 8; k++) {
    c.get(SRC)
      .simd(Simd.v128Load)
      .memarg(2, 16 * k)
      .tee(V + k);
    splatI32(c, 0x7fffffff)
      .simd(Simd.v128And)
      .tee(A + k);
    // |x| bits above infinity's are NaN (compared as signed: both are below 2^31).
    splatI32(c, 0x7f800000).simd(Simd.i32x4GtS).get(NAN).simd(Simd.v128Or).set(NAN);
  }
  // Maximum of the 32 bit patterns: a tree over the vectors, then across lanes. For non-negative
  // floats, integer order of the bit patterns is numeric order.
  c.get(A)
    .get(A + 1)
    .simd(Simd.i32x4MaxS);
  c.get(A + 2)
    .get(A + 3)
    .simd(Simd.i32x4MaxS)
    .simd(Simd.i32x4MaxS);
  c.get(A + 4)
    .get(A + 5)
    .simd(Simd.i32x4MaxS);
  c.get(A + 6)
    .get(A + 7)
    .simd(Simd.i32x4MaxS)
    .simd(Simd.i32x4MaxS);
  c.simd(Simd.i32x4MaxS).tee(M);
  c.get(M).get(M).simd(Simd.i8x16Shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  c.simd(Simd.i32x4MaxS).tee(M);
  c.get(M).get(M).simd(Simd.i8x16Shuffle, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
  c.simd(Simd.i32x4MaxS).simd(Simd.i32x4ExtractLane, 0).set(AMAX);
}

/** id = d ≠ 0 ? 1/d : 0 (float32), from the local D; stores d at SCALES. */
function scaleAndInverse(c: Code): void {
  c.get(SCALES).get(D).op(Op.f32Store).memarg(2, 0);
  c.f32(1).get(D).op(Op.f32Div).f32(0).get(D).f32(0).op(Op.f32Ne).op(Op.select).tee(ID);
  c.op(Op.i32ReinterpretF32).i32(0x7fffffff).op(Op.i32And).i32(0x7f800000).op(Op.i32Eq);
  c.get(INF).op(Op.i32Or).set(INF);
}

/** Narrows the int32 codes in V+from..V+from+3 to 16 int8 lanes, left on the stack. */
function narrowCodes(c: Code, from: number): void {
  c.get(V + from)
    .get(V + from + 1)
    .simd(Simd.i16x8NarrowI32x4S);
  c.get(V + from + 2)
    .get(V + from + 3)
    .simd(Simd.i16x8NarrowI32x4S);
  c.simd(Simd.i8x16NarrowI16x8S);
}

/** q8_0: d = amax/127, codes roundf(x·id) (halves away from zero) as int8. */
function q8Body(c: Code): void {
  c.get(AMAX).op(Op.f32ReinterpretI32).f32(127).op(Op.f32Div).set(D);
  scaleAndInverse(c);
  c.get(ID).simd(Simd.f32x4Splat).set(M);
  for (let k = 0; k < 8; k++) {
    // x = v·id; t = trunc(x); roundf(x) = t + (|x − t| ≥ 0.5 ? ±1 : 0), the sign of x.
    c.get(V + k)
      .get(M)
      .simd(Simd.f32x4Mul)
      .tee(T);
    c.simd(Simd.f32x4Trunc).set(V + k);
    c.get(T)
      .get(V + k)
      .simd(Simd.f32x4Sub)
      .simd(Simd.f32x4Abs);
    splatF32(c, 0.5).simd(Simd.f32x4Ge);
    c.get(T);
    splatI32(c, -0x80000000).simd(Simd.v128And);
    splatF32(c, 1).simd(Simd.v128Or).simd(Simd.v128And);
    c.get(V + k)
      .simd(Simd.f32x4Add)
      .simd(Simd.i32x4TruncSatF32x4S)
      .set(V + k);
  }
  c.get(DST);
  narrowCodes(c, 0);
  c.simd(Simd.v128Store).memarg(0, 2);
  c.get(DST);
  narrowCodes(c, 4);
  c.simd(Simd.v128Store).memarg(0, 18);
}

/** q4_0: max = the first value of largest |x|, d = max/−8, codes min(15, trunc(x·id + 8.5)). */
function q4Body(c: Code): void {
  // MASK = bit 4k+lane set where |x| bits equal AMAX; the lowest set bit is the first such value.
  c.i32(0).set(MASK);
  for (let k = 0; k < 8; k++) {
    c.get(A + k)
      .get(AMAX)
      .simd(Simd.i32x4Splat)
      .simd(Simd.i32x4Eq)
      .simd(Simd.i32x4Bitmask);
    if (k > 0) c.i32(4 * k).op(Op.i32Shl);
    c.get(MASK).op(Op.i32Or).set(MASK);
  }
  // max = src[ctz(MASK)], or +0 when every |x| is 0 (the scalar loop then never updates max).
  c.get(SRC).get(MASK).op(Op.i32Ctz).i32(2).op(Op.i32Shl).op(Op.i32Add);
  c.op(Op.f32Load).memarg(2, 0).f32(0).get(AMAX).op(Op.select);
  c.f32(-8).op(Op.f32Div).set(D);
  scaleAndInverse(c);
  c.get(ID).simd(Simd.f32x4Splat).set(M);
  for (let k = 0; k < 8; k++) {
    c.get(V + k)
      .get(M)
      .simd(Simd.f32x4Mul);
    splatF32(c, 8.5).simd(Simd.f32x4Add).simd(Simd.i32x4TruncSatF32x4S);
    splatI32(c, 15)
      .simd(Simd.i32x4MinS)
      .set(V + k);
  }
  // Element j in the low nibble of byte j, element j+16 in the high nibble (codes are 0..15, so
  // shifting 16-bit lanes left by 4 moves each byte's nibble up without crossing into the next).
  c.get(DST);
  narrowCodes(c, 0);
  narrowCodes(c, 4);
  c.i32(4).simd(Simd.i16x8Shl).simd(Simd.v128Or);
  c.simd(Simd.v128Store).memarg(0, 2);
}

function kernel(body: (c: Code) => void, blockBytes: number): Code {
  const c = new Code();
  c.get(SRC).get(BLOCKS).i32(7).op(Op.i32Shl).op(Op.i32Add).set(END);
  c.op(Op.block, VOID);
  c.get(SRC).get(END).op(Op.i32Eq).brIf(0);
  c.op(Op.loop, VOID);
  loadBlock(c);
  body(c);
  c.get(SRC).i32(128).op(Op.i32Add).set(SRC);
  c.get(DST).i32(blockBytes).op(Op.i32Add).set(DST);
  c.get(SCALES).i32(4).op(Op.i32Add).set(SCALES);
  c.get(SRC).get(END).op(Op.i32Ne).brIf(0);
  c.op(Op.end, Op.end);
  // Flag the row for the caller: mem[0] |= a NaN lane or an infinite inverse scale.
  c.i32(0).i32(0).op(Op.i32Load).memarg(2, 0).get(NAN).simd(Simd.v128AnyTrue).op(Op.i32Or);
  c.get(INF).op(Op.i32Or).op(Op.i32Store).memarg(2, 0);
  return c;
}

/**
 * Builds the module: exports `mem` and, for each quantizer, `quantize_<type>(src, dst, scales,
 * blocks)`, which reads blocks·32 float32 at src, writes blocks·blockBytes bytes at dst (the two
 * scale bytes of each block left for the caller) and the float32 scale d of each block at scales.
 * @example WebAssembly.validate(buildQuantizeModule(4)) // true
 */
export function buildQuantizeModule(initialPages: number): Uint8Array {
  const params = [I32, I32, I32, I32];
  return encodeModule(
    [
      {
        exportName: KERNELS.q8_0.exportName,
        params,
        locals: LOCALS,
        body: kernel(q8Body, KERNELS.q8_0.blockBytes),
      },
      {
        exportName: KERNELS.q4_0.exportName,
        params,
        locals: LOCALS,
        body: kernel(q4Body, KERNELS.q4_0.blockBytes),
      },
    ],
    initialPages,
  );
}
