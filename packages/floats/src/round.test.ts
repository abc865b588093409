import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { FLOAT_FORMATS } from './formats.ts';
import { maxFinite, nanOf, quantize, rationalToNumber, round, toBits } from './round.ts';

describe('round', () => {
  it("round('fp32', '0.1') is 0.100000001490116119384765625", () => {
    expect(round('fp32', '0.1').decimal).toBe('0.100000001490116119384765625');
    expect(round('fp32', 0.1).decimal).toBe('0.100000001490116119384765625');
    expect(toBits('fp32', '0.1')).toBe(0x3dcccccdn);
  });

  it('round(fp16, x) breaks ties to even in both directions: 2049 → 2048, 2051 → 2052', () => {
    expect(round('fp16', 2049).number).toBe(2048);
    expect(round('fp16', 2051).number).toBe(2052);
    expect(round('fp16', '2049.0000000000000001').number).toBe(2050);
    expect(round('fp16', -2049).number).toBe(-2048);
    expect(round('fp16', -2051).number).toBe(-2052);
    // Subnormal tie: half the smallest subnormal goes to zero, 1.5 of it to 2.
    expect(round('fp16', 2 ** -25).number).toBe(0);
    expect(round('fp16', 3 * 2 ** -25).number).toBe(2 ** -23);
  });

  it('round(format, x, { rounding }) honours toward-zero and away-from-zero', () => {
    expect(round('fp16', 2049, { rounding: 'toward-zero' }).number).toBe(2048);
    expect(round('fp16', 2049, { rounding: 'away-from-zero' }).number).toBe(2050);
    expect(round('fp16', -2049, { rounding: 'toward-zero' }).number).toBe(-2048);
    expect(round('fp16', -2049, { rounding: 'away-from-zero' }).number).toBe(-2050);
    expect(round('e2m1', 5.9, { rounding: 'toward-zero' }).number).toBe(4);
    expect(round('e2m1', 4.1, { rounding: 'away-from-zero' }).number).toBe(6);
    expect(round('e2m1', 2048, { rounding: 'away-from-zero' }).number).toBe(6);
    expect(round('fp32', '1e-50', { rounding: 'away-from-zero' }).number).toBe(2 ** -149);
    expect(round('int8', 2.5).number).toBe(2);
    expect(round('int8', 3.5).number).toBe(4);
    expect(round('int8', -2.7, { rounding: 'toward-zero' }).number).toBe(-2);
    expect(round('int8', -2.1, { rounding: 'away-from-zero' }).number).toBe(-3);
  });

  it('round(format, 0 and -0) keeps the sign of zero where the format has one', () => {
    expect(Object.is(round('fp32', -0).number, -0)).toBe(true);
    expect(toBits('fp16', '-0')).toBe(0x8000n);
    expect(toBits('e2m1', -0)).toBe(0x8n);
    expect(Object.is(round('fp32', '-1e-60').number, -0)).toBe(true);
    expect(Object.is(round('int8', -0).number, 0)).toBe(true);
  });

  it('round(format, x) saturates or overflows per the documented policy', () => {
    // IEEE formats: overflow to infinity; just below the rounding boundary stays at max.
    expect(round('fp16', 65519).number).toBe(65504);
    expect(round('fp16', 65520).number).toBe(Number.POSITIVE_INFINITY);
    expect(round('fp16', 65520, { rounding: 'toward-zero' }).number).toBe(65504);
    expect(round('fp16', 1e9, { overflow: 'saturate' }).number).toBe(65504);
    expect(round('fp16', '-inf', { overflow: 'saturate' }).number).toBe(-65504);
    expect(round('fp32', 1e300).number).toBe(Number.POSITIVE_INFINITY);
    expect(round('bf16', -1e300).number).toBe(Number.NEGATIVE_INFINITY);
    expect(round('e5m2', 57344).number).toBe(57344);
    expect(round('e5m2', 61439).number).toBe(57344);
    expect(round('e5m2', 61440).number).toBe(Number.POSITIVE_INFINITY);
    // E4M3: no infinity, so overflow is NaN; 464 is the tie between 448 and (NaN) 480.
    expect(round('e4m3', 448).number).toBe(448);
    expect(round('e4m3', 464).number).toBe(448);
    expect(round('e4m3', 464.0001).class).toBe('nan');
    expect(round('e4m3', -1000).class).toBe('nan');
    expect(round('e4m3', Number.POSITIVE_INFINITY).class).toBe('nan');
    expect(round('e4m3', 1000, { overflow: 'saturate' }).number).toBe(448);
    expect(round('e4m3', -1000, { overflow: 'saturate' }).number).toBe(-448);
    // No infinity and no NaN: always saturate.
    expect(round('e2m1', 100).number).toBe(6);
    expect(round('e2m1', '-inf').number).toBe(-6);
    expect(round('e2m3', 8).number).toBe(7.5);
    expect(round('e3m2', 1e6).number).toBe(28);
    // E8M0: overflow is NaN (0xFF), or 2^127 when saturating.
    expect(round('e8m0', 2 ** 128).class).toBe('nan');
    expect(round('e8m0', 2 ** 128, { overflow: 'saturate' }).number).toBe(2 ** 127);
    // Integers always clamp.
    expect(round('int8', 1000).number).toBe(127);
    expect(round('int8', -1000).number).toBe(-128);
    expect(round('int8', '-inf').number).toBe(-128);
    expect(round('uint4', 99).number).toBe(15);
    expect(round('uint4', -3).number).toBe(0);
    expect(round('int4', 'inf').number).toBe(7);
  });

  it('round(format, NaN) gives the canonical quiet NaN, and throws where there is no NaN', () => {
    expect(toBits('fp32', Number.NaN)).toBe(0x7fc00000n);
    expect(toBits('fp64', 'nan')).toBe(0x7ff8000000000000n);
    expect(toBits('fp16', 'nan')).toBe(0x7e00n);
    expect(toBits('bf16', 'nan')).toBe(0x7fc0n);
    expect(toBits('e4m3', 'nan')).toBe(0x7fn);
    expect(toBits('e5m2', 'nan')).toBe(0x7en);
    expect(toBits('e8m0', 'nan')).toBe(0xffn);
    for (const name of ['e2m3', 'e3m2', 'e2m1', 'int8', 'uint2']) {
      expect(() => round(name, Number.NaN), name).toThrow(`${name} has no NaN`);
    }
    expect(nanOf('fp16').class).toBe('nan');
  });

  it('round(e8m0, x) gives powers of two, clamps tiny positives and maps 0 and negatives to NaN', () => {
    expect(round('e8m0', 1).number).toBe(1);
    // Ties go to the even exponent field: 3 lies between 2 (field 128) and 4 (field 129).
    expect(round('e8m0', 3).number).toBe(2);
    expect(round('e8m0', 3, { rounding: 'away-from-zero' }).number).toBe(4);
    expect(round('e8m0', 12).number).toBe(8); // 8 is field 130, 16 is field 131
    expect(round('e8m0', 2.9).number).toBe(2);
    expect(round('e8m0', 6).number).toBe(8); // tie between 4 (field 129) and 8 (field 130)
    expect(round('e8m0', 2 ** 127).number).toBe(2 ** 127);
    expect(round('e8m0', 2 ** -127).number).toBe(2 ** -127);
    expect(round('e8m0', '1e-300').number).toBe(2 ** -127);
    expect(round('e8m0', 0).class).toBe('nan');
    expect(round('e8m0', -4).class).toBe('nan');
  });

  it('round(format, x) throws for an unknown mode, overflow policy, or stochastic without rng', () => {
    // @ts-expect-error: checking the run-time guard
    expect(() => round('fp16', 1, { rounding: 'up' })).toThrow(/unknown rounding mode 'up'/);
    // @ts-expect-error: checking the run-time guard
    expect(() => round('fp16', 1, { overflow: 'wrap' })).toThrow(/unknown overflow policy/);
    expect(() => round('fp16', 1.0001, { rounding: 'stochastic' })).toThrow(/needs options.rng/);
    const bad = { float: () => 1 };
    expect(() => round('fp16', 1.0001, { rounding: 'stochastic', rng: bad })).toThrow(
      /must return a number in \[0, 1\)/,
    );
    expect(() => round('fp16', 'twelve')).toThrow(/cannot read 'twelve'/);
  });

  it('round(format, x, stochastic) is unbiased: the mean of 20000 roundings is within 5σ', () => {
    const rng = createRng(42);
    const cases: [string, number, number][] = [
      // format, x, half-width of the gap around x (the σ of one rounding is at most that)
      ['e2m1', 1.3, 0.25],
      ['fp16', 1 + 2 ** -12, 2 ** -11],
      ['bf16', -3.3, 2 ** -6],
      ['int4', 2.2, 0.5],
    ];
    const n = 20000;
    for (const [format, x, halfGap] of cases) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += round(format, x, { rounding: 'stochastic', rng }).number;
      const tolerance = (5 * halfGap) / Math.sqrt(n);
      expect(Math.abs(sum / n - x), format).toBeLessThan(tolerance);
    }
  });

  it('round(format, x, stochastic) never leaves the two neighbours and keeps exact values', () => {
    const rng = createRng('neighbours');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(quantize('e2m1', 2.5, { rounding: 'stochastic', rng }));
    expect([...seen].sort()).toEqual([2, 3]);
    for (let i = 0; i < 100; i++)
      expect(quantize('e2m1', 3, { rounding: 'stochastic', rng })).toBe(3);
  });

  it('maxFinite(format) is the documented maximum of every float format', () => {
    const expected: Record<string, number> = {
      fp64: Number.MAX_VALUE,
      fp32: 3.4028234663852886e38,
      fp16: 65504,
      bf16: 3.3895313892515355e38,
      e4m3: 448,
      e5m2: 57344,
      e2m3: 7.5,
      e3m2: 28,
      e2m1: 6,
      e8m0: 2 ** 127,
    };
    for (const f of FLOAT_FORMATS) expect(maxFinite(f).number, f.name).toBe(expected[f.name]);
  });

  it('rationalToNumber(r) rounds correctly, also into the subnormal range', () => {
    expect(rationalToNumber({ negative: false, num: 1n, den: 3n })).toBe(1 / 3);
    expect(rationalToNumber({ negative: true, num: 1n, den: 10n })).toBe(-0.1);
    expect(rationalToNumber({ negative: false, num: 3n, den: 1n << 1075n })).toBe(2 * 5e-324);
  });
});
