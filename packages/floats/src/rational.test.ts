import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitLength,
  compare,
  compareMagnitude,
  divideMagnitude,
  dyadic,
  floorLog2,
  rationalFromNumber,
  reduce,
  subtract,
} from './rational.ts';

describe('rational', () => {
  it('bitLength(n) counts binary digits, 0 for 0', () => {
    expect([0n, 1n, 2n, 255n, 256n, 1n << 100n].map(bitLength)).toEqual([0, 1, 2, 8, 9, 101]);
  });

  it('floorLog2(num, den) is exact at powers of two and just below them', () => {
    expect(floorLog2(1n, 1n)).toBe(0);
    expect(floorLog2(1n, 10n)).toBe(-4);
    expect(floorLog2(1024n, 1n)).toBe(10);
    expect(floorLog2(1023n, 1n)).toBe(9);
    expect(floorLog2(1n, 1024n)).toBe(-10);
    expect(floorLog2(1n, 1025n)).toBe(-11);
    expect(floorLog2(3n, 4n)).toBe(-1);
  });

  it('floorLog2(num, den) agrees with Math.log2 on random integers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (a, b) => {
          const k = floorLog2(BigInt(a), BigInt(b));
          // 2^k ≤ a/b < 2^(k+1), checked in exact integers.
          const lo = k >= 0 ? BigInt(b) << BigInt(k) : BigInt(b);
          const aa = k >= 0 ? BigInt(a) : BigInt(a) << BigInt(-k);
          expect(aa >= lo && aa < lo * 2n).toBe(true);
        },
      ),
    );
  });

  it('rationalFromNumber(x) is exact for normals, subnormals, -0 and throws for NaN/inf', () => {
    expect(rationalFromNumber(0.5)).toEqual({ negative: false, num: 1n << 52n, den: 1n << 53n });
    expect(reduce(rationalFromNumber(0.1))).toEqual({
      negative: false,
      num: 3602879701896397n,
      den: 1n << 55n,
    });
    expect(rationalFromNumber(5e-324)).toEqual({ negative: false, num: 1n, den: 1n << 1074n });
    expect(rationalFromNumber(-0).negative).toBe(true);
    expect(() => rationalFromNumber(Number.NaN)).toThrow(/finite/);
    expect(() => rationalFromNumber(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it('compare, compareMagnitude and subtract follow the signs; -0 equals +0', () => {
    const a = dyadic(-3n, -1); // -1.5
    const b = dyadic(1n, 0);
    expect(compare(a, b)).toBe(-1);
    expect(compareMagnitude(a, b)).toBe(1);
    expect(compare(dyadic(0n, 0, true), dyadic(0n, 0))).toBe(0);
    expect(reduce(subtract(b, a))).toEqual({ negative: false, num: 5n, den: 2n });
    expect(reduce(subtract(a, b))).toEqual({ negative: true, num: 5n, den: 2n });
    expect(reduce(divideMagnitude(a, b))).toEqual({ negative: false, num: 3n, den: 2n });
    expect(() => divideMagnitude(a, dyadic(0n, 0))).toThrow(/division by zero/);
  });
});
