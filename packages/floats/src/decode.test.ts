import { describe, expect, it } from 'vitest';
import { encodeFinite, fromBits } from './decode.ts';
import { FP32 } from './formats.ts';

describe('fromBits', () => {
  it('fromBits(fp32, 0x3dcccccd) shows the fields, class and exact value of 0.1f', () => {
    const v = fromBits('fp32', 0x3dcccccd);
    expect(v.sign).toBe(0);
    expect(v.exponentField).toBe(123);
    expect(v.mantissaField).toBe(0x4ccccd);
    expect(v.fieldStrings).toEqual({
      sign: '0',
      exponent: '01111011',
      mantissa: '10011001100110011001101',
    });
    expect(v.class).toBe('normal');
    expect(v.exponent).toBe(-4);
    expect(v.decimal).toBe('0.100000001490116119384765625');
    expect(v.number).toBe(Math.fround(0.1));
  });

  it('fromBits(format, bits) classifies ±0, subnormals, normals, infinities and NaNs', () => {
    const cases: [string, number, string, string][] = [
      ['fp16', 0x0000, 'zero', '0'],
      ['fp16', 0x8000, 'zero', '-0'],
      ['fp16', 0x0001, 'subnormal', '0.000000059604644775390625'],
      ['fp16', 0x03ff, 'subnormal', '0.000060975551605224609375'],
      ['fp16', 0x0400, 'normal', '0.00006103515625'],
      ['fp16', 0x7bff, 'normal', '65504'],
      ['fp16', 0x7c00, 'infinity', 'Infinity'],
      ['fp16', 0xfc00, 'infinity', '-Infinity'],
      ['fp16', 0x7c01, 'nan', 'NaN'],
      ['bf16', 0x0001, 'subnormal', toDec(1n, 133)],
      ['e4m3', 0x7e, 'normal', '448'],
      ['e4m3', 0x7f, 'nan', 'NaN'],
      ['e4m3', 0xff, 'nan', 'NaN'],
      ['e4m3', 0x78, 'normal', '256'],
      ['e4m3', 0x01, 'subnormal', '0.001953125'],
      ['e5m2', 0x7b, 'normal', '57344'],
      ['e5m2', 0x7c, 'infinity', 'Infinity'],
      ['e5m2', 0x7d, 'nan', 'NaN'],
      ['e2m3', 0x1f, 'normal', '7.5'],
      ['e2m3', 0x3f, 'normal', '-7.5'],
      ['e3m2', 0x1f, 'normal', '28'],
      ['e2m1', 0x7, 'normal', '6'],
      ['e2m1', 0x1, 'subnormal', '0.5'],
      ['e2m1', 0x8, 'zero', '-0'],
      ['e8m0', 0x00, 'normal', toDec(1n, 127)],
      ['e8m0', 0x7f, 'normal', '1'],
      ['e8m0', 0xfe, 'normal', (2n ** 127n).toString()],
      ['e8m0', 0xff, 'nan', 'NaN'],
      ['int8', 0x80, 'normal', '-128'],
      ['int8', 0xff, 'normal', '-1'],
      ['int8', 0x7f, 'normal', '127'],
      ['int8', 0x00, 'zero', '0'],
      ['uint4', 0xf, 'normal', '15'],
      ['int2', 0x2, 'normal', '-2'],
    ];
    for (const [format, bits, cls, decimal] of cases) {
      const v = fromBits(format, bits);
      expect(v.class, `${format} ${bits}`).toBe(cls);
      expect(v.decimal, `${format} ${bits}`).toBe(decimal);
    }
  });

  it('fromBits keeps NaN payloads of fp64, fp32, fp16 and bf16 in bits and fields', () => {
    const cases: [string, bigint, number][] = [
      ['fp64', 0x7ff0000000000001n, 1],
      ['fp64', 0xfff8000000abcdefn, 0x8000000abcdef],
      ['fp32', 0x7fa00001n, 0x200001],
      ['fp32', 0xffc00000n, 0x400000],
      ['fp16', 0x7d55n, 0x155],
      ['bf16', 0xff81n, 1],
    ];
    for (const [format, bits, mantissa] of cases) {
      const v = fromBits(format, bits);
      expect(v.class).toBe('nan');
      expect(v.bits).toBe(bits);
      expect(v.mantissaField).toBe(mantissa);
      expect(Number.isNaN(v.number)).toBe(true);
      expect(v.exact).toBeNull();
    }
  });

  it('fromBits(fp64, bits) matches the double with those bits, including subnormals', () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const x of [1, -2.5, 0.1, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -0]) {
      view.setFloat64(0, x);
      const v = fromBits('fp64', view.getBigUint64(0));
      expect(Object.is(v.number, x), String(x)).toBe(true);
    }
  });

  it('fromBits(format, bits) throws for bits out of range or not integers', () => {
    expect(() => fromBits('fp16', 65536)).toThrow(/out of range; expected 0 to 2\^16 − 1/);
    expect(() => fromBits('e2m1', -1)).toThrow(/out of range/);
    expect(() => fromBits('fp32', 1.5)).toThrow(/must be an integer/);
  });

  it('encodeFinite(format, sign, n, q) carries a full significand into the next binade', () => {
    expect(encodeFinite(FP32, false, 1n, 0)).toBe(0x3f800000n);
    expect(encodeFinite(FP32, false, 1n << 24n, -24)).toBe(0x3f800000n);
    expect(encodeFinite(FP32, true, 1n, -149)).toBe(0x80000001n);
    expect(encodeFinite(FP32, true, 0n, 0)).toBe(0x80000000n);
  });
});

function toDec(num: bigint, twoPower: number): string {
  // num / 2^twoPower exactly, via 5^twoPower.
  const digits = (num * 5n ** BigInt(twoPower)).toString().padStart(twoPower + 1, '0');
  const point = digits.length - twoPower;
  return `${digits.slice(0, point)}.${digits.slice(point)}`.replace(/\.?0+$/, '');
}
