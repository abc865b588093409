/**
 * The classic Bloom filter (Bloom 1970): m bits, k hash functions, no false negatives.
 *
 * Hashing scheme (part of the file format: a filter saved by one version must answer the same in
 * the next, so do not change it without bumping the format version in serialize.ts):
 *   1. The key's bytes (strings as UTF-8) are hashed twice with MurmurHash3 x86_32:
 *      h1 = murmur3_32(key, seed), h2 = murmur3_32(key, (seed + 0x9e3779b9) mod 2^32),
 *      computed in one pass (hashKeyPairInto). Two independent 32-bit hashes, so two keys share
 *      all k positions only with probability about 2^−64, not 2^−32.
 *   2. Kirsch–Mitzenmacher double hashing: x_i = (h1 + i·h2) mod 2^32 for i = 0 … k−1.
 *   3. Each step is mixed: y_i = fmix32(x_i), MurmurHash3's 32-bit finalizer (hash.ts).
 *   4. Each y_i maps to a bit index by multiply-shift ("fastrange"):
 *      index_i = floor(y_i · m / 2^32),
 *      evaluated in IEEE doubles as trunc(y_i · (m / 2^32)). m / 2^32 is exact (a power-of-two
 *      division) and y_i · m < 2^64 is rounded once, so the result is deterministic and < m
 *      (y_i ≤ 2^32 − 1 keeps it at least m/2^32 below m, far more than the rounding error).
 *      Each index receives floor or ceil of 2^32/m of the 2^32 values of y_i, so the relative
 *      bias between indices is below m / 2^32 (0.2 % at m = 10^7 bits) — the same as a modulo
 *      would give, without the division.
 *
 * Why step 3: multiply-shift keeps only the high bits of its input, so nearby inputs land on the
 * same or adjacent bits. Unmixed, a key whose h2 lies within about 2^32/m of 0 or of 2^32
 * (probability ≈ 2/m) steps through x_0, x_1, … too slowly to leave one or two bits, and h2 near
 * 2^32·j/r for small r cycles through r bits; such keys are false positives about as often as in a
 * filter with one or two hashes (m = 959, k = 7: about 1 key in 1,500 fell on ≤ 2 bits, and the
 * false-positive rate at 30 keys was 7× the formula's). fmix32 is a bijection
 * (xor-shifts by ≥ 13 of 32 bits and multiplications by odd constants, each invertible) in which
 * every input bit flips each output bit with probability close to 1/2, so distinct x_i give
 * unrelated indices. A key's positions then coincide by construction only when its x_i do, i.e.
 * d·h2 ≡ 0 mod 2^32 for some 0 < d < k (11 of the 2^32 values of h2 at k = 7). A lighter mixer
 * with one multiply (x ^= x >>> 16, × odd constant, x ^= x >>> 16) is nearly additive for small
 * steps and still gave about 5× the ideal share of keys with ≤ 5 distinct of 7 positions when
 * h2 < 2^16; fmix32 matched the ideal share for every class of h2 we tried (small, near 2^32, near
 * 2^31, near 2^32/3, uniform). It costs two multiplies per position, little next to hashing the
 * key. Being a bijection, it leaves the counting argument of step 4 unchanged.
 *
 * Bit i lives in words[i >>> 5] at bit position i & 31.
 */
import { fmix32, hashKeyPairInto, type Key } from './hash.ts';
import { sizeFor } from './sizing.ts';
import { encodeUtf8Into } from './utf8.ts';

/** The largest bit (or counter) count a filter accepts: indices must fit in 32 bits. */
export const MAX_BITS = 0xffffffff;
/** The largest hash count a filter accepts. */
export const MAX_HASHES = 255;
/** Added to the seed to get the seed of the second hash h2. */
export const SECOND_SEED_OFFSET = 0x9e3779b9;

/** The seed of h2 for a filter seed. */
export function secondSeed(seed: number): number {
  return (seed + SECOND_SEED_OFFSET) >>> 0;
}

/** Shared scratch for the (h1, h2) pair of the key being added or queried. */
export const PAIR = new Uint32Array(2);

/** Size and hashing of a filter: `bits` (m), `hashes` (k), and an optional 32-bit seed (0). */
export interface BloomOptions {
  bits: number;
  hashes: number;
  seed?: number;
}

/** Validates options and returns the seed; shared by the Bloom and counting filters. */
export function checkOptions(options: BloomOptions, what = 'bits'): number {
  const { bits, hashes } = options ?? ({} as BloomOptions);
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS) {
    throw new Error(`options.${what} must be an integer in [1, ${MAX_BITS}], got ${String(bits)}`);
  }
  if (!Number.isInteger(hashes) || hashes < 1 || hashes > MAX_HASHES) {
    throw new Error(
      `options.hashes must be an integer in [1, ${MAX_HASHES}], got ${String(hashes)}`,
    );
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`options.seed must be an integer in [0, 2^32 − 1], got ${String(seed)}`);
  }
  return seed;
}

/**
 * Writes the k indices of (h1, h2) into out[0 … k−1] following the scheme above:
 * out[i] = floor(fmix32((h1 + i·h2) mod 2^32) · scale), where `scale` is m / 2^32.
 */
export function indicesInto(
  h1: number,
  h2: number,
  k: number,
  scale: number,
  out: Uint32Array,
): void {
  let x = h1;
  for (let i = 0; i < k; i++) {
    out[i] = (fmix32(x) * scale) >>> 0;
    x = (x + h2) >>> 0;
  }
}

const TWO_POW_32 = 4294967296;

/**
 * A classic Bloom filter over `bits` bits with `hashes` hash functions.
 * @example
 * const f = BloomFilter.forCapacity(1000, 0.01);
 * f.add('apple'); f.has('apple'); // true
 */
export class BloomFilter {
  /** Bits in the filter, m. */
  readonly bits: number;
  /** Hash functions per key, k. */
  readonly hashes: number;
  /** 32-bit seed of h1 (h2 uses secondSeed(seed)). */
  readonly seed: number;
  /** The bit array: bit i is (words[i >>> 5] >>> (i & 31)) & 1. Bits ≥ m stay 0. */
  readonly words: Uint32Array;
  private addCount = 0;
  private readonly seed2: number;
  private readonly scale: number;

  /**
   * An empty filter with `bits` bits and `hashes` hash functions; throws for bits outside
   * [1, 2^32 − 1], hashes outside [1, 255], or a seed that is not a 32-bit unsigned integer.
   * @example new BloomFilter({ bits: 1024, hashes: 3, seed: 42 })
   */
  constructor(options: BloomOptions) {
    this.seed = checkOptions(options);
    this.bits = options.bits;
    this.hashes = options.hashes;
    this.seed2 = secondSeed(this.seed);
    this.scale = this.bits / TWO_POW_32;
    this.words = new Uint32Array(Math.ceil(this.bits / 32));
  }

  /**
   * An empty filter sized by sizeFor(n, p) for `n` keys at false-positive rate `p`.
   * @example BloomFilter.forCapacity(1e6, 0.01).bits // 9585059
   */
  static forCapacity(n: number, p: number, seed = 0): BloomFilter {
    const { bits, hashes } = sizeFor(n, p);
    return new BloomFilter({ bits, hashes, seed });
  }

  /** How many times add() was called (duplicates included). */
  get count(): number {
    return this.addCount;
  }

  /** Storage of the bit array in bytes (whole 32-bit words). */
  get sizeBytes(): number {
    return this.words.byteLength;
  }

  /**
   * Inserts a key; returns true when at least one of its bits went from 0 to 1 (so false means
   * the key, or a false positive, was already present). No allocation.
   * @example f.add('apple') // true the first time, false the second
   */
  add(key: Key): boolean {
    hashKeyPairInto(key, this.seed, this.seed2, PAIR);
    const h2 = PAIR[1];
    const k = this.hashes;
    const scale = this.scale;
    const words = this.words;
    let x = PAIR[0];
    let changed = 0;
    for (let i = 0; i < k; i++) {
      const index = (fmix32(x) * scale) >>> 0;
      const w = index >>> 5;
      const old = words[w];
      const next = old | (1 << (index & 31));
      changed |= old ^ next;
      words[w] = next;
      x = (x + h2) >>> 0;
    }
    this.addCount++;
    return changed !== 0;
  }

  /**
   * Whether the key may be in the set: false means certainly absent, true means present or a
   * false positive. No allocation.
   * @example f.has('apple') // true after f.add('apple')
   */
  has(key: Key): boolean {
    hashKeyPairInto(key, this.seed, this.seed2, PAIR);
    const h2 = PAIR[1];
    const k = this.hashes;
    const scale = this.scale;
    const words = this.words;
    let x = PAIR[0];
    for (let i = 0; i < k; i++) {
      const index = (fmix32(x) * scale) >>> 0;
      if ((words[index >>> 5] & (1 << (index & 31))) === 0) return false;
      x = (x + h2) >>> 0;
    }
    return true;
  }

  /**
   * The k bit indices of a key in hash order (i = 0 … k−1), possibly repeated; written into
   * `out` (length ≥ k) when given, else into a new array.
   * @example f.indicesOf('apple') // Uint32Array(k) of positions in [0, bits)
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
   * The two 32-bit hashes (h1, h2) of a key;
   * index_i = floor(fmix32((h1 + i·h2) mod 2^32) · m / 2^32).
   * @example f.hashPair('apple') // [h1, h2]
   */
  hashPair(key: Key): [number, number] {
    hashKeyPairInto(key, this.seed, this.seed2, PAIR);
    return [PAIR[0], PAIR[1]];
  }

  /**
   * Whether bit `index` (0 … bits−1) is set; throws for an index outside the filter.
   * @example f.getBit(0) // false on an empty filter
   */
  getBit(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.bits) {
      throw new Error(`bit index must be an integer in [0, ${this.bits - 1}], got ${index}`);
    }
    return ((this.words[index >>> 5] >>> (index & 31)) & 1) === 1;
  }

  /**
   * Number of bits set to 1.
   * @example new BloomFilter({ bits: 64, hashes: 1 }).setBitCount() // 0
   */
  setBitCount(): number {
    let total = 0;
    const words = this.words;
    for (let i = 0; i < words.length; i++) total += popcount32(words[i]);
    return total;
  }

  /**
   * Fraction of bits set, X / m, in [0, 1].
   * @example f.fillRatio() // ≈ 0.5 at design capacity
   */
  fillRatio(): number {
    return this.setBitCount() / this.bits;
  }

  /**
   * False-positive rate estimated from the current fill: (X / m)^k.
   * @example f.estimatedFalsePositiveRate() // ≈ 0.01 for forCapacity(n, 0.01) after n keys
   */
  estimatedFalsePositiveRate(): number {
    return this.fillRatio() ** this.hashes;
  }

  /**
   * Distinct keys estimated from the fill (Swamidass & Baldi 2007): −(m/k)·ln(1 − X/m);
   * Infinity when every bit is set.
   * @example f.estimatedItemCount() // ≈ number of distinct keys added
   */
  estimatedItemCount(): number {
    const x = this.setBitCount();
    if (x === 0) return 0;
    if (x >= this.bits) return Number.POSITIVE_INFINITY;
    return -(this.bits / this.hashes) * Math.log1p(-x / this.bits);
  }

  /**
   * A new filter holding every key of either filter (bitwise OR); count is the sum of both.
   * Throws when bits, hashes or seed differ.
   * @example a.union(b).has(keyOfB) // true
   */
  union(other: BloomFilter): BloomFilter {
    this.checkCompatible(other, 'union');
    const result = this.clone();
    const w = result.words;
    const o = other.words;
    for (let i = 0; i < w.length; i++) w[i] |= o[i];
    result.addCount = this.addCount + other.addCount;
    return result;
  }

  /**
   * A new filter whose bits are set where both filters' are (bitwise AND): it answers true for
   * every key added to both. Its false-positive rate can exceed that of a filter built from the
   * intersection directly. count is min of both (an upper bound on keys in both).
   * Throws when bits, hashes or seed differ.
   * @example a.intersection(b).has(keyInBoth) // true
   */
  intersection(other: BloomFilter): BloomFilter {
    this.checkCompatible(other, 'intersection');
    const result = this.clone();
    const w = result.words;
    const o = other.words;
    for (let i = 0; i < w.length; i++) w[i] &= o[i];
    result.addCount = Math.min(this.addCount, other.addCount);
    return result;
  }

  /**
   * An independent copy (same bits, hashes, seed, count and contents).
   * @example f.clone().has('apple') === f.has('apple')
   */
  clone(): BloomFilter {
    const copy = new BloomFilter({ bits: this.bits, hashes: this.hashes, seed: this.seed });
    copy.words.set(this.words);
    copy.addCount = this.addCount;
    return copy;
  }

  /**
   * Empties the filter: all bits 0, count 0.
   * @example f.clear(); f.has('apple') // false
   */
  clear(): void {
    this.words.fill(0);
    this.addCount = 0;
  }

  /**
   * Sets the add() count; used by deserialization. Throws for a negative or fractional count.
   * @internal
   */
  restoreCount(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new Error(`count must be a non-negative safe integer, got ${count}`);
    }
    this.addCount = count;
  }

  private checkCompatible(other: BloomFilter, op: string): void {
    if (!(other instanceof BloomFilter)) {
      throw new Error(`${op}: expected a BloomFilter, got ${String(other)}`);
    }
    for (const field of ['bits', 'hashes', 'seed'] as const) {
      if (this[field] !== other[field]) {
        throw new Error(
          `${op}: filters differ in ${field} (${this[field]} vs ${other[field]}); ` +
            'both must have equal bits, hashes and seed',
        );
      }
    }
  }
}

/** Number of 1 bits in a 32-bit word. */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * What goes wrong when you "delete" from a plain Bloom filter: clears every bit of `key` in
 * `filter` (mutating it) and returns the keys of `insertedKeys` (other than `key`) that tested
 * present before and are now false negatives.
 * @example naiveRemove(f, 'apple', ['apple', 'pear']) // ['pear'] if they shared a bit
 */
export function naiveRemove(filter: BloomFilter, key: Key, insertedKeys: Iterable<Key>): Key[] {
  const before: Key[] = [];
  for (const other of insertedKeys) {
    if (!sameKey(other, key) && filter.has(other)) before.push(other);
  }
  const indices = filter.indicesOf(key);
  for (const index of indices) filter.words[index >>> 5] &= ~(1 << (index & 31));
  return before.filter((other) => !filter.has(other));
}

function sameKey(a: Key, b: Key): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function toBytes(key: Key): Uint8Array {
  if (typeof key !== 'string') return key;
  const out = new Uint8Array(key.length * 3);
  return out.subarray(0, encodeUtf8Into(key, out));
}
