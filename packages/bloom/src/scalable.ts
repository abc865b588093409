/**
 * Scalable Bloom filter (Almeida, Baquero, Preguiça, Hutchison, "Scalable Bloom Filters",
 * Information Processing Letters 101(6), 2007): a chain of classic filters that grows as keys
 * arrive while keeping the overall false-positive rate below a bound P.
 *
 * Sub-filter i (i = 0, 1, …) holds capacity_i = ceil(initialCapacity · growth^i) keys at target
 * rate P_i = P · (1 − r) · r^i, with r the tightening ratio. The (1 − r) factor applies from the
 * first sub-filter on, so Σ_i P_i = P · (1 − r) · Σ r^i < P. (Starting at P_0 = P, as some
 * implementations do, makes the bound P / (1 − r) instead: twice the target for r = 1/2.)
 * A key goes into the newest sub-filter; when it holds capacity_i keys the next one is made.
 * Each sub-filter is a BloomFilter sized by sizeFor(capacity_i, P_i) with seed
 * subFilterSeed(seed, i), so sub-filters hash independently.
 */
import { BloomFilter } from './bloom.ts';
import type { Key } from './hash.ts';
import { sizeFor } from './sizing.ts';

/** Parameters of a scalable Bloom filter. */
export interface ScalableOptions {
  /** Keys the first sub-filter holds (integer ≥ 1). */
  initialCapacity: number;
  /** Overall false-positive bound P, in (0, 1). */
  errorRate: number;
  /** Capacity ratio between consecutive sub-filters, ≥ 1 (default 2). */
  growth?: number;
  /** Tightening ratio r of the target rates, in (0, 1) (default 0.5). */
  tightening?: number;
  /** 32-bit seed from which the sub-filter seeds are derived (default 0). */
  seed?: number;
}

/**
 * The seed of sub-filter `index`: the MurmurHash3 finaliser of seed + index · 0x9e3779b9
 * (mod 2^32), so neighbouring indices get unrelated seeds.
 * @example subFilterSeed(0, 1) !== subFilterSeed(0, 0)
 */
export function subFilterSeed(seed: number, index: number): number {
  let h = (seed + Math.imul(index, 0x9e3779b9)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The most sub-filters a scalable filter makes. */
export const MAX_SUB_FILTERS = 64;

/**
 * A Bloom filter that grows with the number of keys while keeping its false-positive rate
 * below `errorRate`.
 * @example
 * const f = new ScalableBloomFilter({ initialCapacity: 1000, errorRate: 0.01 });
 * for (let i = 0; i < 1e5; i++) f.add(`k${i}`); // grows to 7 sub-filters
 */
export class ScalableBloomFilter {
  /** Keys the first sub-filter holds. */
  readonly initialCapacity: number;
  /** The overall false-positive bound P. */
  readonly errorRate: number;
  /** Capacity ratio between consecutive sub-filters. */
  readonly growth: number;
  /** Tightening ratio r of the target rates. */
  readonly tightening: number;
  /** Seed from which the sub-filter seeds derive. */
  readonly seed: number;
  private readonly subFilters: BloomFilter[] = [];
  private readonly capacities: number[] = [];
  private total = 0;

  /**
   * An empty scalable filter with its first sub-filter; throws an Error naming the option when
   * initialCapacity is not an integer ≥ 1, errorRate ∉ (0, 1), growth < 1 or tightening ∉ (0, 1).
   * @example new ScalableBloomFilter({ initialCapacity: 100, errorRate: 0.001, growth: 4 })
   */
  constructor(options: ScalableOptions) {
    const { initialCapacity, errorRate } = options ?? ({} as ScalableOptions);
    const growth = options.growth ?? 2;
    const tightening = options.tightening ?? 0.5;
    const seed = options.seed ?? 0;
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1 || initialCapacity > 0xffffffff) {
      throw new Error(
        `options.initialCapacity must be an integer in [1, 2^32 − 1], got ${String(initialCapacity)}`,
      );
    }
    if (typeof errorRate !== 'number' || !(errorRate > 0 && errorRate < 1)) {
      throw new Error(`options.errorRate must be in (0, 1), got ${String(errorRate)}`);
    }
    if (typeof growth !== 'number' || !(growth >= 1 && growth <= 1024)) {
      throw new Error(`options.growth must be a number in [1, 1024], got ${String(growth)}`);
    }
    if (typeof tightening !== 'number' || !(tightening > 0 && tightening < 1)) {
      throw new Error(`options.tightening must be in (0, 1), got ${String(tightening)}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`options.seed must be an integer in [0, 2^32 − 1], got ${String(seed)}`);
    }
    this.initialCapacity = initialCapacity;
    this.errorRate = errorRate;
    this.growth = growth;
    this.tightening = tightening;
    this.seed = seed;
    this.grow();
  }

  /** The sub-filters made so far, oldest first. */
  get filters(): readonly BloomFilter[] {
    return this.subFilters;
  }

  /** Keys inserted (add() calls that returned true). */
  get count(): number {
    return this.total;
  }

  /** Storage of all sub-filters' bit arrays in bytes. */
  get sizeBytes(): number {
    let bytes = 0;
    for (const f of this.subFilters) bytes += f.sizeBytes;
    return bytes;
  }

  /**
   * Keys sub-filter `index` holds before the next one is made: ceil(initialCapacity · growth^i).
   * @example new ScalableBloomFilter({ initialCapacity: 10, errorRate: 0.01 }).capacityOf(3) // 80
   */
  capacityOf(index: number): number {
    return Math.ceil(this.initialCapacity * this.growth ** index);
  }

  /**
   * Target false-positive rate of sub-filter `index`: errorRate · (1 − r) · r^index.
   * @example new ScalableBloomFilter({ initialCapacity: 10, errorRate: 0.01 }).errorRateOf(0) // 0.005
   */
  errorRateOf(index: number): number {
    return this.errorRate * (1 - this.tightening) * this.tightening ** index;
  }

  /**
   * Inserts a key into the newest sub-filter (making a new one when it is full); returns false,
   * changing nothing, when the key already tests present.
   * @example f.add('apple') // true, then false
   */
  add(key: Key): boolean {
    if (this.has(key)) return false;
    let last = this.subFilters.length - 1;
    if (this.subFilters[last].count >= this.capacities[last]) {
      this.grow();
      last++;
    }
    this.subFilters[last].add(key);
    this.total++;
    return true;
  }

  /**
   * Whether the key may be in the set: true when any sub-filter says so.
   * @example f.has('apple') // true after f.add('apple')
   */
  has(key: Key): boolean {
    const filters = this.subFilters;
    for (let i = filters.length - 1; i >= 0; i--) if (filters[i].has(key)) return true;
    return false;
  }

  /**
   * Σ of the target rates of the n sub-filters made so far, P·(1 − r^n): an upper bound on the
   * false-positive rate once they are full; below errorRate (it only rounds to errorRate in
   * floating point once r^n < 2^−53, e.g. after 53 sub-filters at r = 1/2).
   * @example new ScalableBloomFilter({ initialCapacity: 10, errorRate: 0.01 }).errorBound() // 0.005
   */
  errorBound(): number {
    return this.errorRate * -Math.expm1(this.subFilters.length * Math.log(this.tightening));
  }

  /**
   * Replaces the sub-filters with `filters` (deserialization). Throws naming the sub-filter and
   * field when one does not match what these options would make, when a sub-filter other than
   * the last is not exactly full, or when one holds more than its capacity.
   * @internal
   */
  restoreFilters(filters: readonly BloomFilter[]): void {
    if (filters.length < 1 || filters.length > MAX_SUB_FILTERS) {
      throw new Error(`sub-filter count must be in [1, ${MAX_SUB_FILTERS}], got ${filters.length}`);
    }
    let total = 0;
    for (let i = 0; i < filters.length; i++) {
      const problem = this.checkSubFilter(filters[i], i, i === filters.length - 1);
      if (problem) throw new Error(`sub-filter ${i}: ${problem}`);
      total += filters[i].count;
    }
    this.subFilters.length = 0;
    this.capacities.length = 0;
    for (let i = 0; i < filters.length; i++) {
      this.subFilters.push(filters[i]);
      this.capacities.push(this.capacityOf(i));
    }
    this.total = total;
  }

  /** What is wrong with `filter` as sub-filter `index`, or '' when it fits. @internal */
  checkSubFilter(filter: BloomFilter, index: number, isLast: boolean): string {
    const expected = this.sizeOf(index);
    if (filter.bits !== expected.bits) return `bits is ${filter.bits}, expected ${expected.bits}`;
    if (filter.hashes !== expected.hashes) {
      return `hashes is ${filter.hashes}, expected ${expected.hashes}`;
    }
    const seed = subFilterSeed(this.seed, index);
    if (filter.seed !== seed) return `seed is ${filter.seed}, expected ${seed}`;
    const capacity = this.capacityOf(index);
    if (isLast ? filter.count > capacity : filter.count !== capacity) {
      return `count is ${filter.count}, expected ${isLast ? `≤ ${capacity}` : capacity}`;
    }
    return '';
  }

  private sizeOf(index: number): { bits: number; hashes: number } {
    return sizeFor(this.capacityOf(index), this.errorRateOf(index));
  }

  private grow(): void {
    const index = this.subFilters.length;
    if (index >= MAX_SUB_FILTERS) {
      throw new Error(`ScalableBloomFilter: reached the limit of ${MAX_SUB_FILTERS} sub-filters`);
    }
    const { bits, hashes } = this.sizeOf(index);
    this.subFilters.push(new BloomFilter({ bits, hashes, seed: subFilterSeed(this.seed, index) }));
    this.capacities.push(this.capacityOf(index));
  }
}
