import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bf16ToFp32,
  float32Bits,
  fp16BitsToFp32Bits,
  fp16ToFp32,
  fp32BitsToBf16,
  fp32BitsToFp16,
  fp32ToBf16,
  fp32ToFp16,
  readFp16,
  writeFp16,
} from './half.ts';

// An independent binary16 rounding: find the nearest of all 63,488 finite halves by value, ties to
// the even bit pattern. Slow but obviously right, so the fast bit-twiddling is checked against it.
const finiteHalves: { bits: number; value: number }[] = [];
for (let h = 0; h < 0x7c00; h++) finiteHalves.push({ bits: h, value: fp16ToFp32(h) });

function referenceFp16(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(Math.fround(x));
  // 65520 = max + half an ulp: from there on the nearest-even result is infinity.
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = finiteHalves.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (finiteHalves[mid].value <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - finiteHalves[lo].value;
  const dHi = finiteHalves[hi].value - a;
  if (dLo < dHi) return sign | lo;
  if (dHi < dLo) return sign | hi;
  return sign | (lo % 2 === 0 ? lo : hi);
}

describe('fp16', () => {
  it('fp32ToFp16(x) matches an exhaustive nearest-even search on edges and ties', () => {
    const cases = [
      0,
      -0,
      1,
      -1,
      65504,
      65519.99,
      65520,
      65536,
      1e9,
      2 ** -14,
      2 ** -24,
      2 ** -25,
      2 ** -25 * 1.0001,
      3 * 2 ** -26,
      2049,
      2051,
      0.1,
      1 / 3,
      -(2 ** -24),
      6.1e-5,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
    ];
    for (const x of cases) expect(fp32ToFp16(x), `x = ${x}`).toBe(referenceFp16(x));
  });

  it('fp32ToFp16(x) matches the exhaustive search on random float32 values', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(fp32ToFp16(x)).toBe(referenceFp16(x));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('fp32ToFp16 rounds ties to even: 2049 → 2048 and 2051 → 2052', () => {
    expect(fp16ToFp32(fp32ToFp16(2049))).toBe(2048);
    expect(fp16ToFp32(fp32ToFp16(2051))).toBe(2052);
  });

  it('fp32ToFp16 sends infinities to ±inf and every NaN to 0x7E00 with its sign', () => {
    expect(fp32ToFp16(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(fp32ToFp16(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(fp32BitsToFp16(0x7f800001)).toBe(0x7e00);
    expect(fp32BitsToFp16(0xffc12345)).toBe(0xfe00);
  });

  it('fp16ToFp32 round-trips every finite half exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      expect(fp32ToFp16(fp16ToFp32(h))).toBe(h === 0x8000 ? 0x8000 : h);
    }
  });

  it('fp16BitsToFp32Bits widens NaN payloads by 13 bits and keeps -0', () => {
    expect(fp16BitsToFp32Bits(0x7e00)).toBe(0x7fc00000);
    expect(fp16BitsToFp32Bits(0xfe01)).toBe(0xffc02000);
    expect(fp16BitsToFp32Bits(0x8000)).toBe(0x80000000);
    expect(fp16BitsToFp32Bits(0x3c00)).toBe(0x3f800000);
  });

  it('writeFp16 stores little-endian and returns the value that readFp16 reads back', () => {
    const bytes = new Uint8Array(2);
    expect(writeFp16(bytes, 0, 0.1)).toBe(readFp16(bytes, 0));
    expect(bytes[0] | (bytes[1] << 8)).toBe(fp32ToFp16(0.1));
  });
});

describe('bf16', () => {
  it('fp32BitsToBf16 rounds to nearest even and may round up to infinity', () => {
    expect(fp32BitsToBf16(0x3f808000)).toBe(0x3f80); // tie, even stays
    expect(fp32BitsToBf16(0x3f818000)).toBe(0x3f82); // tie, odd rounds up
    expect(fp32BitsToBf16(0x3f808001)).toBe(0x3f81);
    expect(fp32BitsToBf16(0x7f7fffff)).toBe(0x7f80);
    expect(fp32BitsToBf16(0x00008000)).toBe(0x0000); // subnormal tie to even zero
  });

  it('fp32BitsToBf16 keeps a NaN payload and sets the quiet bit', () => {
    expect(fp32BitsToBf16(0x7f810000)).toBe(0x7fc1);
    expect(fp32BitsToBf16(0xff800001)).toBe(0xffc0);
  });

  it('bf16ToFp32(fp32ToBf16(x)) is within half a bf16 ulp of x', () => {
    fc.assert(
      fc.property(
        fc.float({
          noNaN: true,
          noDefaultInfinity: true,
          min: Math.fround(-1e30),
          max: Math.fround(1e30),
        }),
        (x) => {
          const y = bf16ToFp32(fp32ToBf16(x));
          // bf16 keeps 8 significant bits; below 2^-126 the spacing stays at the subnormal 2^-133.
          const top = Math.max(Math.abs(y), Math.abs(Math.fround(x)), 2 ** -126);
          const ulp = 2 ** (Math.floor(Math.log2(top)) - 7);
          expect(Math.abs(y - Math.fround(x))).toBeLessThanOrEqual(ulp / 2 + 1e-45);
        },
      ),
      { seed: 3, numRuns: 2000 },
    );
    expect(float32Bits(bf16ToFp32(0x3f80))).toBe(0x3f800000);
  });
});
