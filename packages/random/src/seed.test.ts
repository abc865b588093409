import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childKey, seedKey, xoshiroWordsFromKey } from './seed.ts';

describe('seedKey', () => {
  it('seedKey(seed) is deterministic (pinned for 12345)', () => {
    // Changing this key changes every seeded figure on the site.
    expect(seedKey(12345)).toEqual([0x6bb2de3b, 0xfb874380, 0x52a3d565, 0xb1de8d32]);
    expect(seedKey('essay')).toEqual(seedKey('essay'));
  });

  it('seedKey(0) equals seedKey(-0) but differs from seedKey("0") and seedKey("")', () => {
    expect(seedKey(-0)).toEqual(seedKey(0));
    expect(seedKey('0')).not.toEqual(seedKey(0));
    expect(seedKey('')).not.toEqual(seedKey(0));
  });

  it('seedKey(x) distinguishes numbers one ulp apart and beyond 2^32', () => {
    expect(seedKey(1)).not.toEqual(seedKey(1 + Number.EPSILON));
    expect(seedKey(2 ** 32)).not.toEqual(seedKey(0));
    expect(seedKey(2 ** 53 - 1)).not.toEqual(seedKey(2 ** 53 - 2));
  });

  it('seedKey(text) hashes UTF-8 bytes, so strings differing in one trailing byte differ', () => {
    expect(seedKey('abc')).not.toEqual(seedKey('abc\u0000'));
    expect(seedKey('é')).not.toEqual(seedKey('e\u0301'));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'seedKey(%d) throws asking for a finite number or a string',
    (seed) => {
      expect(() => seedKey(seed)).toThrow(/seed must be a finite number or a string/);
    },
  );

  it('seedKey(value of another type) throws naming the type', () => {
    expect(() => seedKey({} as unknown as string)).toThrow(/got object/);
    expect(() => seedKey(10n as unknown as number)).toThrow(/got bigint/);
  });

  it('seedKey(a) differs from seedKey(b) for distinct strings and numbers', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(seedKey(a)).not.toEqual(seedKey(b));
      }),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double(), (a, b) => {
        fc.pre(Number.isFinite(b) && a !== b);
        expect(seedKey(a)).not.toEqual(seedKey(b));
      }),
    );
  });

  it('seedKey(i) for 100k consecutive integers gives 100k distinct first key words', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(seedKey(i)[0]);
    // A 32-bit word collides among 100k random values with expected count about 1.2.
    expect(seen.size).toBeGreaterThan(100_000 - 10);
  });
});

describe('childKey', () => {
  it('childKey(parent, index) differs for different indices and for different parents', () => {
    const parent = seedKey(7);
    expect(childKey(parent, 0)).not.toEqual(childKey(parent, 1));
    expect(childKey(parent, 0)).not.toEqual(childKey(parent, '0'));
    expect(childKey(parent, 0)).not.toEqual(childKey(seedKey(8), 0));
    expect(childKey(parent, 0)).not.toEqual(parent);
    expect(childKey(parent, 'a')).toEqual(childKey(seedKey(7), 'a'));
  });

  it('childKey(parent, NaN) throws naming the child index', () => {
    expect(() => childKey(seedKey(1), Number.NaN)).toThrow(/child index must be a finite/);
  });
});

describe('xoshiroWordsFromKey', () => {
  it('xoshiroWordsFromKey(key) is the first splitmix32 output of each key word', () => {
    // Expected words: the C reference splitmix32 from states 0, 1, 42 and 2^32 - 1.
    expect(xoshiroWordsFromKey([0, 1, 42, 0xffffffff])).toEqual([
      0x92ca2f0e, 0x96a0f96b, 0x3805ea2c, 0x36deb503,
    ]);
  });

  it('xoshiroWordsFromKey(key) replaces an all-zero expansion by a non-zero state', () => {
    // 0x61c88647 = -0x9e3779b9 mod 2^32, so splitmix32's first output from it is mix32(0) = 0.
    const words = xoshiroWordsFromKey([0x61c88647, 0x61c88647, 0x61c88647, 0x61c88647]);
    expect(words).toEqual([0x9e3779b9, 0, 0, 0]);
  });
});
