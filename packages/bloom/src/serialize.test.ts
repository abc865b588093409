import { describe, expect, it } from 'vitest';
import { BloomFilter } from './bloom.ts';
import { CountingBloomFilter } from './counting.ts';
import { BinaryFuse8 } from './fuse.ts';
import { ScalableBloomFilter } from './scalable.ts';
import {
  type AnyFilter,
  decodeBase64,
  deserializeFilter,
  encodeBase64,
  FilterFormatError,
  filterFromJSON,
  filterToJSON,
  serializeFilter,
} from './serialize.ts';

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function makeAll(): Record<string, AnyFilter> {
  const bloom = BloomFilter.forCapacity(2000, 0.01, 17);
  const counting = CountingBloomFilter.forCapacity(2000, 0.01, 18);
  const scalable = new ScalableBloomFilter({ initialCapacity: 300, errorRate: 0.01, seed: 19 });
  for (const key of keys('in', 2000)) {
    bloom.add(key);
    counting.add(key);
    scalable.add(key);
  }
  counting.remove('in0');
  const fuse = BinaryFuse8.build(keys('in', 2000), { seed: 20 });
  return { bloom, counting, scalable, fuse };
}

/** Expects `run` to throw a FilterFormatError at `offset` whose message matches `pattern`. */
function expectFormatError(run: () => unknown, offset: number, pattern: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FilterFormatError);
  const error = caught as FilterFormatError;
  expect(error.message).toMatch(pattern);
  expect(error.offset).toBe(offset);
  expect(error.message).toContain(`at byte offset ${offset}`);
}

function setU32(bytes: Uint8Array, offset: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value, true);
}

describe('serializeFilter / deserializeFilter', () => {
  const all = makeAll();
  const queries = [...keys('in', 2000), ...keys('out', 8000)];

  it.each(Object.keys(all))(
    'deserializeFilter(serializeFilter(%s)) answers has() the same on 10k keys',
    (name) => {
      const filter = all[name];
      const copy = deserializeFilter(serializeFilter(filter));
      expect(copy.constructor).toBe(filter.constructor);
      expect(queries.map((key) => copy.has(key))).toEqual(queries.map((key) => filter.has(key)));
      expect(serializeFilter(copy)).toEqual(serializeFilter(filter));
    },
  );

  it('deserializeFilter(bytes) restores every field of each kind', () => {
    const bloom = deserializeFilter(serializeFilter(all.bloom)) as BloomFilter;
    const b = all.bloom as BloomFilter;
    expect([bloom.bits, bloom.hashes, bloom.seed, bloom.count]).toEqual([b.bits, 7, 17, 2000]);
    expect(bloom.words).toEqual(b.words);
    const counting = deserializeFilter(serializeFilter(all.counting)) as CountingBloomFilter;
    expect(counting.count).toBe(1999);
    expect(Array.from(counting.nibbles)).toEqual(
      Array.from((all.counting as CountingBloomFilter).nibbles),
    );
    const scalable = deserializeFilter(serializeFilter(all.scalable)) as ScalableBloomFilter;
    const original = all.scalable as ScalableBloomFilter;
    expect(scalable.filters.length).toBe(original.filters.length);
    expect(scalable.count).toBe(original.count);
    expect(scalable.errorBound()).toBe(original.errorBound());
    // The copy keeps growing exactly like the original.
    for (const key of keys('more', 3000)) expect(scalable.add(key)).toBe(original.add(key));
    expect(serializeFilter(scalable)).toEqual(serializeFilter(original));
    const fuse = deserializeFilter(serializeFilter(all.fuse)) as BinaryFuse8;
    const f = all.fuse as BinaryFuse8;
    expect([fuse.seed, fuse.size, fuse.segmentLength, fuse.segmentCount]).toEqual([
      f.seed,
      f.size,
      f.segmentLength,
      f.segmentCount,
    ]);
  });

  it('serializeFilter(bloom) follows the documented byte layout', () => {
    const filter = new BloomFilter({ bits: 40, hashes: 3, seed: 0x01020304 });
    filter.add('a');
    const bytes = serializeFilter(filter);
    expect(bytes.length).toBe(28 + 8);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x58, 0x50, 0x42, 0x46, 1, 0, 1, 0]);
    expect(Array.from(bytes.subarray(8, 28))).toEqual([
      40, 0, 0, 0, 3, 0, 0, 0, 4, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(28, true)).toBe(filter.words[0]);
    expect(view.getUint32(32, true)).toBe(filter.words[1]);
  });

  it('serializeFilter(empty and tiny filters) round-trips', () => {
    for (const filter of [
      new BloomFilter({ bits: 1, hashes: 1 }),
      new CountingBloomFilter({ bits: 1, hashes: 1 }),
      new ScalableBloomFilter({ initialCapacity: 1, errorRate: 0.5 }),
      BinaryFuse8.build([]),
    ]) {
      const copy = deserializeFilter(serializeFilter(filter));
      expect(serializeFilter(copy)).toEqual(serializeFilter(filter));
      expect(copy.has('x')).toBe(false);
    }
  });

  it('deserializeFilter(bytes) rejects wrong magic at offset 0', () => {
    const bytes = serializeFilter(all.bloom);
    for (const i of [0, 1, 2, 3]) {
      const bad = bytes.slice();
      bad[i] ^= 0x20;
      expectFormatError(() => deserializeFilter(bad), 0, /wrong magic/);
    }
    expectFormatError(() => deserializeFilter(new Uint8Array([0x50])), 0, /wrong magic/);
  });

  it('deserializeFilter(bytes) rejects an unsupported version at offset 4', () => {
    for (const version of [0, 2, 0x100]) {
      const bad = serializeFilter(all.bloom);
      new DataView(bad.buffer).setUint16(4, version, true);
      expectFormatError(
        () => deserializeFilter(bad),
        4,
        new RegExp(`unsupported format version ${version}`),
      );
    }
  });

  it('deserializeFilter(bytes) rejects an unknown kind at offset 6 and non-zero flags at 7', () => {
    for (const kind of [0, 5, 255]) {
      const bad = serializeFilter(all.bloom);
      bad[6] = kind;
      expectFormatError(() => deserializeFilter(bad), 6, new RegExp(`unknown filter kind ${kind}`));
    }
    const bad = serializeFilter(all.bloom);
    bad[7] = 1;
    expectFormatError(() => deserializeFilter(bad), 7, /flags/);
  });

  const small: Record<string, AnyFilter> = {
    bloom: new BloomFilter({ bits: 45, hashes: 2, seed: 1 }),
    counting: new CountingBloomFilter({ bits: 9, hashes: 2, seed: 1 }),
    scalable: new ScalableBloomFilter({ initialCapacity: 2, errorRate: 0.3, seed: 1 }),
    fuse: BinaryFuse8.build(['a', 'b', 'c'], { seed: 1 }),
  };
  for (const key of ['a', 'b', 'c', 'd', 'e']) {
    (small.bloom as BloomFilter).add(key);
    (small.counting as CountingBloomFilter).add(key);
    (small.scalable as ScalableBloomFilter).add(key);
  }

  it.each(Object.keys(small))(
    'deserializeFilter(bytes truncated at every length) of a small %s reports where bytes ran out',
    (name) => {
      const bytes = serializeFilter(small[name]);
      if (name === 'scalable')
        expect((small.scalable as ScalableBloomFilter).filters.length).toBe(2);
      for (let length = 0; length < bytes.length; length++) {
        expectFormatError(() => deserializeFilter(bytes.slice(0, length)), length, /truncated/);
      }
      expect(() => deserializeFilter(bytes)).not.toThrow();
    },
  );

  it('deserializeFilter(bytes) names the field, the offset and the expected byte count on truncation', () => {
    const bytes = serializeFilter(small.bloom).slice(0, 30);
    expectFormatError(
      () => deserializeFilter(bytes),
      30,
      /truncated bit array of 45 bits: expected 8 bytes from offset 28, but the input ends after 2/,
    );
  });

  it.each(Object.keys(small))(
    'deserializeFilter(bytes + trailing bytes) of a %s is rejected at the end',
    (name) => {
      const bytes = serializeFilter(small[name]);
      const longer = new Uint8Array(bytes.length + 3);
      longer.set(bytes);
      expectFormatError(() => deserializeFilter(longer), bytes.length, /3 trailing bytes/);
    },
  );

  it('deserializeFilter(bytes) rejects inconsistent Bloom fields at their offsets', () => {
    const base = serializeFilter(small.bloom);
    const cases: [number, number, RegExp][] = [
      [8, 0, /bits must be an integer in \[1, /],
      [12, 0, /hashes must be an integer in \[1, 255\]/],
      [12, 256, /hashes must be/],
      [24, 0x00200000, /count must be an integer/],
    ];
    for (const [offset, value, pattern] of cases) {
      const bad = base.slice();
      setU32(bad, offset, value);
      expectFormatError(() => deserializeFilter(bad), offset === 24 ? 20 : offset, pattern);
    }
    // More bits than the payload holds: the payload looks truncated.
    const longer = base.slice();
    setU32(longer, 8, 65);
    expectFormatError(
      () => deserializeFilter(longer),
      base.length,
      /truncated bit array of 65 bits/,
    );
    // Fewer bits than the payload holds: the second word is left over as trailing bytes.
    const shorter = base.slice();
    setU32(shorter, 8, 32);
    expectFormatError(() => deserializeFilter(shorter), 32, /4 trailing bytes/);
    // A set bit beyond m in the last word (word 1 starts at byte 32; bit 45 is bit 13 of word 1).
    const padded = base.slice();
    padded[33] |= 0x20;
    expectFormatError(() => deserializeFilter(padded), 32, /past the end of the filter are set/);
  });

  it('deserializeFilter(bytes) rejects a counting filter whose unused last nibble is set', () => {
    const bad = serializeFilter(small.counting);
    bad[bad.length - 1] |= 0x10;
    expectFormatError(() => deserializeFilter(bad), bad.length - 1, /high nibble of the last byte/);
  });

  it('deserializeFilter(bytes) rejects inconsistent scalable fields at their offsets', () => {
    const base = serializeFilter(small.scalable);
    const f64 = (offset: number, value: number) => {
      const bad = base.slice();
      new DataView(bad.buffer).setFloat64(offset, value, true);
      return bad;
    };
    expectFormatError(() => deserializeFilter(f64(8, 1)), 8, /errorRate must be in \(0, 1\)/);
    expectFormatError(() => deserializeFilter(f64(8, Number.NaN)), 8, /errorRate/);
    expectFormatError(() => deserializeFilter(f64(16, 0.5)), 16, /growth/);
    expectFormatError(() => deserializeFilter(f64(24, 0)), 24, /tightening/);
    const u32 = (offset: number, value: number) => {
      const bad = base.slice();
      setU32(bad, offset, value);
      return bad;
    };
    expectFormatError(() => deserializeFilter(u32(32, 0)), 32, /initialCapacity/);
    expectFormatError(() => deserializeFilter(u32(40, 0)), 40, /sub-filter count/);
    expectFormatError(() => deserializeFilter(u32(40, 65)), 40, /sub-filter count/);
    // Sub-filter 0's fields start at 44: bits, hashes, seed, count.
    const sub0 = (small.scalable as ScalableBloomFilter).filters[0];
    expectFormatError(
      () => deserializeFilter(u32(44, sub0.bits + 32)),
      44,
      /sub-filter 0: bits is/,
    );
    expectFormatError(
      () => deserializeFilter(u32(48, sub0.hashes + 1)),
      48,
      /sub-filter 0: hashes/,
    );
    expectFormatError(() => deserializeFilter(u32(52, sub0.seed ^ 1)), 52, /sub-filter 0: seed/);
    expectFormatError(
      () => deserializeFilter(u32(56, 1)),
      56,
      /sub-filter 0: count is 1, expected 2 \(full\)/,
    );
    // The seed of the whole filter determines the sub-filter seeds.
    expectFormatError(() => deserializeFilter(u32(36, 2)), 52, /sub-filter 0: seed/);
    // The last sub-filter's count may not exceed its capacity (4).
    const sub1At = 44 + 20 + sub0.words.byteLength;
    expectFormatError(() => deserializeFilter(u32(sub1At + 12, 5)), sub1At + 12, /at most 4/);
  });

  it('deserializeFilter(bytes) rejects inconsistent fuse fields at their offsets', () => {
    const base = serializeFilter(small.fuse);
    const u32 = (offset: number, value: number) => {
      const bad = base.slice();
      setU32(bad, offset, value);
      return bad;
    };
    const fuse = small.fuse as BinaryFuse8;
    expectFormatError(
      () => deserializeFilter(u32(16, 3)),
      16,
      /segmentLength must be a power of two/,
    );
    expectFormatError(() => deserializeFilter(u32(16, 0)), 16, /segmentLength/);
    expectFormatError(() => deserializeFilter(u32(20, 0)), 20, /segmentCount/);
    expectFormatError(() => deserializeFilter(u32(12, fuse.arrayLength + 1)), 12, /size must be/);
    expectFormatError(
      () => deserializeFilter(u32(20, fuse.segmentCount + 1)),
      base.length,
      /truncated/,
    );
  });

  it('deserializeFilter(not bytes) throws a FilterFormatError', () => {
    expectFormatError(() => deserializeFilter([1, 2] as unknown as Uint8Array), 0, /Uint8Array/);
  });

  it('deserializeFilter(subarray) reads from a view with a non-zero byteOffset', () => {
    const bytes = serializeFilter(small.bloom);
    const host = new Uint8Array(bytes.length + 5);
    host.set(bytes, 5);
    const copy = deserializeFilter(host.subarray(5));
    expect(serializeFilter(copy)).toEqual(bytes);
  });
});

describe('filterToJSON / filterFromJSON', () => {
  const all = makeAll();

  it.each(Object.keys(all))(
    'filterFromJSON(filterToJSON(%s)) answers has() the same, also through JSON text',
    (name) => {
      const filter = all[name];
      const json = filterToJSON(filter);
      const text = JSON.stringify(json);
      for (const copy of [
        filterFromJSON(json),
        filterFromJSON(JSON.parse(text)),
        filterFromJSON(text),
      ]) {
        expect(serializeFilter(copy)).toEqual(serializeFilter(filter));
      }
      const copy = filterFromJSON(text);
      const queries = [...keys('in', 2000), ...keys('out', 8000)];
      expect(queries.map((key) => copy.has(key))).toEqual(queries.map((key) => filter.has(key)));
    },
  );

  it('filterToJSON(bloom) has the documented shape', () => {
    const filter = new BloomFilter({ bits: 40, hashes: 3, seed: 5 });
    expect(filterToJSON(filter)).toEqual({
      format: 'explorables-filter',
      version: 1,
      kind: 'bloom',
      bits: 40,
      hashes: 3,
      seed: 5,
      count: 0,
      data: 'AAAAAAAAAAA=',
    });
  });

  it('filterFromJSON(json) throws naming the bad field', () => {
    const good = filterToJSON(all.bloom) as Record<string, unknown>;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ format: 'other' }, /field "format"/],
      [{ version: 2 }, /field "version": unsupported version 2/],
      [{ kind: 'cuckoo' }, /field "kind"/],
      [{ bits: 0 }, /field "bits": bits must be/],
      [{ bits: '10' }, /field "bits": expected a number/],
      [{ hashes: 1.5 }, /field "hashes"/],
      [{ seed: -1 }, /field "seed"/],
      [{ count: Number.NaN }, /field "count"/],
      [{ data: 'AAAA' }, /field "data": decodes to 3 bytes, expected/],
      [{ data: 'AA!A' }, /field "data": invalid base64 character "!" at position 2/],
      [{ data: 42 }, /field "data": expected a base64 string/],
    ];
    for (const [patch, pattern] of cases) {
      expect(() => filterFromJSON({ ...good, ...patch })).toThrow(pattern);
    }
    expect(() => filterFromJSON(null)).toThrow(/expected an object, got null/);
    expect(() => filterFromJSON('{nope')).toThrow(/does not parse/);
  });

  it('filterFromJSON(scalable json) names the sub-filter field', () => {
    const good = filterToJSON(all.scalable) as { filters: Record<string, unknown>[] };
    const bad = structuredClone(good);
    bad.filters[1].hashes = 99;
    expect(() => filterFromJSON(bad)).toThrow(
      /field "filters\[1\].hashes": sub-filter 1: hashes is 99/,
    );
    const empty = { ...good, filters: [] };
    expect(() => filterFromJSON(empty)).toThrow(/field "filters"/);
    const notObject = { ...good, filters: [1] };
    expect(() => filterFromJSON(notObject)).toThrow(/filters\[0\]/);
  });

  it('filterFromJSON(fuse json) names the bad field', () => {
    const good = filterToJSON(all.fuse) as Record<string, unknown>;
    expect(() => filterFromJSON({ ...good, segmentLength: 3 })).toThrow(/field "segmentLength"/);
    expect(() => filterFromJSON({ ...good, segmentCount: 0 })).toThrow(/field "segmentCount"/);
  });
});

describe('base64', () => {
  it('encodeBase64(bytes) matches RFC 4648 test vectors and decodeBase64 inverts it', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new Uint8Array(Array.from(plain, (c) => c.charCodeAt(0)));
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(Array.from(decodeBase64(encoded))).toEqual(Array.from(bytes));
    }
  });

  it('encodeBase64(bytes) round-trips every byte value and long inputs', () => {
    const bytes = new Uint8Array(40_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
  });

  it('decodeBase64(text) rejects bad length, characters, misplaced padding and padding bits', () => {
    expect(() => decodeBase64('abc')).toThrow(/multiple of 4/);
    expect(() => decodeBase64('ab=c')).toThrow(/position 2/);
    expect(() => decodeBase64('a===')).toThrow(/position 1/);
    expect(() => decodeBase64('Zh==')).toThrow(/padding bits/);
    expect(() => decodeBase64('Zm9=')).toThrow(/padding bits/);
    expect(() => decodeBase64('Zm9vé===')).toThrow(/invalid base64 character/);
  });
});
