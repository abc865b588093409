/**
 * Sizing a classic Bloom filter: how many bits m and hash functions k give false-positive rate p
 * for n keys, and the rate a given (m, n, k) is predicted to have.
 */

const LN2 = Math.LN2;
const LN2_SQUARED = LN2 * LN2;

/** The size of a Bloom filter for a target: bit count, hash count and what they cost. */
export interface FilterSize {
  /** Bits in the filter, m. */
  bits: number;
  /** Hash functions per key, k. */
  hashes: number;
  /** Storage of the bit array in bytes, as BloomFilter keeps it: 4·ceil(m/32) (whole 32-bit words). */
  bytes: number;
  /** m / n. */
  bitsPerKey: number;
  /** Predicted false-positive rate of (m, n, k) after n distinct keys, (1 − e^(−kn/m))^k. */
  falsePositiveRate: number;
}

function checkCount(n: number, name: string, allowZero: boolean): void {
  if (
    typeof n !== 'number' ||
    Number.isNaN(n) ||
    !Number.isFinite(n) ||
    n < 0 ||
    (!allowZero && n === 0)
  ) {
    throw new Error(
      `${name} must be a finite number ${allowZero ? '≥ 0' : '> 0'}, got ${String(n)}`,
    );
  }
}

function checkRate(p: number, name: string): void {
  if (typeof p !== 'number' || Number.isNaN(p) || !(p > 0 && p < 1)) {
    throw new Error(`${name} must be a probability strictly between 0 and 1, got ${String(p)}`);
  }
}

/**
 * Bits and hashes for a Bloom filter holding `n` keys at false-positive rate `p`:
 * m = ceil(−n·ln p / (ln 2)²), k = max(1, round(m/n · ln 2)).
 * Throws for n ≤ 0, n not finite, or p outside (0, 1) (NaN included).
 * @example sizeFor(1e6, 0.01) // { bits: 9585059, hashes: 7, bytes: 1198136, bitsPerKey: 9.585…, … }
 */
export function sizeFor(n: number, p: number): FilterSize {
  checkCount(n, 'n (expected key count)', false);
  checkRate(p, 'p (target false-positive rate)');
  const bits = Math.ceil((-n * Math.log(p)) / LN2_SQUARED);
  const hashes = optimalHashes(bits, n);
  return {
    bits,
    hashes,
    bytes: 4 * Math.ceil(bits / 32),
    bitsPerKey: bits / n,
    falsePositiveRate: falsePositiveRate(bits, n, hashes),
  };
}

/**
 * Predicted false-positive rate of a filter with `bits` bits and `hashes` hash functions after
 * `n` distinct keys: (1 − e^(−k·n/m))^k. Zero for n = 0.
 * @example falsePositiveRate(9585059, 1e6, 7) // ≈ 0.01
 */
export function falsePositiveRate(bits: number, n: number, hashes: number): number {
  checkCount(bits, 'bits', false);
  checkCount(n, 'n (key count)', true);
  if (!Number.isInteger(hashes) || hashes < 1) {
    throw new Error(`hashes must be an integer ≥ 1, got ${String(hashes)}`);
  }
  return (1 - Math.exp((-hashes * n) / bits)) ** hashes;
}

/**
 * The hash count that minimises the false-positive rate of `bits` bits holding `n` keys:
 * max(1, round(m/n · ln 2)).
 * @example optimalHashes(9585059, 1e6) // 7
 */
export function optimalHashes(bits: number, n: number): number {
  checkCount(bits, 'bits', false);
  checkCount(n, 'n (key count)', false);
  return Math.max(1, Math.round((bits / n) * LN2));
}

/**
 * Bits per key an optimally sized Bloom filter needs for false-positive rate `p`:
 * −log2(p) / ln 2 ≈ 1.44·log2(1/p).
 * @example bitsPerKeyFor(0.01) // ≈ 9.585
 */
export function bitsPerKeyFor(p: number): number {
  checkRate(p, 'p (target false-positive rate)');
  return -Math.log2(p) / LN2;
}
