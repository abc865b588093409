import { describe, expect, it } from 'vitest';
import { parseExact, toDecimalString } from './decimal.ts';
import { dyadic, rationalFromNumber } from './rational.ts';

describe('decimal', () => {
  it('parseExact(text) reads decimals exactly, with signs, exponents and specials', () => {
    expect(parseExact('0.1')).toEqual({
      kind: 'finite',
      value: { negative: false, num: 1n, den: 10n },
    });
    expect(parseExact('-2.5e-3')).toEqual({
      kind: 'finite',
      value: { negative: true, num: 25n, den: 10000n },
    });
    expect(parseExact('1e3')).toEqual({
      kind: 'finite',
      value: { negative: false, num: 1000n, den: 1n },
    });
    expect(parseExact('.5')).toEqual({
      kind: 'finite',
      value: { negative: false, num: 5n, den: 10n },
    });
    expect(parseExact('5.')).toEqual({
      kind: 'finite',
      value: { negative: false, num: 5n, den: 1n },
    });
    expect(parseExact('+7E+1')).toEqual({
      kind: 'finite',
      value: { negative: false, num: 70n, den: 1n },
    });
    expect(parseExact('-0')).toEqual({
      kind: 'finite',
      value: { negative: true, num: 0n, den: 1n },
    });
    expect(parseExact('inf')).toEqual({ kind: 'infinity', negative: false });
    expect(parseExact('-Infinity')).toEqual({ kind: 'infinity', negative: true });
    expect(parseExact('NaN')).toEqual({ kind: 'nan' });
  });

  it('parseExact(number) keeps the double exactly and maps NaN and ±Infinity', () => {
    expect(parseExact(0.1)).toEqual({ kind: 'finite', value: rationalFromNumber(0.1) });
    expect(parseExact(Number.NaN)).toEqual({ kind: 'nan' });
    expect(parseExact(Number.NEGATIVE_INFINITY)).toEqual({ kind: 'infinity', negative: true });
  });

  it('parseExact(text) throws a helpful Error for text that is not a number', () => {
    for (const bad of ['', '.', 'e5', '1e', '0x10', '1,5', 'abc', '--1', '1e5.5']) {
      expect(() => parseExact(bad), bad).toThrow(/cannot read .* as a number; expected a decimal/);
    }
    expect(() => parseExact('1e999999')).toThrow(/exponent too large/);
  });

  it('toDecimalString(r) writes exact decimals without trailing zeros or exponents', () => {
    expect(toDecimalString({ negative: false, num: 13421773n, den: 134217728n })).toBe(
      '0.100000001490116119384765625',
    );
    expect(toDecimalString(dyadic(0n, 0))).toBe('0');
    expect(toDecimalString(dyadic(0n, 0, true))).toBe('-0');
    expect(toDecimalString(dyadic(-3n, -1))).toBe('-1.5');
    expect(toDecimalString(dyadic(1n, 10))).toBe('1024');
    expect(toDecimalString({ negative: false, num: 2500n, den: 100n })).toBe('25');
    expect(toDecimalString({ negative: false, num: 1n, den: 1000n })).toBe('0.001');
    expect(toDecimalString(rationalFromNumber(0.1))).toBe(
      '0.1000000000000000055511151231257827021181583404541015625',
    );
    const tiny = toDecimalString(rationalFromNumber(5e-324));
    expect(tiny.startsWith('0.000000000')).toBe(true);
    expect(tiny.length).toBe(2 + 1074);
    expect(tiny.endsWith('5')).toBe(true);
  });

  it('toDecimalString(r) throws when the expansion does not terminate', () => {
    expect(() => toDecimalString({ negative: false, num: 1n, den: 3n })).toThrow(/no terminating/);
  });
});
