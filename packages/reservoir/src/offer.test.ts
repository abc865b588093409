import { chiSquare, chiSquareCritical001, createRng, type Rng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { checkK, highProduct32, openUniform, randomBelow } from './offer.ts';
import { scriptedRng } from './test-support.ts';

describe('offer helpers', () => {
  it('highProduct32(x, bound) equals the BigInt floor(x · bound / 2^32)', () => {
    const rng = createRng(1);
    const cases: [number, number][] = [
      [0, 1],
      [0xffffffff, 0xffffffff],
      [0xffffffff, 2 ** 32],
      [2 ** 31, 10],
    ];
    for (let i = 0; i < 2000; i++) cases.push([rng.nextUint32(), 1 + rng.nextUint32()]);
    for (const [x, bound] of cases) {
      const exact = Number((BigInt(x) * BigInt(bound)) >> 32n);
      expect(highProduct32(x, bound)).toBe(exact);
    }
  });

  it('randomBelow(rng, bound) is uniform on [0, 7) (chi-square, 70 000 draws, 7 bins)', () => {
    const rng = createRng(2);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[randomBelow(rng, 7)]++;
    expect(chiSquare(counts, new Array(7).fill(10000))).toBeLessThan(chiSquareCritical001(6));
  });

  it('randomBelow(rng, 3 · 2^30) is uniform over thirds, where a plain modulo would not be', () => {
    // 2^32 mod 3·2^30 = 2^30: without rejection the lowest quarter would be hit twice as often.
    const rng = createRng(3);
    const bound = 3 * 2 ** 30;
    const counts = [0, 0, 0];
    for (let i = 0; i < 60000; i++) counts[Math.floor(randomBelow(rng, bound) / 2 ** 30)]++;
    expect(chiSquare(counts, [20000, 20000, 20000])).toBeLessThan(chiSquareCritical001(2));
  });

  it('randomBelow(rng, bound) handles bound 1, 2^32 and beyond 2^32', () => {
    const rng = createRng(4);
    expect(randomBelow(rng, 1)).toBe(0);
    const big = randomBelow(rng, 2 ** 32);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 32).toBe(true);
    const huge = randomBelow(rng, 2 ** 50);
    expect(Number.isInteger(huge) && huge >= 0 && huge < 2 ** 50).toBe(true);
  });

  it('openUniform(rng) redraws an exact 0', () => {
    expect(openUniform(scriptedRng([0, 0, 0.25]) as unknown as Rng)).toBe(0.25);
  });

  it('checkK(k, where) names the call and the value', () => {
    expect(() => checkK(Number.NaN, 'f(k)')).toThrow(
      'f(k) needs an integer k in [0, 268435456], got NaN',
    );
    expect(() => checkK(3, 'f(k)')).not.toThrow();
  });
});
