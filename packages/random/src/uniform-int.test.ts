import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chiSquare, chiSquareCritical001 } from './chi-square.ts';
import { createRng } from './rng.ts';
import { uniformInt } from './uniform-int.ts';

/** A source that replays fixed words and counts how many were drawn. */
function scripted(words: number[]) {
  let drawn = 0;
  return {
    nextUint32(): number {
      if (drawn >= words.length) throw new Error('scripted source ran out of words');
      return words[drawn++];
    },
    get drawn(): number {
      return drawn;
    },
  };
}

describe('uniformInt', () => {
  it('uniformInt(source, min, max) rejects words below 2^32 mod span and reduces the rest', () => {
    // Span 3: 2^32 mod 3 = 1, so word 0 is rejected and word 5 gives 5 mod 3 = 2.
    const source = scripted([0, 5]);
    expect(uniformInt(source, 10, 12)).toBe(12);
    expect(source.drawn).toBe(2);
  });

  it('uniformInt(source, 0, 2^32 - 1) returns the word itself, never rejecting', () => {
    const source = scripted([0, 0xffffffff]);
    expect(uniformInt(source, 0, 2 ** 32 - 1)).toBe(0);
    expect(uniformInt(source, 0, 2 ** 32 - 1)).toBe(0xffffffff);
  });

  it('uniformInt(source, min, max) over 2^32 values joins 21 + 32 bits, rejecting the tail', () => {
    // Span 3 * 2^51: 2^53 mod span = 2^51, so 53-bit values below 2^51 are rejected.
    const span = 3 * 2 ** 51;
    const rejected = scripted([0, 0, 0xffffffff, 0xffffffff]);
    // First pair: 0 < 2^51, rejected; second pair: 2^53 - 1, mod span = 2^53 - 1 - span.
    expect(uniformInt(rejected, 0, span - 1)).toBe(2 ** 53 - 1 - span);
    expect(rejected.drawn).toBe(4);
    // High word 2^30 carries 21-bit value 2^19, so the draw is 2^51 + 7: the first accepted value.
    const high = scripted([2 ** 30, 7]);
    expect(uniformInt(high, -5, span - 6)).toBe(-5 + 2 ** 51 + 7);
    expect(high.drawn).toBe(2);
  });

  it('uniformInt(source, 7, 7) returns 7 without drawing', () => {
    const source = scripted([]);
    expect(uniformInt(source, 7, 7)).toBe(7);
    expect(source.drawn).toBe(0);
  });

  it('uniformInt(source, min, max) accepts the widest span, 2^53 values', () => {
    const rng = createRng('wide');
    const lo = -(2 ** 52);
    for (let i = 0; i < 1000; i++) {
      const x = rng.int(lo, 2 ** 52 - 1);
      expect(x).toBeGreaterThanOrEqual(lo);
      expect(x).toBeLessThanOrEqual(2 ** 52 - 1);
      expect(Number.isSafeInteger(x)).toBe(true);
    }
  });

  it.each([
    [1.5, 3, /safe integers/],
    [0, Number.NaN, /safe integers, got min=0, max=NaN/],
    [0, Number.POSITIVE_INFINITY, /safe integers/],
    [0, 2 ** 53, /safe integers/],
    [5, 1, /min <= max, got min=5 > max=1/],
    [-(2 ** 52), 2 ** 52, /at most 2\^53 values/],
    [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, /at most 2\^53 values/],
  ])('uniformInt(source, %d, %d) throws a clear Error', (min, max, message) => {
    expect(() => uniformInt(scripted([1, 2, 3]), min, max)).toThrow(message);
  });

  it('int(0, 9) over 100k draws passes chi-square at p = 0.001 (df 9, limit 27.88)', () => {
    const rng = createRng(2024);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.int(0, 9)]++;
    expect(chiSquare(counts, new Array(10).fill(10_000))).toBeLessThan(chiSquareCritical001(9));
  });

  it.each([
    // Naive x mod span puts 2/3 of the mass in the lower half for span 2^33/3.
    ['2^33/3, one 32-bit draw', Math.floor((2 ** 32 / 3) * 2)],
    // Naive 53-bit x mod span puts 5/8 of the mass in the lower half for span 3 * 2^51.
    ['3 * 2^51, two draws', 3 * 2 ** 51 - 1],
  ])('int(0, max) for a non-power-of-two span (%s) fills both halves equally', (_, max) => {
    const rng = createRng(`halves ${max}`);
    const half = (max + 1) / 2;
    let lower = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) if (rng.int(0, max) < half) lower++;
    // df 1 at p = 0.001: 10.83. A modulo bias of 2/3 or 5/8 would give chi-square in the thousands.
    expect(chiSquare([lower, n - lower], [n / 2, n / 2])).toBeLessThan(chiSquareCritical001(1));
  });

  it('int(min, max) stays in [min, max] for arbitrary safe integers min <= max', () => {
    const rng = createRng('int-property');
    const bound = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger());
    fc.assert(
      fc.property(bound, bound, (a, b) => {
        const min = Math.min(a, b);
        const max = Math.max(a, b);
        if (max - min > 2 ** 53 - 1) {
          expect(() => rng.int(min, max)).toThrow(/at most 2\^53 values/);
          return;
        }
        for (let i = 0; i < 20; i++) {
          const x = rng.int(min, max);
          expect(Number.isInteger(x)).toBe(true);
          expect(x).toBeGreaterThanOrEqual(min);
          expect(x).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });
});
