import { describe, expect, it } from 'vitest';
import { fromBits } from './decode.ts';
import { nextDown, nextUp, ulp } from './neighbours.ts';
import { round } from './round.ts';

describe('neighbours', () => {
  it('nextUp and nextDown step to the adjacent fp32 values around 0.1', () => {
    const v = round('fp32', '0.1');
    expect(nextUp(v)?.decimal).toBe('0.10000000894069671630859375');
    expect(nextDown(v)?.decimal).toBe('0.0999999940395355224609375');
    expect(ulp(v)?.decimal).toBe('0.000000007450580596923828125');
  });

  it('nextUp(±0) is the smallest subnormal and nextDown(±0) its negative', () => {
    for (const zero of ['0', '-0']) {
      expect(nextUp(round('fp16', zero))?.number).toBe(2 ** -24);
      expect(nextDown(round('fp16', zero))?.number).toBe(-(2 ** -24));
      expect(nextUp(round('e2m1', zero))?.number).toBe(0.5);
    }
    expect(Object.is(nextUp(round('fp16', -(2 ** -24)))?.number, -0)).toBe(true);
    expect(Object.is(nextDown(round('fp16', 2 ** -24))?.number, 0)).toBe(true);
  });

  it('nextUp(max) is +infinity where the format has it and null where it does not', () => {
    expect(nextUp(round('fp16', 65504))?.class).toBe('infinity');
    expect(nextUp(round('e5m2', 57344))?.class).toBe('infinity');
    expect(nextUp(round('e4m3', 448))).toBeNull();
    expect(nextUp(round('e2m1', 6))).toBeNull();
    expect(nextUp(round('e8m0', 2 ** 127))).toBeNull();
    expect(nextUp(round('int8', 127))).toBeNull();
    expect(nextUp(round('fp16', 'inf'))).toBeNull();
    expect(nextDown(round('fp16', '-inf'))).toBeNull();
    expect(nextDown(round('fp16', 'inf'))?.number).toBe(65504);
    expect(nextUp(round('fp16', '-inf'))?.number).toBe(-65504);
    expect(nextDown(round('e4m3', -448))).toBeNull();
  });

  it('nextUp and nextDown return null for NaN and at the bottom of unsigned formats', () => {
    expect(nextUp(round('fp32', 'nan'))).toBeNull();
    expect(nextDown(fromBits('e8m0', 0xff))).toBeNull();
    expect(nextDown(round('e8m0', 2 ** -127))).toBeNull();
    expect(nextDown(round('uint4', 0))).toBeNull();
    expect(nextDown(round('int4', -8))).toBeNull();
    expect(nextUp(round('e8m0', 1))?.number).toBe(2);
    expect(nextDown(round('e8m0', 1))?.number).toBe(0.5);
  });

  it('nextUp and nextDown on integers step by one across zero', () => {
    expect(nextUp(round('int8', -1))?.number).toBe(0);
    expect(nextDown(round('int8', 0))?.number).toBe(-1);
    expect(nextUp(round('uint2', 2))?.number).toBe(3);
    expect(ulp(round('int8', 5))?.number).toBe(1);
  });

  it('ulp(v) is the spacing of the binade: subnormals share the smallest gap; null for inf/NaN', () => {
    expect(ulp(round('fp16', 1))?.number).toBe(2 ** -10);
    expect(ulp(round('fp16', 2048))?.number).toBe(2);
    expect(ulp(round('fp16', 0))?.number).toBe(2 ** -24);
    expect(ulp(round('fp16', 2 ** -20))?.number).toBe(2 ** -24);
    expect(ulp(round('e2m1', 4))?.number).toBe(2);
    expect(ulp(round('e8m0', 8))?.number).toBe(8);
    expect(ulp(round('fp64', 1))?.number).toBe(Number.EPSILON);
    expect(ulp(round('fp32', 'inf'))).toBeNull();
    expect(ulp(round('fp32', 'nan'))).toBeNull();
  });
});
