import {
  type AnyFilter,
  BinaryFuse8,
  BloomFilter,
  CountingBloomFilter,
  falsePositiveRate,
  ScalableBloomFilter,
} from '@explorables/bloom';

/** The four filter kinds the CLI builds, as spelled on the command line. */
export type FilterKind = 'bloom' | 'counting' | 'scalable' | 'fuse';

/** One sub-filter of a scalable filter. */
export interface SubFilterStats {
  bits: number;
  hashes: number;
  count: number;
  fillRatio: number;
}

/** What `info` reports about a filter; null marks a field that does not apply to the kind. */
export interface FilterStats {
  kind: FilterKind;
  sizeBytes: number;
  /** Bits (bloom), counters (counting), total bits (scalable), fingerprint bits (fuse). */
  bits: number;
  /** Hash functions per key; null for scalable (see `filters`). */
  hashes: number | null;
  seed: number;
  /** Keys added (bloom, counting, scalable) or distinct keys (fuse). */
  count: number;
  /** Share of set bits or non-zero counters; null for fuse. */
  fillRatio: number | null;
  /** False-positive rate estimated from the fill ratio (fuse: 2^-8). */
  estimatedFalsePositiveRate: number;
  /** False-positive rate predicted from bits, hashes and count (fuse: 2^-8). */
  predictedFalsePositiveRate: number;
  /** Storage bits per key: 8·sizeBytes / count; null when count is 0. */
  bitsPerKey: number | null;
  /** Sub-filters of a scalable filter, else null. */
  filters: SubFilterStats[] | null;
}

/** A binary fuse filter with 8-bit fingerprints answers "maybe" for a stranger with rate 2^-8. */
export const FUSE8_FALSE_POSITIVE_RATE = 2 ** -8;

/**
 * Describes any filter: kind, size, occupancy and false-positive rates (estimated from the fill
 * ratio and predicted from the key count).
 * @example statsOf(BloomFilter.forCapacity(1000, 0.01)).kind // 'bloom'
 */
export function statsOf(filter: AnyFilter): FilterStats {
  const perKey = (count: number): number | null =>
    count > 0 ? (filter.sizeBytes * 8) / count : null;
  if (filter instanceof BloomFilter) {
    return {
      kind: 'bloom',
      sizeBytes: filter.sizeBytes,
      bits: filter.bits,
      hashes: filter.hashes,
      seed: filter.seed,
      count: filter.count,
      fillRatio: filter.fillRatio(),
      estimatedFalsePositiveRate: filter.estimatedFalsePositiveRate(),
      predictedFalsePositiveRate: falsePositiveRate(filter.bits, filter.count, filter.hashes),
      bitsPerKey: perKey(filter.count),
      filters: null,
    };
  }
  if (filter instanceof CountingBloomFilter) {
    const fillRatio = filter.nonZeroCount() / filter.bits;
    return {
      kind: 'counting',
      sizeBytes: filter.sizeBytes,
      bits: filter.bits,
      hashes: filter.hashes,
      seed: filter.seed,
      count: filter.count,
      fillRatio,
      estimatedFalsePositiveRate: fillRatio ** filter.hashes,
      predictedFalsePositiveRate: falsePositiveRate(filter.bits, filter.count, filter.hashes),
      bitsPerKey: perKey(filter.count),
      filters: null,
    };
  }
  if (filter instanceof ScalableBloomFilter) {
    const subs = filter.filters;
    let bits = 0;
    let setBits = 0;
    let estimatedMiss = 1;
    let predictedMiss = 1;
    for (const sub of subs) {
      bits += sub.bits;
      setBits += sub.setBitCount();
      estimatedMiss *= 1 - sub.estimatedFalsePositiveRate();
      predictedMiss *= 1 - falsePositiveRate(sub.bits, sub.count, sub.hashes);
    }
    return {
      kind: 'scalable',
      sizeBytes: filter.sizeBytes,
      bits,
      hashes: null,
      seed: filter.seed,
      count: filter.count,
      fillRatio: bits > 0 ? setBits / bits : 0,
      estimatedFalsePositiveRate: 1 - estimatedMiss,
      predictedFalsePositiveRate: 1 - predictedMiss,
      bitsPerKey: perKey(filter.count),
      filters: subs.map((sub) => ({
        bits: sub.bits,
        hashes: sub.hashes,
        count: sub.count,
        fillRatio: sub.fillRatio(),
      })),
    };
  }
  if (filter instanceof BinaryFuse8) {
    return {
      kind: 'fuse',
      sizeBytes: filter.sizeBytes,
      bits: filter.fingerprints.length * 8,
      hashes: 3,
      seed: filter.seed,
      count: filter.size,
      fillRatio: null,
      estimatedFalsePositiveRate: FUSE8_FALSE_POSITIVE_RATE,
      predictedFalsePositiveRate: FUSE8_FALSE_POSITIVE_RATE,
      bitsPerKey: perKey(filter.size),
      filters: null,
    };
  }
  throw new Error(`statsOf: unknown filter type ${String(filter)}`);
}
