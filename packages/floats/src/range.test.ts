import { describe, expect, it } from 'vitest';
import { enumerate } from './enumerate.ts';
import { FLOAT_FORMATS, FORMATS } from './formats.ts';
import { rangeOf } from './range.ts';

describe('rangeOf', () => {
  it('rangeOf(format) reports the standard facts of every float format', () => {
    const rows = FLOAT_FORMATS.map((f) => {
      const r = rangeOf(f);
      return [
        f.name,
        r.maxFinite.number,
        r.minNormal?.number,
        r.minSubnormal?.number ?? null,
        r.epsilon.number,
        r.bias,
        r.hasInfinity,
        r.hasNaN,
      ];
    });
    expect(rows).toEqual([
      ['fp64', Number.MAX_VALUE, 2 ** -1022, 2 ** -1074, 2 ** -52, 1023, true, true],
      ['fp32', 3.4028234663852886e38, 2 ** -126, 2 ** -149, 2 ** -23, 127, true, true],
      ['fp16', 65504, 2 ** -14, 2 ** -24, 2 ** -10, 15, true, true],
      ['bf16', 3.3895313892515355e38, 2 ** -126, 2 ** -133, 2 ** -7, 127, true, true],
      ['e4m3', 448, 2 ** -6, 2 ** -9, 2 ** -3, 7, false, true],
      ['e5m2', 57344, 2 ** -14, 2 ** -16, 2 ** -2, 15, true, true],
      ['e2m3', 7.5, 1, 0.125, 0.125, 1, false, false],
      ['e3m2', 28, 0.25, 0.0625, 0.25, 3, false, false],
      ['e2m1', 6, 1, 0.5, 0.5, 1, false, false],
      ['e8m0', 2 ** 127, 2 ** -127, null, 1, 127, false, true],
    ]);
  });

  it('rangeOf(format).decimalDigits is log10(2^(mantissaBits + 1))', () => {
    expect(rangeOf('fp32').decimalDigits).toBeCloseTo(7.22, 2);
    expect(rangeOf('fp16').decimalDigits).toBeCloseTo(3.31, 2);
    expect(rangeOf('bf16').decimalDigits).toBeCloseTo(2.41, 2);
    expect(rangeOf('fp64').decimalDigits).toBeCloseTo(15.95, 2);
  });

  it('rangeOf(integer) gives the two’s-complement or unsigned range', () => {
    expect([rangeOf('int8').lowestFinite.number, rangeOf('int8').maxFinite.number]).toEqual([
      -128, 127,
    ]);
    expect([rangeOf('uint4').lowestFinite.number, rangeOf('uint4').maxFinite.number]).toEqual([
      0, 15,
    ]);
    expect([rangeOf('int2').lowestFinite.number, rangeOf('int2').maxFinite.number]).toEqual([
      -2, 1,
    ]);
    expect(rangeOf('int8').minNormal).toBeNull();
    expect(rangeOf('int8').hasNegativeZero).toBe(false);
    expect(rangeOf('e8m0').lowestFinite.number).toBe(2 ** -127);
    expect(rangeOf('fp16').lowestFinite.number).toBe(-65504);
  });

  it('rangeOf(format).distinctFiniteValues matches an exhaustive count for ≤ 16-bit formats', () => {
    for (const f of FORMATS.filter((x) => x.totalBits <= 16)) {
      const distinct = new Set(
        enumerate(f)
          .filter((v) => v.exact !== null)
          .map((v) => v.number),
      );
      expect(rangeOf(f).distinctFiniteValues, f.name).toBe(distinct.size);
    }
  });
});
