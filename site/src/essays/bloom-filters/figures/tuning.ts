/**
 * Logic of the "Choosing m and k" figure: the log-stepped slider scales, the false-positive curve
 * over k for a fixed m and n (from the engine's falsePositiveRate), and how many more bits a
 * non-optimal k needs to reach the same rate.
 */
import { falsePositiveRate, sizeFor } from '@explorables/bloom';

/**
 * The values 1, 2, 5 × 10^e for e from `fromExp` to `toExp`, ascending, ending at 10^toExp.
 * @example oneTwoFive(2, 3) // [100, 200, 500, 1000]
 */
export function oneTwoFive(fromExp: number, toExp: number): number[] {
  if (!Number.isInteger(fromExp) || !Number.isInteger(toExp) || toExp < fromExp) {
    throw new Error(`oneTwoFive needs integer exponents with from ≤ to, got ${fromExp}, ${toExp}`);
  }
  const out: number[] = [];
  for (let e = fromExp; e < toExp; e++) {
    for (const mantissa of [1, 2, 5]) out.push(Number(`${mantissa}e${e}`));
  }
  out.push(Number(`1e${toExp}`));
  return out;
}

/** Slider stops for n, the expected item count: 100 … 10^9 in 1-2-5 steps. */
export const ITEM_STOPS: readonly number[] = oneTwoFive(2, 9);

/** Slider stops for p, the target rate, from 10^−1 down to 10^−9 (moving right is stricter). */
export const RATE_STOPS: readonly number[] = oneTwoFive(-9, -1).reverse();

/** One point of the k curve: hash count and predicted false-positive rate at that (m, n). */
export interface KPoint {
  hashes: number;
  falsePositiveRate: number;
}

/**
 * The predicted false-positive rate of `bits` bits holding `n` keys for k = 1 … maxHashes.
 * @example rateByHashes(9585059, 1e6, 20)[6].falsePositiveRate // ≈ 0.01 (k = 7)
 */
export function rateByHashes(bits: number, n: number, maxHashes = 20): KPoint[] {
  const out: KPoint[] = [];
  for (let k = 1; k <= maxHashes; k++) {
    out.push({ hashes: k, falsePositiveRate: falsePositiveRate(bits, n, k) });
  }
  return out;
}

/**
 * Bits a filter with exactly `hashes` hash functions needs so that `n` keys give false-positive
 * rate `p`, solving (1 − e^(−k·n/m))^k = p for m: m = −k·n / ln(1 − p^(1/k)) (real, not rounded).
 * @example bitsForHashes(1e6, 0.01, 7) // ≈ 9.6e6
 */
export function bitsForHashes(n: number, p: number, hashes: number): number {
  if (!Number.isInteger(hashes) || hashes < 1) {
    throw new Error(`hashes must be an integer ≥ 1, got ${String(hashes)}`);
  }
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`n must be a finite number > 0, got ${n}`);
  if (!(p > 0 && p < 1)) throw new Error(`p must be strictly between 0 and 1, got ${p}`);
  // log1p keeps precision when p^(1/k) is tiny (k = 1 and p = 1e−9).
  return (-hashes * n) / Math.log1p(-(p ** (1 / hashes)));
}

/** Everything the tuning figure shows for one (n, p, chosen k). */
export interface TuningView {
  bits: number;
  optimalHashes: number;
  bytes: number;
  bitsPerKey: number;
  /** Predicted rate of the sized filter at its own k. */
  predictedRate: number;
  curve: KPoint[];
  chosenHashes: number;
  /** Predicted rate of the same m and n with the chosen k instead. */
  chosenRate: number;
  /** Bits the chosen k needs for the sized filter's rate, relative to the sized filter: 0.25 = 25% more. */
  extraBitsFraction: number;
}

/**
 * Sizes a filter for (n, p) with the engine and compares the chosen hash count against it.
 * @example tuningView(1e6, 0.01, 3).extraBitsFraction // ≈ 0.19 (3 hashes need ~19% more bits)
 */
export function tuningView(n: number, p: number, chosenHashes: number, maxHashes = 20): TuningView {
  const size = sizeFor(n, p);
  const curve = rateByHashes(size.bits, n, maxHashes);
  const chosenRate = falsePositiveRate(size.bits, n, chosenHashes);
  const needed = bitsForHashes(n, size.falsePositiveRate, chosenHashes);
  const atOptimum = bitsForHashes(n, size.falsePositiveRate, size.hashes);
  return {
    bits: size.bits,
    optimalHashes: size.hashes,
    bytes: size.bytes,
    bitsPerKey: size.bitsPerKey,
    predictedRate: size.falsePositiveRate,
    curve,
    chosenHashes,
    chosenRate,
    extraBitsFraction: needed / atOptimum - 1,
  };
}

/**
 * A byte count in human units (powers of 1024), three significant digits.
 * @example formatBytes(1198136) // '1.14 MiB'
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toPrecision(3)} ${units[unit]}`;
}

/**
 * A count with thousands separators, or a short form with a suffix at ≥ 10^6.
 * @example formatCount(9585059) // '9.59 million'
 */
export function formatCount(value: number): string {
  if (value >= 1e9) return `${Number((value / 1e9).toPrecision(3))} billion`;
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))} million`;
  return Math.round(value).toLocaleString('en-US');
}

/**
 * A probability as a readable rate: percent down to 0.1%, then "1 in N"; exactly 0 is '0'.
 * @example formatRate(0.01) // '1%'; formatRate(1e-6) // '1 in 1 million'
 */
export function formatRate(p: number): string {
  if (p === 0) return '0';
  if (p >= 0.001) return `${Number((p * 100).toPrecision(3))}%`;
  const oneIn = 1 / p;
  return `1 in ${formatCount(Number(oneIn.toPrecision(3)))}`;
}
