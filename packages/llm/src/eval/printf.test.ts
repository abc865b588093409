import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFixed, formatInt } from './printf.ts';

describe('formatFixed', () => {
  it('formatFixed(x, p) rounds exact binary ties half-to-even like glibc', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(-0.125, 2)).toBe('-0.12');
  });

  it('formatFixed(x, p) rounds non-ties by the exact binary value', () => {
    // 99.995 is stored as 99.99500000000000454…, 1.005 as 1.00499999999999989…,
    // 6.50985 as 6.50985000000000013…
    expect(formatFixed(99.995, 2)).toBe('100.00');
    expect(formatFixed(1.005, 2)).toBe('1.00');
    expect(formatFixed(6.50985, 4)).toBe('6.5099');
    expect(formatFixed(0.06396, 5)).toBe('0.06396');
  });

  it('formatFixed(x, p) carries through nines and keeps a leading zero', () => {
    expect(formatFixed(9.9996, 3)).toBe('10.000');
    expect(formatFixed(0.99996, 4)).toBe('1.0000');
    expect(formatFixed(0.0004, 3)).toBe('0.000');
    expect(formatFixed(123, 0)).toBe('123');
  });

  it('formatFixed(x, p) prints a minus sign for negatives that round to zero and for -0', () => {
    expect(formatFixed(-0.0001, 3)).toBe('-0.000');
    expect(formatFixed(-0, 2)).toBe('-0.00');
    expect(formatFixed(0, 2)).toBe('0.00');
  });

  it('formatFixed(x, p, w) right-aligns in w columns and never truncates', () => {
    expect(formatFixed(7.238281, 6, 10)).toBe('  7.238281');
    expect(formatFixed(-0.000001, 6, 10)).toBe(' -0.000001');
    expect(formatFixed(12345.678, 2, 4)).toBe('12345.68');
  });

  it('formatFixed prints inf, -inf and -nan like glibc on x86', () => {
    expect(formatFixed(Number.POSITIVE_INFINITY, 3, 6)).toBe('   inf');
    expect(formatFixed(Number.NEGATIVE_INFINITY, 3)).toBe('-inf');
    expect(formatFixed(Number.NaN, 3, 6)).toBe('  -nan');
  });

  it('formatFixed handles values of 1e21 and above exactly', () => {
    expect(formatFixed(1e21, 2)).toBe('1000000000000000000000.00');
    expect(formatFixed(2 ** 70, 0)).toBe('1180591620717411303424');
  });

  it('formatFixed rejects a bad precision', () => {
    expect(() => formatFixed(1, -1)).toThrow(/precision -1/);
    expect(() => formatFixed(1, 1.5)).toThrow(/precision 1.5/);
  });

  it('formatFixed(x, p) agrees with toFixed(p) whenever the value is not an exact tie', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 8 }),
        (x, p) => {
          const scaled = Math.abs(x) * 10 ** p;
          const isTieCandidate = Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6;
          fc.pre(!isTieCandidate && !Object.is(x, -0));
          const expected = x.toFixed(p);
          const ours = formatFixed(x, p);
          // toFixed drops the sign when a negative rounds to zero; glibc keeps it.
          expect(ours.replace(/^-(0\.?0*)$/, '$1')).toBe(expected.replace(/^-(0\.?0*)$/, '$1'));
        },
      ),
    );
  });
});

describe('formatInt', () => {
  it('formatInt(n, w) right-aligns like %4d', () => {
    expect(formatInt(1, 4)).toBe('   1');
    expect(formatInt(767, 4)).toBe(' 767');
    expect(formatInt(12345, 4)).toBe('12345');
  });
});
