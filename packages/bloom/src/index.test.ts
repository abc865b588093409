import { describe, expect, it } from 'vitest';
import * as bloom from './index.ts';

describe('index', () => {
  it('index re-exports the public API listed in bloom-api.md', () => {
    const names = [
      'sizeFor',
      'falsePositiveRate',
      'optimalHashes',
      'bitsPerKeyFor',
      'BloomFilter',
      'CountingBloomFilter',
      'ScalableBloomFilter',
      'BinaryFuse8',
      'FilterFormatError',
      'serializeFilter',
      'deserializeFilter',
      'filterToJSON',
      'filterFromJSON',
      'murmur3_32',
      'murmur3_32x2',
      'fmix32',
      'hashKey',
      'hashKeyPairInto',
      'naiveRemove',
    ];
    for (const name of names)
      expect(typeof (bloom as Record<string, unknown>)[name], name).toBe('function');
  });

  it('index exports filters that interoperate: a saved filter loads through the same entry', () => {
    const filter = bloom.BloomFilter.forCapacity(100, 0.01, 1);
    filter.add('k');
    const copy = bloom.deserializeFilter(bloom.serializeFilter(filter));
    expect(copy).toBeInstanceOf(bloom.BloomFilter);
    expect(copy.has('k')).toBe(true);
  });
});
