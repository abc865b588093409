// Exact rational arithmetic on BigInt, just enough to round any decimal into any format.

/**
 * An exact rational number |value| = num / den with num ≥ 0 and den > 0; the sign lives in
 * `negative` so that −0 survives. Not necessarily in lowest terms.
 */
export interface Rational {
  readonly negative: boolean;
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * The number of bits of a non-negative BigInt (0 for 0).
 * @example bitLength(5n) // 3
 */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * The exact rational m · 2^exponent (m may be negative).
 * @example dyadic(3n, -1) // 1.5 as { negative: false, num: 3n, den: 2n }
 */
export function dyadic(m: bigint, exponent: number, negative = m < 0n): Rational {
  const num = m < 0n ? -m : m;
  return exponent >= 0
    ? { negative, num: num << BigInt(exponent), den: 1n }
    : { negative, num, den: 1n << BigInt(-exponent) };
}

/**
 * floor(log2(num / den)) for num, den > 0, exactly.
 * @example floorLog2(1n, 10n) // -4, since 2^-4 ≤ 0.1 < 2^-3
 */
export function floorLog2(num: bigint, den: bigint): number {
  const guess = bitLength(num) - bitLength(den);
  // 2^(guess − 1) < num/den < 2^(guess + 1): one comparison decides.
  const atLeast = guess >= 0 ? num >= den << BigInt(guess) : num << BigInt(-guess) >= den;
  return atLeast ? guess : guess - 1;
}

const view = new DataView(new ArrayBuffer(8));

/**
 * The exact value of a finite JavaScript number (every double is m · 2^e); throws for NaN and
 * ±Infinity.
 * @example rationalFromNumber(0.5) // { negative: false, num: 1n, den: 2n }
 */
export function rationalFromNumber(x: number): Rational {
  if (!Number.isFinite(x)) throw new Error(`expected a finite number, got ${x}`);
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const field = (hi >>> 20) & 0x7ff;
  const mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (field === 0) return dyadic(mantissa, -1074, negative);
  return dyadic(mantissa | (1n << 52n), field - 1075, negative);
}

/**
 * Compares |a| with |b|: −1, 0 or 1.
 * @example compareMagnitude(dyadic(1n, 0), dyadic(1n, -1)) // 1
 */
export function compareMagnitude(a: Rational, b: Rational): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Compares the signed values a and b (−0 equals +0): −1, 0 or 1.
 * @example compare(dyadic(-1n, 0), dyadic(0n, 0)) // -1
 */
export function compare(a: Rational, b: Rational): number {
  const left = (a.negative ? -a.num : a.num) * b.den;
  const right = (b.negative ? -b.num : b.num) * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The exact difference a − b (a zero result is +0).
 * @example subtract(dyadic(1n, 0), dyadic(1n, -2)) // 3/4
 */
export function subtract(a: Rational, b: Rational): Rational {
  const left = (a.negative ? -a.num : a.num) * b.den;
  const right = (b.negative ? -b.num : b.num) * a.den;
  const diff = left - right;
  return { negative: diff < 0n, num: diff < 0n ? -diff : diff, den: a.den * b.den };
}

/**
 * The exact quotient |a| / |b| for b ≠ 0, as a non-negative rational.
 * @example divideMagnitude(dyadic(1n, 0), dyadic(4n, 0)) // 1/4
 */
export function divideMagnitude(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new Error('divideMagnitude: division by zero');
  return { negative: false, num: a.num * b.den, den: a.den * b.num };
}

/**
 * Reduces to lowest terms (keeps the sign).
 * @example reduce({ negative: false, num: 4n, den: 8n }) // 1/2
 */
export function reduce(r: Rational): Rational {
  let a = r.num;
  let b = r.den;
  while (b !== 0n) [a, b] = [b, a % b];
  const g = a === 0n ? r.den : a;
  return { negative: r.negative, num: r.num / g, den: r.den / g };
}
