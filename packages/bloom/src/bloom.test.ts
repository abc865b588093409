import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloomFilter, naiveRemove, popcount32 } from './bloom.ts';
import { hashKey } from './hash.ts';
import { falsePositiveRate } from './sizing.ts';

describe('BloomFilter', () => {
  it('add(key) then has(key) is always true (fast-check, strings and bytes)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array()), { maxLength: 200 }),
        fc.integer({ min: 8, max: 4096 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(),
        (keys, bits, hashes, seed) => {
          const filter = new BloomFilter({ bits, hashes, seed });
          for (const key of keys) filter.add(key);
          return keys.every((key) => filter.has(key));
        },
      ),
      { seed: 20260101, numRuns: 300 },
    );
  });

  it('has(key) on an empty filter is false', () => {
    const filter = new BloomFilter({ bits: 100, hashes: 3 });
    expect(filter.has('')).toBe(false);
    expect(filter.has('anything')).toBe(false);
    expect(filter.setBitCount()).toBe(0);
  });

  it('add(key) returns true when a bit changed and false for a repeated key', () => {
    const filter = new BloomFilter({ bits: 1000, hashes: 4 });
    expect(filter.add('apple')).toBe(true);
    expect(filter.add('apple')).toBe(false);
    expect(filter.count).toBe(2);
  });

  it('add(string) and add(its UTF-8 bytes) set the same bits', () => {
    const filter = new BloomFilter({ bits: 4096, hashes: 5, seed: 9 });
    filter.add('naïve ☃');
    expect(filter.has(new TextEncoder().encode('naïve ☃'))).toBe(true);
    expect(filter.setBitCount()).toBeLessThanOrEqual(5);
  });

  it('indicesOf(key) follows the documented scheme floor(((h1 + i·h2) mod 2^32) · m / 2^32)', () => {
    const filter = new BloomFilter({ bits: 1_000_003, hashes: 9, seed: 77 });
    const [h1, h2] = filter.hashPair('scheme');
    expect(h1).toBe(hashKey('scheme', 77));
    expect(h2).toBe(hashKey('scheme', (77 + 0x9e3779b9) >>> 0));
    const expected = Array.from({ length: 9 }, (_, i) => {
      const x = BigInt((h1 + i * h2) % 2 ** 32);
      return Number((x * 1_000_003n) >> 32n);
    });
    expect(Array.from(filter.indicesOf('scheme'))).toEqual(expected);
    filter.add('scheme');
    for (const index of expected) expect(filter.getBit(index)).toBe(true);
  });

  it('indicesOf(key) stays below m for m near 2^32 (exact check with BigInt)', () => {
    const bits = 0xffffffff;
    const filter = new BloomFilter({ bits: 64, hashes: 1 });
    const scale = bits / 2 ** 32;
    for (const x of [0xffffffff, 0xfffffffe, 0x80000000, 1, 0]) {
      const index = (x * scale) >>> 0;
      expect(index).toBeLessThan(bits);
      expect(BigInt(index)).toBe((BigInt(x) * BigInt(bits)) >> 32n);
    }
    expect(filter.bits).toBe(64);
  });

  it('indicesOf(key, out) writes into out without allocating and rejects a short out', () => {
    const filter = new BloomFilter({ bits: 500, hashes: 6 });
    const out = new Uint32Array(6);
    expect(filter.indicesOf('x', out)).toBe(out);
    expect(() => filter.indicesOf('x', new Uint32Array(5))).toThrow(/needs ≥ 6/);
  });

  it('constructor({ bits, hashes, seed }) rejects zero, fractional, NaN and out-of-range values', () => {
    expect(() => new BloomFilter({ bits: 0, hashes: 3 })).toThrow(/options.bits/);
    expect(() => new BloomFilter({ bits: 1.5, hashes: 3 })).toThrow(/options.bits/);
    expect(() => new BloomFilter({ bits: Number.NaN, hashes: 3 })).toThrow(/options.bits/);
    expect(() => new BloomFilter({ bits: 2 ** 32, hashes: 3 })).toThrow(/options.bits/);
    expect(() => new BloomFilter({ bits: 10, hashes: 0 })).toThrow(/options.hashes/);
    expect(() => new BloomFilter({ bits: 10, hashes: 256 })).toThrow(/options.hashes/);
    expect(() => new BloomFilter({ bits: 10, hashes: 1, seed: -1 })).toThrow(/options.seed/);
    expect(() => new BloomFilter({ bits: 10, hashes: 1, seed: 2 ** 32 })).toThrow(/options.seed/);
  });

  it('forCapacity(n, p) uses sizeFor', () => {
    const filter = BloomFilter.forCapacity(1e6, 0.01, 5);
    expect([filter.bits, filter.hashes, filter.seed]).toEqual([9_585_059, 7, 5]);
    expect(filter.sizeBytes).toBe(4 * Math.ceil(9_585_059 / 32));
    expect(() => BloomFilter.forCapacity(0, 0.01)).toThrow(/n/);
  });

  it('getBit(index) throws outside [0, bits)', () => {
    const filter = new BloomFilter({ bits: 10, hashes: 1 });
    expect(() => filter.getBit(10)).toThrow(/\[0, 9\]/);
    expect(() => filter.getBit(-1)).toThrow(/\[0, 9\]/);
  });

  // Tolerance: the measured rate is a binomial proportion; with Q queries and rate q its relative
  // standard error is sqrt((1 − q) / (Q·q)). Q is chosen so that Q·q ≥ 2000 expected false
  // positives: relative SE ≤ 2.2 %, so ±15 % is more than 6 standard errors; the formula's own
  // approximation error and the fill's variance are below 1 % at these sizes.
  describe.each([
    [0.01, 200_000],
    [0.001, 2_000_000],
  ])('measured false-positive rate at p = %d over %d queries', (p, queries) => {
    it.each([1, 2, 3])(
      'has(key) of absent keys is within ±15 %% of predicted (seed %d)',
      (seed) => {
        const n = 50_000;
        const filter = BloomFilter.forCapacity(n, p, seed);
        const key = new Uint8Array(8);
        const view = new DataView(key.buffer);
        for (let i = 0; i < n; i++) {
          view.setUint32(0, i);
          view.setUint32(4, seed);
          filter.add(key);
        }
        let positives = 0;
        for (let i = 0; i < queries; i++) {
          view.setUint32(0, i);
          view.setUint32(4, 0x80000000 + seed);
          if (filter.has(key)) positives++;
        }
        const predicted = falsePositiveRate(filter.bits, n, filter.hashes);
        const measured = positives / queries;
        expect(Math.abs(measured / predicted - 1)).toBeLessThan(0.15);
      },
    );
  });

  it('estimatedItemCount() is within 2 % of the true count at half fill', () => {
    const n = 100_000;
    const filter = BloomFilter.forCapacity(n, 0.01, 3);
    for (let i = 0; i < n; i++) filter.add(`item-${i}`);
    expect(filter.fillRatio()).toBeGreaterThan(0.45);
    expect(filter.fillRatio()).toBeLessThan(0.55);
    expect(Math.abs(filter.estimatedItemCount() / n - 1)).toBeLessThan(0.02);
    expect(filter.estimatedFalsePositiveRate()).toBeGreaterThan(0.008);
    expect(filter.estimatedFalsePositiveRate()).toBeLessThan(0.012);
  });

  it('estimatedItemCount() is 0 when empty and Infinity when full', () => {
    const filter = new BloomFilter({ bits: 33, hashes: 1 });
    expect(filter.estimatedItemCount()).toBe(0);
    filter.words.fill(0xffffffff, 0, 1);
    filter.words[1] = 1;
    expect(filter.setBitCount()).toBe(33);
    expect(filter.estimatedItemCount()).toBe(Number.POSITIVE_INFINITY);
  });

  it('union(other) answers true for every key of both filters', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (a, b) => {
        const fa = new BloomFilter({ bits: 2048, hashes: 4, seed: 1 });
        const fb = new BloomFilter({ bits: 2048, hashes: 4, seed: 1 });
        for (const key of a) fa.add(key);
        for (const key of b) fb.add(key);
        const u = fa.union(fb);
        return [...a, ...b].every((key) => u.has(key)) && u.count === a.length + b.length;
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('intersection(other) answers true for every key added to both', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string()),
        fc.array(fc.string()),
        fc.array(fc.string()),
        (a, b, c) => {
          const fa = new BloomFilter({ bits: 2048, hashes: 4, seed: 2 });
          const fb = new BloomFilter({ bits: 2048, hashes: 4, seed: 2 });
          for (const key of [...a, ...c]) fa.add(key);
          for (const key of [...b, ...c]) fb.add(key);
          const both = fa.intersection(fb);
          return c.every((key) => both.has(key));
        },
      ),
      { seed: 8, numRuns: 200 },
    );
  });

  it('union(other) and intersection(other) leave both inputs unchanged', () => {
    const a = new BloomFilter({ bits: 256, hashes: 2 });
    const b = new BloomFilter({ bits: 256, hashes: 2 });
    a.add('a');
    b.add('b');
    const before = Array.from(a.words);
    a.union(b);
    a.intersection(b);
    expect(Array.from(a.words)).toEqual(before);
    expect(b.has('b')).toBe(true);
  });

  it.each([
    ['bits', { bits: 257, hashes: 2, seed: 0 }],
    ['hashes', { bits: 256, hashes: 3, seed: 0 }],
    ['seed', { bits: 256, hashes: 2, seed: 1 }],
  ])('union(other) and intersection(other) throw naming the mismatched %s', (field, options) => {
    const a = new BloomFilter({ bits: 256, hashes: 2, seed: 0 });
    const b = new BloomFilter(options);
    expect(() => a.union(b)).toThrow(new RegExp(`union: filters differ in ${field}`));
    expect(() => a.intersection(b)).toThrow(new RegExp(`intersection: filters differ in ${field}`));
  });

  it('clone() is independent and clear() empties', () => {
    const a = new BloomFilter({ bits: 256, hashes: 2 });
    a.add('x');
    const before = Array.from(a.words);
    const b = a.clone();
    expect(Array.from(b.words)).toEqual(before);
    b.add('y');
    expect(Array.from(a.words)).toEqual(before);
    expect(b.count).toBe(2);
    expect(a.count).toBe(1);
    a.clear();
    expect(a.has('x')).toBe(false);
    expect(a.count).toBe(0);
    expect(b.has('x')).toBe(true);
  });

  it('popcount32(word) counts the 1 bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    expect(popcount32(0x12345678)).toBe(13);
  });
});

describe('naiveRemove', () => {
  it('naiveRemove(filter, key, inserted) creates false negatives in a plain filter', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `word-${i}`);
    let found: { victim: string; lost: unknown[] } | undefined;
    for (const victim of keys) {
      const filter = new BloomFilter({ bits: 64, hashes: 3, seed: 1 });
      for (const key of keys) filter.add(key);
      const lost = naiveRemove(filter, victim, keys);
      // Cross-check: exactly the other keys that now test absent are reported.
      expect(lost).toEqual(keys.filter((key) => key !== victim && !filter.has(key)));
      if (lost.length > 0) {
        found = { victim, lost };
        break;
      }
    }
    expect(found).toBeDefined();
    expect(found?.victim).toBe('word-0');
    expect(found?.lost.length).toBeGreaterThan(0);
  });

  it('naiveRemove(filter, key, inserted) treats a string and its UTF-8 bytes as the same key', () => {
    const filter = new BloomFilter({ bits: 64, hashes: 3 });
    filter.add('é');
    expect(naiveRemove(filter, 'é', [new Uint8Array([0xc3, 0xa9])])).toEqual([]);
  });
});
