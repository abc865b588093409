import { describe, expect, it } from 'vitest';
import { enumerate, finiteValues } from './enumerate.ts';

describe('enumerate', () => {
  it("finiteValues('e2m1') is ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}", () => {
    const positives = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    const expected = [
      ...positives
        .slice(1)
        .map((x) => -x)
        .reverse(),
      ...positives,
    ];
    expect(finiteValues('e2m1').map((v) => v.number)).toEqual(expected);
  });

  it("enumerate('e8m0') is 2^-127 … 2^127 then NaN at 0xFF", () => {
    const all = enumerate('e8m0');
    expect(all).toHaveLength(256);
    for (let i = 0; i < 255; i++) expect(all[i].number).toBe(2 ** (i - 127));
    expect(all[255].class).toBe('nan');
  });

  it("enumerate('e4m3') has exactly two NaNs and tops out at ±448", () => {
    const all = enumerate('e4m3');
    expect(all.filter((v) => v.class === 'nan').map((v) => v.bits)).toEqual([0x7fn, 0xffn]);
    const finite = finiteValues('e4m3');
    expect(finite[0].number).toBe(-448);
    expect(finite[finite.length - 1].number).toBe(448);
    expect(finite).toHaveLength(253);
  });

  it("enumerate('fp16') returns 65536 patterns: 2046 NaNs, 2 infinities, 2046 subnormals", () => {
    const all = enumerate('fp16');
    const count = (cls: string) => all.filter((v) => v.class === cls).length;
    expect(all).toHaveLength(65536);
    expect([count('nan'), count('infinity'), count('subnormal'), count('zero')]).toEqual([
      2046, 2, 2046, 2,
    ]);
    expect(all.every((v, i) => v.bits === BigInt(i))).toBe(true);
  });

  it('finiteValues(format) is strictly increasing for every enumerable format', () => {
    for (const name of ['fp16', 'bf16', 'e4m3', 'e5m2', 'e2m3', 'e3m2', 'e2m1', 'int4', 'uint8']) {
      const values = finiteValues(name).map((v) => v.number);
      for (let i = 1; i < values.length; i++) expect(values[i] > values[i - 1], name).toBe(true);
    }
  });

  it('enumerate(format) throws for formats wider than 16 bits', () => {
    expect(() => enumerate('fp32')).toThrow(/32 bits is too many; expected at most 16 bits/);
  });
});
