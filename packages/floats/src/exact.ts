// A quantity that need not be representable in any format (an error, a gap), kept exactly.
import { toDecimalString } from './decimal.ts';
import type { Rational } from './rational.ts';
import { rationalToNumber } from './round.ts';

/** An exact quantity with its terminating decimal expansion and the nearest JavaScript number. */
export interface ExactNumber {
  readonly exact: Rational;
  /** Exact positional decimal, e.g. '0.000000001490116119384765625'. */
  readonly decimal: string;
  /** The nearest binary64 (ties to even). */
  readonly number: number;
}

/**
 * Wraps a rational whose denominator is 2^a · 5^b (so its decimal expansion ends).
 * @example exactNumber({ negative: false, num: 1n, den: 8n }).decimal // '0.125'
 */
export function exactNumber(r: Rational): ExactNumber {
  return { exact: r, decimal: toDecimalString(r), number: rationalToNumber(r) };
}
