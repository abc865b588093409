/**
 * Counting Bloom filter (Fan, Cao, Almeida, Broder 2000): each of the m positions is a 4-bit
 * counter instead of a bit, so keys can be removed. Counters are packed two per byte: counter i
 * is the low nibble of bytes[i >>> 1] when i is even, the high nibble when i is odd.
 * Positions come from the same hashing scheme as BloomFilter (see bloom.ts).
 *
 * Saturation: a counter that reaches 15 stays at 15 and is never decremented again. Once it has
 * saturated it no longer knows how many keys rest on it; decrementing it could bring it to 0 while
 * keys that hash there are still in the set, turning them into false negatives. Leaving it stuck
 * costs at most a little extra false-positive rate.
 */
import { type BloomOptions, checkOptions, indicesInto, PAIR, secondSeed } from './bloom.ts';
import { fmix32, hashKeyPairInto, type Key } from './hash.ts';
import { sizeFor } from './sizing.ts';

/** The value at which a 4-bit counter sticks. */
export const COUNTER_MAX = 15;

const TWO_POW_32 = 4294967296;

/**
 * A counting Bloom filter with `bits` 4-bit counters and `hashes` hash functions.
 * @example
 * const f = CountingBloomFilter.forCapacity(1000, 0.01);
 * f.add('apple'); f.remove('apple'); f.has('apple'); // false
 */
export class CountingBloomFilter {
  /** Number of counters, m (the positions of a plain filter). */
  readonly bits: number;
  /** Hash functions per key, k. */
  readonly hashes: number;
  /** 32-bit seed of h1 (h2 uses the same derived seed as BloomFilter). */
  readonly seed: number;
  /** The packed counters: two 4-bit counters per byte, even index in the low nibble. */
  readonly nibbles: Uint8Array;
  private addCount = 0;
  private readonly seed2: number;
  private readonly scale: number;
  private readonly scratch: Uint32Array;

  /**
   * An empty filter with `bits` counters and `hashes` hash functions; throws for bits outside
   * [1, 2^32 − 1], hashes outside [1, 255], or a seed that is not a 32-bit unsigned integer.
   * @example new CountingBloomFilter({ bits: 1024, hashes: 3 })
   */
  constructor(options: BloomOptions) {
    this.seed = checkOptions(options);
    this.bits = options.bits;
    this.hashes = options.hashes;
    this.seed2 = secondSeed(this.seed);
    this.scale = this.bits / TWO_POW_32;
    this.nibbles = new Uint8Array(Math.ceil(this.bits / 2));
    this.scratch = new Uint32Array(this.hashes);
  }

  /**
   * An empty filter sized by sizeFor(n, p) (one counter per bit of the plain filter).
   * @example CountingBloomFilter.forCapacity(1e6, 0.01).sizeBytes // 4,792,530 (4 × the bits)
   */
  static forCapacity(n: number, p: number, seed = 0): CountingBloomFilter {
    const { bits, hashes } = sizeFor(n, p);
    return new CountingBloomFilter({ bits, hashes, seed });
  }

  /** Keys added minus keys successfully removed. */
  get count(): number {
    return this.addCount;
  }

  /** Storage of the counters in bytes: ceil(bits / 2). */
  get sizeBytes(): number {
    return this.nibbles.byteLength;
  }

  /**
   * Inserts a key: increments its k counters (a repeated position is incremented once per
   * occurrence), leaving counters at 15 stuck. No allocation.
   * @example f.add('apple')
   */
  add(key: Key): void {
    const idx = this.positions(key);
    const bytes = this.nibbles;
    for (let i = 0; i < this.hashes; i++) {
      const index = idx[i];
      const b = index >>> 1;
      const shift = (index & 1) << 2;
      const value = (bytes[b] >>> shift) & 0xf;
      if (value < COUNTER_MAX) bytes[b] += 1 << shift;
    }
    this.addCount++;
  }

  /**
   * Whether the key may be in the set: false means certainly absent (unless a key that was
   * never added was removed). No allocation.
   * @example f.has('apple') // true after f.add('apple')
   */
  has(key: Key): boolean {
    hashKeyPairInto(key, this.seed, this.seed2, PAIR);
    const h2 = PAIR[1];
    const scale = this.scale;
    const bytes = this.nibbles;
    let x = PAIR[0];
    for (let i = 0; i < this.hashes; i++) {
      const index = (fmix32(x) * scale) >>> 0;
      if (((bytes[index >>> 1] >>> ((index & 1) << 2)) & 0xf) === 0) return false;
      x = (x + h2) >>> 0;
    }
    return true;
  }

  /**
   * Removes a key added before: decrements its k counters except stuck ones (15). Returns false
   * and changes nothing when has(key) is false. Removing a key that was never added but tests
   * present (a false positive) corrupts the filter; only remove keys you added.
   * @example f.add('apple'); f.remove('apple') // true
   */
  remove(key: Key): boolean {
    const idx = this.positions(key);
    const bytes = this.nibbles;
    const k = this.hashes;
    for (let i = 0; i < k; i++) {
      const index = idx[i];
      if (((bytes[index >>> 1] >>> ((index & 1) << 2)) & 0xf) === 0) return false;
    }
    // A position repeated among the k is decremented once per occurrence, mirroring add().
    for (let i = 0; i < k; i++) {
      const index = idx[i];
      const b = index >>> 1;
      const shift = (index & 1) << 2;
      const value = (bytes[b] >>> shift) & 0xf;
      if (value > 0 && value < COUNTER_MAX) bytes[b] -= 1 << shift;
    }
    this.addCount = Math.max(0, this.addCount - 1);
    return true;
  }

  /**
   * The k counter indices of a key in hash order, possibly repeated (same as BloomFilter's);
   * written into `out` (length ≥ k) when given, else into a new array.
   * @example f.indicesOf('apple') // Uint32Array(k)
   */
  indicesOf(key: Key, out?: Uint32Array): Uint32Array {
    const target = out ?? new Uint32Array(this.hashes);
    if (target.length < this.hashes) {
      throw new Error(`indicesOf: out has length ${target.length}, needs ≥ ${this.hashes}`);
    }
    hashKeyPairInto(key, this.seed, this.seed2, PAIR);
    indicesInto(PAIR[0], PAIR[1], this.hashes, this.scale, target);
    return target;
  }

  /**
   * The value 0 … 15 of counter `index` (0 … bits−1); 15 means saturated (stuck).
   * @example f.counter(f.indicesOf('apple')[0]) // ≥ 1 after f.add('apple')
   */
  counter(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.bits) {
      throw new Error(`counter index must be an integer in [0, ${this.bits - 1}], got ${index}`);
    }
    return (this.nibbles[index >>> 1] >>> ((index & 1) << 2)) & 0xf;
  }

  /**
   * Number of counters stuck at 15.
   * @example new CountingBloomFilter({ bits: 8, hashes: 1 }).saturatedCount() // 0
   */
  saturatedCount(): number {
    let total = 0;
    const bytes = this.nibbles;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if ((b & 0xf) === 0xf) total++;
      if (b >>> 4 === 0xf) total++;
    }
    return total;
  }

  /**
   * Number of non-zero counters (the set bits of the equivalent plain filter).
   * @example f.nonZeroCount() // ≤ k · count
   */
  nonZeroCount(): number {
    let total = 0;
    const bytes = this.nibbles;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if ((b & 0xf) !== 0) total++;
      if (b >>> 4 !== 0) total++;
    }
    return total;
  }

  /**
   * Sets the count; used by deserialization. Throws for a negative or fractional count.
   * @internal
   */
  restoreCount(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new Error(`count must be a non-negative safe integer, got ${count}`);
    }
    this.addCount = count;
  }

  private positions(key: Key): Uint32Array {
    hashKeyPairInto(key, this.seed, this.seed2, PAIR);
    indicesInto(PAIR[0], PAIR[1], this.hashes, this.scale, this.scratch);
    return this.scratch;
  }
}
