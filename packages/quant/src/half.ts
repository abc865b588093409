// IEEE binary16 and bfloat16 conversions exactly as ggml performs them (GGML_FP32_TO_FP16,
// ggml_fp32_to_bf16). Every quantizer stores its scales through these, and reads them back.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Rounds a number to float32 and returns its IEEE bit pattern as an unsigned 32-bit integer.
 * @example float32Bits(1) // 0x3f800000
 */
export function float32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/**
 * The float32 whose bit pattern is `bits` (any NaN payload is kept in the returned number only as
 * far as JavaScript preserves it; write through a Float32Array's buffer for exact bits).
 * @example float32FromBits(0x3f800000) // 1
 */
export function float32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/**
 * Converts a number to IEEE binary16 bits with round-to-nearest-even, ±inf on overflow, exact
 * subnormals, and any NaN written as 0x7E00 | sign, as ggml's GGML_FP32_TO_FP16 does. The input is
 * first rounded to float32, as in C.
 * @example fp32ToFp16(1) // 0x3c00
 */
export function fp32ToFp16(x: number): number {
  f32[0] = x;
  return fp32BitsToFp16(u32[0]);
}

/**
 * Converts a float32 bit pattern to binary16 bits; see fp32ToFp16. Taking bits keeps NaN signs exact.
 * @example fp32BitsToFp16(0xbf800000) // 0xbc00
 */
export function fp32BitsToFp16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | (mant !== 0 ? 0x7e00 : 0x7c00);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): shift the full significand right and round to nearest even.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent, up to infinity.
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

let fp16Table: Float32Array | undefined;

function buildFp16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
}

/**
 * The exact value of a binary16 bit pattern (NaNs come back as NaN; use fp16BitsToFp32Bits for
 * their exact float32 bits).
 * @example fp16ToFp32(0x3c00) // 1
 */
export function fp16ToFp32(h: number): number {
  fp16Table ??= buildFp16Table();
  return fp16Table[h & 0xffff];
}

/**
 * The float32 bits of a binary16 value, as a C cast produces them: NaN payloads shift up by 13 bits
 * (0x7E00 becomes 0x7FC00000).
 * @example fp16BitsToFp32Bits(0x7e00) // 0x7fc00000
 */
export function fp16BitsToFp32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 31) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  return (sign | float32Bits(Math.abs(fp16ToFp32(h)))) >>> 0;
}

/**
 * Converts float32 bits to bfloat16 bits as ggml does: NaN keeps its payload with the quiet bit
 * set, everything else rounds to nearest even (subnormals kept, may round up to infinity).
 * @example fp32BitsToBf16(0x3f800000) // 0x3f80
 */
export function fp32BitsToBf16(bits: number): number {
  const u = bits >>> 0;
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Converts a number to bfloat16 bits (after rounding to float32); see fp32BitsToBf16.
 * @example fp32ToBf16(1) // 0x3f80
 */
export function fp32ToBf16(x: number): number {
  f32[0] = x;
  return fp32BitsToBf16(u32[0]);
}

/**
 * The value of a bfloat16 bit pattern: its bits are the top half of a float32.
 * @example bf16ToFp32(0x3f80) // 1
 */
export function bf16ToFp32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/**
 * Reads a little-endian binary16 at `offset` and returns its value.
 * @example readFp16(bytes, 0)
 */
export function readFp16(bytes: Uint8Array, offset: number): number {
  return fp16ToFp32(bytes[offset] | (bytes[offset + 1] << 8));
}

/**
 * Stores `x` as a little-endian binary16 at `offset` and returns the value actually stored, which
 * is what every ggml dequantizer will read back.
 * @example const d = writeFp16(block, 0, amax / 127)
 */
export function writeFp16(bytes: Uint8Array, offset: number, x: number): number {
  const h = fp32ToFp16(x);
  bytes[offset] = h & 0xff;
  bytes[offset + 1] = h >>> 8;
  return fp16ToFp32(h);
}
