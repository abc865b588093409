import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_FLOOR, rateScale, tickLabel, tickStep } from './rate-scale.ts';

describe('rateScale', () => {
  it('rateScale(1833, false) runs from 0 to 2000 in steps of 500', () => {
    const s = rateScale(1833, false);
    expect(s.ticks).toEqual([0, 500, 1000, 1500, 2000]);
    expect(s.top).toBe(2000);
    expect(s.fraction(0)).toBe(0);
    expect(s.fraction(1000)).toBe(0.5);
    expect(s.fraction(5000)).toBe(1);
    expect(s.fraction(-3)).toBe(0);
  });

  it('rateScale(1833, true) has ticks at powers of ten and shows a single line as a sliver', () => {
    const s = rateScale(1833, true);
    expect(s.ticks).toEqual([1, 10, 100, 1000]);
    expect(s.top).toBe(2000);
    expect(s.bottom).toBe(LOG_FLOOR);
    expect(s.fraction(0)).toBe(0);
    expect(s.fraction(LOG_FLOOR)).toBe(0);
    expect(s.fraction(1)).toBeGreaterThan(0.02);
    expect(s.fraction(2000)).toBeCloseTo(1, 12);
  });

  it('rateScale(max, log) for a NaN, zero or negative max still gives a usable axis', () => {
    for (const max of [Number.NaN, 0, -5, Number.POSITIVE_INFINITY]) {
      for (const log of [false, true]) {
        const s = rateScale(max, log);
        expect(s.top).toBeGreaterThanOrEqual(1);
        expect(s.ticks.length).toBeGreaterThan(0);
      }
    }
  });

  it('rateScale(max, log) has its top at or above max, at most 6 linear ticks, and a rising fraction (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1.01, max: 1e7, noNaN: true }), fc.boolean(), (max, log) => {
        const s = rateScale(max, log);
        expect(s.top).toBeGreaterThanOrEqual(max);
        if (!log) expect(s.ticks.length).toBeLessThanOrEqual(6);
        let last = -1;
        for (const v of [0, 0.5, 1, 2, max / 3, max / 2, max].sort((a, b) => a - b)) {
          const f = s.fraction(v);
          expect(f).toBeGreaterThanOrEqual(last);
          expect(f).toBeLessThanOrEqual(1);
          last = f;
        }
      }),
    );
  });
});

describe('tickStep and tickLabel', () => {
  it('tickStep(value) is the next of 1, 2, 2.5, 5 × 10^n', () => {
    expect(tickStep(458)).toBe(500);
    expect(tickStep(500)).toBe(500);
    expect(tickStep(21)).toBe(25);
    expect(tickStep(0.3)).toBe(0.5);
    expect(tickStep(0)).toBe(1);
    expect(tickStep(Number.NaN)).toBe(1);
  });

  it('tickLabel(value) shortens round thousands from 10,000 up', () => {
    expect(tickLabel(1500)).toBe('1500');
    expect(tickLabel(10_000)).toBe('10k');
    expect(tickLabel(12_500)).toBe('12500');
  });
});
