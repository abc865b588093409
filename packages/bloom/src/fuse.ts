import { fmix32, hashKeyPairInto, type Key } from './hash.ts';

/*
 * Binary fuse filter with 8-bit fingerprints (Graf & Lemire, "Binary Fuse Filters: Fast and
 * Smaller Than Xor Filters", ACM JEA 27, 2022, arXiv:2201.01174), for a static set of keys.
 *
 * Layout. The fingerprint array has arrayLength = (segmentCount + 2) · segmentLength bytes,
 * seen as segmentCount + 2 segments of segmentLength (a power of two) bytes each. A key owns one
 * cell in each of three consecutive segments; it is present when the XOR of its three cells
 * equals its 8-bit fingerprint.
 *
 * Key hash (part of the serialized format, do not change). With seed s (unsigned 32-bit):
 *   hi = murmur3_32(utf8(key), s)
 *   lo = murmur3_32(utf8(key), loSeed(s)),  loSeed(s) = fmix32(s ^ 0x9e3779b9)
 * where murmur3_32 is MurmurHash3 x86_32 and fmix32 its 32-bit finalizer. Together they form the
 * 64-bit hash H = hi · 2^32 + lo. From H, with L = segmentLength, mask = L − 1 and
 * S = segmentCount · L:
 *   p0 = floor(hi · S / 2^32)                      (hi, lo read as unsigned)
 *   p1 = (p0 + L)     XOR (floor(H / 2^18) AND mask) (bits 18.. of H: lo >>> 18 | hi << 14)
 *   p2 = (p0 + 2 · L) XOR (H AND mask)              (the low bits of lo)
 *   fingerprint = (hi XOR lo) AND 0xff
 * XOR with a value below L keeps a cell inside its L-aligned segment, so p1 and p2 land in the
 * two segments after p0's. p0 is computed exactly in double arithmetic by splitting hi in 16-bit
 * halves (no product exceeds 2^53). This mirrors the reference (which uses a 64-bit mixed hash and
 * a 64 × 64 high multiply) with 32-bit operations only.
 *
 * Construction. Sizes follow the paper for arity 3: L = 2^floor(ln n / ln 3.33 + 2.25) (at most
 * 2^18), capacity = round(n · max(1.125, 0.875 + 0.25 · ln 10^6 / ln n)), segmentCount =
 * max(1, ceil(capacity / L) − 2), from the number n of distinct keys (n ≤ 1: L = 4 and one
 * segment, 12 cells). Keys are hashed, sorted by
 * hi (hence by first cell, so the later passes walk the cell array nearly in order) and
 * duplicates (equal H) dropped; distinct keys with equal H, chance about n² / 2^65, would count
 * as one, which is harmless since they get the same answer. Each cell then counts its keys and XORs their hashes; a scan peels
 * every cell holding exactly one key, plus the cells this frees; when every key was peeled, the
 * cell each key was peeled from is set, in reverse peel order, so its three cells XOR to its
 * fingerprint. If peeling
 * stalls (about 1 build in 20 to 100), everything is redone with nextSeed(seed), and the seed that
 * worked is the filter's `seed`. The result depends only on the set of keys and the seed, not on
 * their order.
 */

const MAX_SEGMENT_LENGTH = 1 << 18;
const MAX_ATTEMPTS = 100;
const PAIR = new Uint32Array(2);

/** Seed of the low hash lane for a filter seed. */
function loSeedOf(seed: number): number {
  return fmix32((seed ^ 0x9e3779b9) >>> 0);
}

/** The seed tried after a failed construction with `seed`. */
function nextSeed(seed: number): number {
  return fmix32((seed + 0x6a09e667) >>> 0);
}

/** floor(hi · range / 2^32) exactly, for unsigned 32-bit hi and range. */
function scaleHigh(hi: number, range: number): number {
  const low = ((hi & 0xffff) * range) / 65536;
  return (((hi >>> 16) * range + Math.floor(low)) / 65536) >>> 0;
}

/** Segment length for n distinct keys (paper, arity 3). */
function segmentLengthFor(n: number): number {
  if (n <= 1) return 4;
  const exponent = Math.floor(Math.log(n) / Math.log(3.33) + 2.25);
  return Math.min(MAX_SEGMENT_LENGTH, 2 ** exponent);
}

/** Segment count for n distinct keys and segment length L (paper, arity 3). */
function segmentCountFor(n: number, segmentLength: number): number {
  if (n <= 1) return 1;
  const sizeFactor = Math.max(1.125, 0.875 + (0.25 * Math.log(1e6)) / Math.log(n));
  const capacity = Math.round(n * sizeFactor);
  return Math.max(1, Math.ceil(capacity / segmentLength) - 2);
}

function checkSeed(seed: unknown, field: string): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`${field} must be an integer in [0, 2^32 − 1], got ${String(seed)}`);
  }
  return seed;
}

/** The fields that fully describe a BinaryFuse8 (what serialization stores). */
export interface BinaryFuse8Parts {
  seed: number;
  size: number;
  segmentLength: number;
  segmentCount: number;
  fingerprints: Uint8Array;
}

/**
 * Sorts the pairs (hi[i], lo[i]), i < m, by hi as an unsigned number (LSD radix sort, two 16-bit
 * digits, stable), using `tmpHi`, `tmpLo` and `counts` (65536 entries) as scratch. Sorting by hi
 * sorts keys by their first cell, so construction then walks the cell array almost in order.
 */
function sortByHi(
  hi: Int32Array,
  lo: Int32Array,
  m: number,
  tmpHi: Int32Array,
  tmpLo: Int32Array,
  counts: Int32Array,
): void {
  for (let shift = 0; shift <= 16; shift += 16) {
    const fromHi = shift === 0 ? hi : tmpHi;
    const fromLo = shift === 0 ? lo : tmpLo;
    const toHi = shift === 0 ? tmpHi : hi;
    const toLo = shift === 0 ? tmpLo : lo;
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[(fromHi[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const h = fromHi[i];
      const at = counts[(h >>> shift) & 0xffff]++;
      toHi[at] = h;
      toLo[at] = fromLo[i];
    }
  }
}

/**
 * Drops repeated (hi, lo) pairs from pairs sorted by hi (in place, keeping the first of each) and
 * returns how many remain. Equal pairs sit in the same run of equal hi; runs are short.
 */
function dedupeSorted(hi: Int32Array, lo: Int32Array, m: number): number {
  let n = 0;
  let i = 0;
  while (i < m) {
    const h = hi[i];
    const runStart = n;
    for (; i < m && hi[i] === h; i++) {
      const l = lo[i];
      let seen = false;
      for (let k = runStart; k < n; k++) {
        if (lo[k] === l) {
          seen = true;
          break;
        }
      }
      if (!seen) {
        hi[n] = h;
        lo[n] = l;
        n++;
      }
    }
  }
  return n;
}

/**
 * Peels and assigns a filter for the n distinct hashes hi[0, n), lo[0, n) (sorted by hi);
 * returns the fingerprint array, or null when peeling stalls (the caller retries another seed).
 */
function construct(
  hi: Int32Array,
  lo: Int32Array,
  n: number,
  segmentLength: number,
  segmentCount: number,
): Uint8Array | null {
  const arrayLength = (segmentCount + 2) * segmentLength;
  const range = segmentCount * segmentLength;
  const L = segmentLength;
  const mask = L - 1;
  // Three int32 per cell, side by side so that one cache line serves a cell: at 3c the number of
  // keys using cell c times 4, plus the XOR of the slot numbers (0, 1, 2) they use it as; at
  // 3c + 1 and 3c + 2 the XOR of those keys' hi and lo halves.
  const cells = new Int32Array(3 * arrayLength);
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    const l = lo[i];
    const p0 = scaleHigh(h, range);
    const c0 = 3 * p0;
    const c1 = 3 * ((p0 + L) ^ (((l >>> 18) | (h << 14)) & mask));
    const c2 = 3 * ((p0 + 2 * L) ^ (l & mask));
    cells[c0] += 4;
    cells[c0 + 1] ^= h;
    cells[c0 + 2] ^= l;
    cells[c1] = (cells[c1] + 4) ^ 1;
    cells[c1 + 1] ^= h;
    cells[c1 + 2] ^= l;
    cells[c2] = (cells[c2] + 4) ^ 2;
    cells[c2 + 1] ^= h;
    cells[c2 + 2] ^= l;
  }
  // Peel while scanning the cells in order: a cell holding one key is peeled at once, and the
  // cells this frees (all within two segments) are peeled right after, from a stack, so the
  // work stays near the scan position. The stack is empty whenever the scan moves on, and a cell
  // is pushed only when its count becomes 1, so it never holds more than arrayLength entries.
  const stack = new Int32Array(arrayLength);
  const peeledHi = new Int32Array(n);
  const peeledLo = new Int32Array(n);
  const peeledSlot = new Uint8Array(n);
  let peeled = 0;
  for (let scan = 0; scan < arrayLength; scan++) {
    if (cells[3 * scan] >> 2 !== 1) continue;
    let top = 0;
    stack[top++] = scan;
    while (top > 0) {
      const c = 3 * stack[--top];
      const state = cells[c];
      if (state >> 2 !== 1) continue;
      const h = cells[c + 1];
      const l = cells[c + 2];
      const slot = state & 3;
      cells[c] = 0;
      peeledHi[peeled] = h;
      peeledLo[peeled] = l;
      peeledSlot[peeled] = slot;
      peeled++;
      const p0 = scaleHigh(h, range);
      if (slot !== 0) {
        const c0 = 3 * p0;
        const s = cells[c0] - 4;
        cells[c0] = s;
        cells[c0 + 1] ^= h;
        cells[c0 + 2] ^= l;
        if (s >> 2 === 1) stack[top++] = p0;
      }
      if (slot !== 1) {
        const p1 = (p0 + L) ^ (((l >>> 18) | (h << 14)) & mask);
        const c1 = 3 * p1;
        const s = (cells[c1] - 4) ^ 1;
        cells[c1] = s;
        cells[c1 + 1] ^= h;
        cells[c1 + 2] ^= l;
        if (s >> 2 === 1) stack[top++] = p1;
      }
      if (slot !== 2) {
        const p2 = (p0 + 2 * L) ^ (l & mask);
        const c2 = 3 * p2;
        const s = (cells[c2] - 4) ^ 2;
        cells[c2] = s;
        cells[c2 + 1] ^= h;
        cells[c2 + 2] ^= l;
        if (s >> 2 === 1) stack[top++] = p2;
      }
    }
  }
  if (peeled !== n) return null;
  const fingerprints = new Uint8Array(arrayLength);
  for (let k = n - 1; k >= 0; k--) {
    const h = peeledHi[k];
    const l = peeledLo[k];
    const p0 = scaleHigh(h, range);
    const p1 = (p0 + L) ^ (((l >>> 18) | (h << 14)) & mask);
    const p2 = (p0 + 2 * L) ^ (l & mask);
    const fingerprint = (h ^ l) & 0xff;
    const slot = peeledSlot[k];
    if (slot === 0) fingerprints[p0] = fingerprint ^ fingerprints[p1] ^ fingerprints[p2];
    else if (slot === 1) fingerprints[p1] = fingerprint ^ fingerprints[p0] ^ fingerprints[p2];
    else fingerprints[p2] = fingerprint ^ fingerprints[p0] ^ fingerprints[p1];
  }
  return fingerprints;
}

/**
 * A binary fuse filter with 8-bit fingerprints: an immutable set of keys built once, answering
 * membership with no false negatives and a false-positive rate of about 1/256 in about 9 bits
 * per key (for large sets; small sets cost a little more).
 * @example
 * const filter = BinaryFuse8.build(['apple', 'pear'], { seed: 1 });
 * filter.has('apple'); // true
 */
export class BinaryFuse8 {
  /** Number of distinct keys the filter was built from. */
  readonly size: number;
  /** The arrayLength cells of 8 bits; a key is present when its 3 cells XOR to its fingerprint. */
  readonly fingerprints: Uint8Array;
  /** 32-bit hash seed actually used (build's seed, or a later one if construction had to retry). */
  readonly seed: number;
  /** Cells per segment, a power of two. */
  readonly segmentLength: number;
  /** Number of segments a key's first cell can fall in (the array has segmentCount + 2). */
  readonly segmentCount: number;
  /** Cells in the fingerprint array: (segmentCount + 2) · segmentLength. */
  readonly arrayLength: number;
  private readonly loSeed: number;
  private readonly range: number;
  private readonly mask: number;

  private constructor(
    seed: number,
    size: number,
    segmentLength: number,
    segmentCount: number,
    fingerprints: Uint8Array,
  ) {
    this.seed = seed;
    this.size = size;
    this.segmentLength = segmentLength;
    this.segmentCount = segmentCount;
    this.arrayLength = fingerprints.length;
    this.fingerprints = fingerprints;
    this.loSeed = loSeedOf(seed);
    this.range = segmentCount * segmentLength;
    this.mask = segmentLength - 1;
  }

  /**
   * Builds a filter holding `keys` (strings as UTF-8, or bytes); duplicates are ignored. The same
   * keys and seed always give the same filter. Throws on a key that is neither a string nor a
   * Uint8Array, or on a seed that is not an integer in [0, 2^32 − 1].
   * @example BinaryFuse8.build(new Set(['a', 'b', 'c']), { seed: 42 }).size // 3
   */
  static build(keys: Iterable<Key>, options: { seed?: number } = {}): BinaryFuse8 {
    const firstSeed = checkSeed(options.seed ?? 0, 'options.seed');
    if (typeof keys === 'string') {
      throw new Error('BinaryFuse8.build: keys must be an iterable of keys, not one string');
    }
    const list: readonly Key[] = Array.isArray(keys) ? keys : Array.from(keys);
    const m = list.length;
    for (let i = 0; i < m; i++) {
      const key: unknown = list[i];
      if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
        throw new Error(
          `BinaryFuse8.build: key ${i} is ${key === null ? 'null' : typeof key}, ` +
            'expected a string or a Uint8Array',
        );
      }
    }
    const hi = new Int32Array(m);
    const lo = new Int32Array(m);
    const tmpHi = new Int32Array(m);
    const tmpLo = new Int32Array(m);
    const counts = new Int32Array(65536);
    let seed = firstSeed;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loSeed = loSeedOf(seed);
      for (let i = 0; i < m; i++) {
        hashKeyPairInto(list[i], seed, loSeed, PAIR);
        hi[i] = PAIR[0];
        lo[i] = PAIR[1];
      }
      sortByHi(hi, lo, m, tmpHi, tmpLo, counts);
      const n = dedupeSorted(hi, lo, m);
      const segmentLength = segmentLengthFor(n);
      const segmentCount = segmentCountFor(n, segmentLength);
      const fingerprints = construct(hi, lo, n, segmentLength, segmentCount);
      if (fingerprints) return new BinaryFuse8(seed, n, segmentLength, segmentCount, fingerprints);
      seed = nextSeed(seed);
    }
    throw new Error(
      `BinaryFuse8.build: construction failed for ${MAX_ATTEMPTS} seeds starting at ${firstSeed}; ` +
        'this should not happen for distinct keys, please report it',
    );
  }

  /**
   * Rebuilds a filter from its stored fields (as serialization keeps them), using `fingerprints`
   * without copying. Throws an Error naming the field when the parts are inconsistent: seed not a
   * 32-bit unsigned integer, size not an integer in [0, arrayLength], segmentLength not a power
   * of two in [1, 2^18], segmentCount not an integer ≥ 1, or fingerprints.length ≠
   * (segmentCount + 2) · segmentLength.
   * @example BinaryFuse8.fromParts({ seed: f.seed, size: f.size, segmentLength: f.segmentLength,
   *   segmentCount: f.segmentCount, fingerprints: f.fingerprints }).has('apple')
   */
  static fromParts(parts: BinaryFuse8Parts): BinaryFuse8 {
    const where = 'BinaryFuse8.fromParts';
    const seed = checkSeed(parts.seed, `${where}: seed`);
    const { size, segmentLength, segmentCount, fingerprints } = parts;
    if (
      typeof segmentLength !== 'number' ||
      !Number.isInteger(segmentLength) ||
      segmentLength < 1 ||
      segmentLength > MAX_SEGMENT_LENGTH ||
      (segmentLength & (segmentLength - 1)) !== 0
    ) {
      throw new Error(
        `${where}: segmentLength must be a power of two in [1, 2^18], got ${String(segmentLength)}`,
      );
    }
    if (typeof segmentCount !== 'number' || !Number.isInteger(segmentCount) || segmentCount < 1) {
      throw new Error(`${where}: segmentCount must be an integer ≥ 1, got ${String(segmentCount)}`);
    }
    const arrayLength = (segmentCount + 2) * segmentLength;
    if (arrayLength > 0x7fffffff) {
      throw new Error(
        `${where}: segmentCount ${segmentCount} × segmentLength ${segmentLength} gives ` +
          `(segmentCount + 2) · segmentLength = ${arrayLength} cells, more than 2^31 − 1`,
      );
    }
    if (!(fingerprints instanceof Uint8Array)) {
      throw new Error(`${where}: fingerprints must be a Uint8Array`);
    }
    if (fingerprints.length !== arrayLength) {
      throw new Error(
        `${where}: fingerprints.length is ${fingerprints.length}, expected ` +
          `(segmentCount + 2) · segmentLength = ${arrayLength}`,
      );
    }
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > arrayLength) {
      throw new Error(
        `${where}: size must be an integer in [0, arrayLength = ${arrayLength}], got ${String(size)}`,
      );
    }
    return new BinaryFuse8(seed, size, segmentLength, segmentCount, fingerprints);
  }

  /**
   * True when `key` may be in the set (always for keys it was built from; for other keys with
   * probability about 1/256); false when it certainly is not. Always false for an empty filter.
   * @example BinaryFuse8.build(['x']).has('x') // true
   */
  has(key: Key): boolean {
    if (this.size === 0) return false;
    hashKeyPairInto(key, this.seed, this.loSeed, PAIR);
    const h = PAIR[0] | 0;
    const l = PAIR[1] | 0;
    const L = this.segmentLength;
    const mask = this.mask;
    const p0 = scaleHigh(h, this.range);
    const p1 = (p0 + L) ^ (((l >>> 18) | (h << 14)) & mask);
    const p2 = (p0 + 2 * L) ^ (l & mask);
    const f = this.fingerprints;
    return ((h ^ l ^ f[p0] ^ f[p1] ^ f[p2]) & 0xff) === 0;
  }

  /**
   * Bytes of the fingerprint array (arrayLength), the memory that answers queries.
   * @example BinaryFuse8.build(keys).sizeBytes // ≈ 1.13 · keys.length for a million keys
   */
  get sizeBytes(): number {
    return this.arrayLength;
  }

  /**
   * Bits of fingerprint array per distinct key, 8 · arrayLength / size (Infinity when empty).
   * @example BinaryFuse8.build(millionKeys).bitsPerKey // ≈ 9.04
   */
  get bitsPerKey(): number {
    return (8 * this.arrayLength) / this.size;
  }
}
