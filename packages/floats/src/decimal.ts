// Exact decimal text in and out: every binary float is m · 2^e, so its decimal expansion ends.
import { type Rational, rationalFromNumber } from './rational.ts';

/** A parsed input: an exact finite rational, a signed infinity, or NaN. */
export type ExactInput =
  | { readonly kind: 'finite'; readonly value: Rational }
  | { readonly kind: 'infinity'; readonly negative: boolean }
  | { readonly kind: 'nan' };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Largest decimal exponent (and digit count) accepted, to keep BigInt work bounded. */
export const MAX_DECIMAL_EXPONENT = 100_000;

/**
 * Parses a number or decimal text exactly: '0.1' is exactly 1/10 (not the double nearest to it),
 * '-0' keeps its sign, 'inf', '-Infinity' and 'nan' are accepted (case-insensitive). Throws an
 * Error naming the text and the expected syntax otherwise.
 * @example parseExact('1e-40') // { kind: 'finite', value: 1/10^40 }
 */
export function parseExact(input: number | string): ExactInput {
  if (typeof input === 'number') {
    if (Number.isNaN(input)) return { kind: 'nan' };
    if (!Number.isFinite(input)) return { kind: 'infinity', negative: input < 0 };
    return { kind: 'finite', value: rationalFromNumber(input) };
  }
  const text = input.trim();
  const special = SPECIAL.exec(text);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return { kind: 'nan' };
    return { kind: 'infinity', negative: special[1] === '-' };
  }
  const match = DECIMAL.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole.length + fraction.length === 0) {
    throw new Error(
      `cannot read '${input}' as a number; expected a decimal such as 0.1, -2.5e-3 or 1e-40, ` +
        'or inf, -inf, nan',
    );
  }
  const exponent = Number(match[4] ?? '0');
  if (
    Math.abs(exponent) > MAX_DECIMAL_EXPONENT ||
    whole.length + fraction.length > MAX_DECIMAL_EXPONENT
  ) {
    throw new Error(
      `'${input}' is too long or its exponent too large; expected at most ` +
        `${MAX_DECIMAL_EXPONENT} digits and an exponent within ±${MAX_DECIMAL_EXPONENT}`,
    );
  }
  const digits = BigInt(`${whole}${fraction}` || '0');
  const scale = exponent - fraction.length;
  const value: Rational =
    scale >= 0
      ? { negative: match[1] === '-', num: digits * 10n ** BigInt(scale), den: 1n }
      : { negative: match[1] === '-', num: digits, den: 10n ** BigInt(-scale) };
  return { kind: 'finite', value };
}

/**
 * Writes a rational whose denominator has no prime factors but 2 and 5 as an exact positional
 * decimal, without exponent and without trailing zeros ('-0' for negative zero); throws when the
 * expansion would not terminate.
 * @example toDecimalString({ negative: false, num: 13421773n, den: 134217728n })
 *   // '0.100000001490116119384765625'
 */
export function toDecimalString(r: Rational): string {
  let twos = 0;
  let rest = r.den;
  const lowBit = rest & -rest;
  twos = lowBit.toString(2).length - 1;
  rest >>= BigInt(twos);
  let fives = 0;
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest !== 1n) {
    throw new Error(`toDecimalString: ${r.num}/${r.den} has no terminating decimal expansion`);
  }
  const places = Math.max(twos, fives);
  const scaled = r.num * 2n ** BigInt(places - twos) * 5n ** BigInt(places - fives);
  let digits = scaled.toString().padStart(places + 1, '0');
  let text = digits;
  if (places > 0) {
    const point = digits.length - places;
    let fraction = digits.slice(point).replace(/0+$/, '');
    digits = digits.slice(0, point);
    if (fraction.length > 0) fraction = `.${fraction}`;
    text = `${digits}${fraction}`;
  }
  return r.negative ? `-${text}` : text;
}
