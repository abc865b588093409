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

  it('indicesOf(key) is floor(fmix32((h1 + i·h2) mod 2^32) · m / 2^32) for i < k', () => {
    const filter = new BloomFilter({ bits: 1_000_003, hashes: 9, seed: 77 });
    const [h1, h2] = filter.hashPair('scheme');
    expect(h1).toBe(hashKey('scheme', 77));
    expect(h2).toBe(hashKey('scheme', (77 + 0x9e3779b9) >>> 0));
    const expected = Array.from({ length: 9 }, (_, i) => {
      const x = (BigInt(h1) + BigInt(i) * BigInt(h2)) % 2n ** 32n;
      return Number((fmix32Big(x) * 1_000_003n) >> 32n);
    });
    expect(Array.from(filter.indicesOf('scheme'))).toEqual(expected);
    filter.add('scheme');
    for (const index of expected) expect(filter.getBit(index)).toBe(true);
  });

  it('indicesOf(key) matches the BigInt scheme for any key, m and k (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 1, max: 1 << 22 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (key, bits, hashes, seed) => {
          const filter = new BloomFilter({ bits, hashes, seed });
          const [h1, h2] = filter.hashPair(key);
          const m = BigInt(filter.bits);
          const indices = filter.indicesOf(key);
          for (let i = 0; i < hashes; i++) {
            const x = (BigInt(h1) + BigInt(i) * BigInt(h2)) % 2n ** 32n;
            expect(BigInt(indices[i])).toBe((fmix32Big(x) * m) >> 32n);
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('indicesOf(key) stays below m for m near 2^32 (exact check with BigInt)', () => {
    const bits = 0xffffffff;
    const scale = bits / 2 ** 32;
    // fmix32 is a bijection, so its outputs include 0xffffffff, the input that lands closest to m.
    for (const y of [0xffffffff, 0xfffffffe, 0x80000000, 1, 0]) {
      const index = (y * scale) >>> 0;
      expect(index).toBeLessThan(bits);
      expect(BigInt(index)).toBe((BigInt(y) * BigInt(bits)) >> 32n);
    }
    const filter = new BloomFilter({ bits, hashes: 4, seed: 3 });
    for (const index of filter.indicesOf('near the top')) expect(index).toBeLessThan(bits);
  });

  // The unmixed scheme floor(((h1 + i·h2) mod 2^32) · m / 2^32) put all 7 positions of about 1 key
  // in 1,500 on one or two bits (h2 within ~2^32/m of 0, 2^31 or 2^32). With each step mixed,
  // 7 positions share ≤ 2 bits only if h2 is one of 11 of the 2^32 values or by chance
  // (≈ 10^−13 per key at m = 959), so the expected count here is 0.
  it('indicesOf(key) of 20,000 keys (m = 959, k = 7) never puts 7 positions on ≤ 2 bits', () => {
    const filter = new BloomFilter({ bits: 959, hashes: 7, seed: 1 });
    const out = new Uint32Array(7);
    let collapsed = 0;
    for (let j = 0; j < 20_000; j++) {
      filter.indicesOf(`probe/1/${j}`, out);
      if (new Set(out).size <= 2) collapsed++;
    }
    expect(collapsed).toBe(0);
  });

  // Positions should look like k independent uniform draws from m. The share of keys with ≤ 5
  // distinct of 7 positions in 959 is then P = Σ_{d ≤ 5} P(exactly d distinct), from the
  // occupancy recursion; with 200,000 keys the count is ~Poisson(28.2), and we allow 4 standard
  // deviations plus 2. The unmixed scheme gave 874, 31× as many (h2 near 2^32·j/r cycles r bits).
  it('indicesOf(key) of 200,000 keys has as many with repeated positions as uniform draws', () => {
    const m = 959;
    const k = 7;
    const keys = 200_000;
    const filter = new BloomFilter({ bits: m, hashes: k, seed: 2 });
    const out = new Uint32Array(k);
    const histogram = new Array<number>(k + 1).fill(0);
    for (let j = 0; j < keys; j++) {
      filter.indicesOf(`key-${j}`, out);
      histogram[new Set(out).size]++;
    }
    const distinct = occupancy(m, k);
    const pAtMost5 = distinct.slice(0, 6).reduce((a, b) => a + b, 0);
    const expected = keys * pAtMost5;
    const observed = histogram.slice(0, 6).reduce((a, b) => a + b, 0);
    expect(expected).toBeGreaterThan(25);
    expect(Math.abs(observed - expected)).toBeLessThanOrEqual(4 * Math.sqrt(expected) + 2);
    // The bulk of the distribution too: all 7 distinct in ≈ 97.8 % of keys.
    const expected7 = keys * distinct[7];
    const sd7 = Math.sqrt(keys * distinct[7] * (1 - distinct[7]));
    expect(Math.abs(histogram[7] - expected7)).toBeLessThanOrEqual(4 * sd7);
  });

  // A nearly empty filter is where collapsed keys showed: at 30 keys in 959 bits (k = 7) about
  // 20 % of bits are set and the formula gives ≈ 10^−5, while a key on one or two bits is a false
  // positive 20 % or 4 % of the time. Predicted count: for each filter, queries·(X/m)^k, exact for
  // k independent uniform positions given the filter's X set bits (this removes the variance of
  // the fill). 20 filters × 100,000 absent keys: ≈ 23 expected, Poisson; tolerance 4 standard
  // deviations plus 3. The unmixed scheme gave 184 against 24.9 predicted (7×) here.
  it('has(absentKey) at 30 keys (m = 959, k = 7) is a false positive at rate (X/m)^k', () => {
    const m = 959;
    const k = 7;
    const queries = 100_000;
    let observed = 0;
    let expected = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const filter = new BloomFilter({ bits: m, hashes: k, seed });
      for (let i = 0; i < 30; i++) filter.add(`added/${seed}/${i}`);
      for (let j = 0; j < queries; j++) if (filter.has(`probe/${seed}/${j}`)) observed++;
      expected += queries * (filter.setBitCount() / m) ** k;
    }
    expect(expected).toBeGreaterThan(10);
    expect(Math.abs(observed - expected)).toBeLessThanOrEqual(4 * Math.sqrt(expected) + 3);
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

/** MurmurHash3's fmix32 in BigInt arithmetic, written out independently of hash.ts. */
function fmix32Big(x: bigint): bigint {
  const mask = 0xffffffffn;
  let h = x & mask;
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & mask;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & mask;
  h ^= h >> 16n;
  return h;
}

/** P(exactly d distinct values among k independent uniform draws from m), d = 0 … k. */
function occupancy(m: number, k: number): number[] {
  let p = [1];
  for (let draw = 0; draw < k; draw++) {
    const next = new Array<number>(p.length + 1).fill(0);
    for (let d = 0; d < p.length; d++) {
      next[d] += p[d] * (d / m);
      next[d + 1] += p[d] * ((m - d) / m);
    }
    p = next;
  }
  return p;
}
