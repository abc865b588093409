import { describe, expect, it } from 'vitest';
import { logFactorial } from './log-factorial.ts';

describe('logFactorial', () => {
  // Reference values: Python's math.lgamma(k + 1).
  it.each([
    [0, 0],
    [1, 0],
    [2, Math.LN2],
    [5, 4.787491742782047],
    [10, 15.104412573075514],
    [20, 42.335616460753485],
    [170, 706.5730622457874],
    [255, 1161.7121011184006],
    [256, 1167.2572785628802],
    [257, 1172.8063546477754],
    [1000, 5912.128178488163],
    [1e6, 12815518.384658169],
    [1e12, 26631021115943.285],
  ])('logFactorial(%d) matches lgamma(k + 1) to 1e-14 relative', (k, expected) => {
    expect(Math.abs(logFactorial(k) - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, expected));
  });

  it('logFactorial(k) - logFactorial(k - 1) equals ln k across the table/Stirling boundary', () => {
    for (let k = 200; k < 320; k++) {
      expect(logFactorial(k) - logFactorial(k - 1)).toBeCloseTo(Math.log(k), 11);
    }
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'logFactorial(%d) throws asking for a non-negative integer',
    (k) => {
      expect(() => logFactorial(k)).toThrow(/non-negative integer/);
    },
  );
});
