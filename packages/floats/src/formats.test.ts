import { describe, expect, it } from 'vitest';
import { FLOAT_FORMATS, FORMATS, formatByName, INT_FORMATS, resolveFormat } from './formats.ts';

describe('formats', () => {
  it('formatByName(name) accepts canonical names and aliases case-insensitively', () => {
    const cases: [string, string][] = [
      ['fp32', 'fp32'],
      ['F32', 'fp32'],
      ['float32', 'fp32'],
      ['half', 'fp16'],
      ['FP16', 'fp16'],
      ['bfloat16', 'bf16'],
      ['fp8-e4m3', 'e4m3'],
      ['E4M3', 'e4m3'],
      ['fp8-e5m2', 'e5m2'],
      ['fp4', 'e2m1'],
      ['fp6-e2m3', 'e2m3'],
      ['fp6-e3m2', 'e3m2'],
      ['E8M0', 'e8m0'],
      ['double', 'fp64'],
      ['int8', 'int8'],
      ['UINT4', 'uint4'],
      [' i2 ', 'int2'],
    ];
    for (const [name, expected] of cases) expect(formatByName(name).name, name).toBe(expected);
  });

  it('formatByName(unknown) throws an Error listing the canonical names', () => {
    expect(() => formatByName('fp7')).toThrow(
      /unknown number format 'fp7'; expected one of fp64, fp32/,
    );
    expect(() => formatByName('int9')).toThrow(/uint8/);
  });

  it('resolveFormat(format) returns a format object unchanged', () => {
    const fp16 = formatByName('fp16');
    expect(resolveFormat(fp16)).toBe(fp16);
  });

  it('FORMATS have consistent widths, unique names and no alias clashes', () => {
    const seen = new Set<string>();
    for (const f of FORMATS) {
      expect(f.signBits + f.exponentBits + f.mantissaBits, f.name).toBe(f.totalBits);
      for (const n of [f.name, ...f.aliases]) {
        expect(seen.has(n.toLowerCase()), n).toBe(false);
        seen.add(n.toLowerCase());
      }
    }
    expect(
      FLOAT_FORMATS.map((f) => `${f.name}:${f.exponentBits}.${f.mantissaBits}/${f.bias}`),
    ).toEqual([
      'fp64:11.52/1023',
      'fp32:8.23/127',
      'fp16:5.10/15',
      'bf16:8.7/127',
      'e4m3:4.3/7',
      'e5m2:5.2/15',
      'e2m3:2.3/1',
      'e3m2:3.2/3',
      'e2m1:2.1/1',
      'e8m0:8.0/127',
    ]);
    expect(INT_FORMATS.map((f) => f.name)).toEqual([
      'int2',
      'uint2',
      'int3',
      'uint3',
      'int4',
      'uint4',
      'int5',
      'uint5',
      'int6',
      'uint6',
      'int7',
      'uint7',
      'int8',
      'uint8',
    ]);
  });
});
