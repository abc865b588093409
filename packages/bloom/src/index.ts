export {
  BloomFilter,
  type BloomOptions,
  MAX_BITS,
  MAX_HASHES,
  naiveRemove,
} from './bloom.ts';
export { COUNTER_MAX, CountingBloomFilter } from './counting.ts';
export { BinaryFuse8, type BinaryFuse8Parts } from './fuse.ts';
export {
  fmix32,
  hashKey,
  hashKeyPairInto,
  type Key,
  murmur3_32,
  murmur3_32x2,
} from './hash.ts';
export { ScalableBloomFilter, type ScalableOptions, subFilterSeed } from './scalable.ts';
export {
  type AnyFilter,
  decodeBase64,
  deserializeFilter,
  encodeBase64,
  FILTER_FORMAT_VERSION,
  FILTER_KIND,
  FILTER_MAGIC,
  FilterFormatError,
  filterFromJSON,
  filterToJSON,
  serializeFilter,
} from './serialize.ts';
export {
  bitsPerKeyFor,
  type FilterSize,
  falsePositiveRate,
  optimalHashes,
  sizeFor,
} from './sizing.ts';
export { encodeUtf8Into, utf8Scratch } from './utf8.ts';
