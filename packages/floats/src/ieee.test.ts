// Agreement with IEEE conversions computed independently of the BigInt engine.
import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { round, toBits } from './round.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const view = new DataView(new ArrayBuffer(8));

/** float32 bits → binary16 bits, round-to-nearest-even, by integer bit manipulation. */
function referenceFp16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  const unbiased = exp - 127;
  if (unbiased > 15) return sign | 0x7c00;
  // Significand with its hidden bit, and the shift that leaves 10 (or fewer) bits.
  const significand = exp === 0 ? mant : mant | 0x800000;
  const shift = unbiased >= -14 ? 13 : Math.min(13 + (-14 - unbiased), 31);
  const kept = shift >= 31 ? 0 : significand >>> shift;
  const rest = shift >= 31 ? significand : significand - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  const up = rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0;
  const base = unbiased >= -14 ? ((unbiased + 15) << 10) | (kept & 0x3ff) : kept;
  return sign | (base + up); // a carry runs into the exponent, up to infinity
}

/** float32 bits → bfloat16 bits, round-to-nearest-even. */
function referenceBf16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function randomFloat32(rng: ReturnType<typeof createRng>): number {
  u32[0] = rng.nextUint32();
  return f32[0];
}

describe('IEEE agreement', () => {
  it('round(fp16, x) equals bit-manipulated binary16 for 5000 random float32 values', () => {
    const rng = createRng('fp16');
    let checked = 0;
    for (let i = 0; i < 5000; i++) {
      // Half the draws near fp16's range so normals, subnormals and overflow all get hit.
      const x =
        i % 2 === 0 ? randomFloat32(rng) : Math.fround((rng.float() - 0.5) * 2 ** rng.int(-30, 18));
      if (Number.isNaN(x)) continue;
      f32[0] = x;
      expect(Number(toBits('fp16', x)), String(x)).toBe(referenceFp16(u32[0]));
      checked++;
    }
    expect(checked).toBeGreaterThan(4900);
  });

  it('round(fp16, x) equals the nearest-even entry of a sorted table for 3000 random doubles', () => {
    // All fp16 values and their midpoints are exact in binary64, so plain comparisons decide.
    const table: number[] = [];
    for (let e = -24; e <= 15; e++) {
      const step = 2 ** Math.max(e - 10, -24);
      for (let v = e === -24 ? 0 : 2 ** e; v < 2 ** (e + 1) && v <= 65504; v += step) table.push(v);
    }
    const unique = [...new Set(table)].sort((a, b) => a - b);
    const rng = createRng('fp16-doubles');
    for (let i = 0; i < 3000; i++) {
      const x = rng.float() * 2 ** rng.int(-26, 15);
      let lo = 0;
      let hi = unique.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (unique[mid] <= x) lo = mid;
        else hi = mid;
      }
      const a = unique[lo];
      const b = unique[hi];
      const middle = (a + b) / 2;
      const evenA =
        Math.round(a / 2 ** Math.max(Math.floor(Math.log2(a || 1)) - 10, -24)) % 2 === 0;
      const expected = x < middle ? a : x > middle ? b : evenA ? a : b;
      expect(round('fp16', x).number, String(x)).toBe(x >= b ? b : expected);
    }
  });

  it('round(bf16, x) equals the float32 bit trick for 5000 random float32 values', () => {
    const rng = createRng('bf16');
    for (let i = 0; i < 5000; i++) {
      const x = randomFloat32(rng);
      if (Number.isNaN(x)) continue;
      f32[0] = x;
      expect(Number(toBits('bf16', x)), String(x)).toBe(referenceBf16(u32[0]));
    }
  });

  it('round(fp32, x) equals Math.fround and the Float32Array bits for 5000 random doubles', () => {
    const rng = createRng('fp32');
    for (let i = 0; i < 5000; i++) {
      view.setUint32(0, rng.nextUint32());
      view.setUint32(4, rng.nextUint32());
      const raw = view.getFloat64(0);
      const x = i % 2 === 0 ? raw : (rng.float() - 0.5) * 2 ** rng.int(-160, 130);
      if (Number.isNaN(x)) continue;
      const v = round('fp32', x);
      expect(Object.is(v.number, Math.fround(x)), String(x)).toBe(true);
      f32[0] = x;
      expect(Number(v.bits)).toBe(u32[0]);
    }
  });

  it('round(fp64, x) is the identity on 3000 random doubles, bits included', () => {
    const rng = createRng('fp64');
    for (let i = 0; i < 3000; i++) {
      view.setUint32(0, rng.nextUint32());
      view.setUint32(4, rng.nextUint32());
      const x = view.getFloat64(0);
      if (Number.isNaN(x)) continue;
      const v = round('fp64', x);
      expect(Object.is(v.number, x)).toBe(true);
      expect(v.bits).toBe(view.getBigUint64(0));
    }
  });

  it("round(fp64, decimal text) matches JavaScript's own correctly rounded parsing", () => {
    const texts = [
      '0.1',
      '1e-40',
      '2.2250738585072011e-308',
      '4.9406564584124654e-324',
      '2.4703282292062327e-324',
      '2.4703282292062328e-324',
      '1.7976931348623158e308',
      '1.7976931348623159e308',
      '9007199254740993',
      '123456789012345678901234567890',
    ];
    for (const text of texts)
      expect(Object.is(round('fp64', text).number, Number(text)), text).toBe(true);
  });
});
