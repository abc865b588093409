// Walking the number line of a format: the next and previous values and the gap between them.
import { type FloatValue, fromBits, minNormalExponent } from './decode.ts';
import { type ExactNumber, exactNumber } from './exact.ts';
import type { FloatFormat } from './formats.ts';
import { dyadic } from './rational.ts';

function signBit(f: FloatFormat): bigint {
  return f.signBits === 1 ? 1n << BigInt(f.totalBits - 1) : 0n;
}

function intStep(v: FloatValue, step: 1n | -1n): FloatValue | null {
  const f = v.format;
  const value = (v.exact!.negative ? -v.exact!.num : v.exact!.num) + step;
  const max = (1n << BigInt(f.mantissaBits)) - 1n;
  const min = f.signBits === 1 ? -(1n << BigInt(f.mantissaBits)) : 0n;
  if (value > max || value < min) return null;
  return fromBits(f, value < 0n ? value + (1n << BigInt(f.totalBits)) : value);
}

/** Steps one pattern away from zero in magnitude; null past the last finite or infinite value. */
function stepOut(v: FloatValue): FloatValue | null {
  const f = v.format;
  if (v.class === 'infinity') return null;
  const next = v.bits + 1n;
  const limit = f.signBits === 1 ? (v.sign === 1 ? 1n << BigInt(f.totalBits) : signBit(f)) : 0n;
  if (next >= (limit || 1n << BigInt(f.totalBits))) return null;
  const value = fromBits(f, next);
  return value.class === 'nan' ? null : value;
}

/**
 * The smallest value of the format greater than `v` (IEEE nextUp: ±0 → smallest subnormal,
 * max → +infinity where the format has it); null for NaN, +infinity and the largest value.
 * @example nextUp(round('fp16', 1))?.decimal // '1.0009765625'
 */
export function nextUp(v: FloatValue): FloatValue | null {
  const f = v.format;
  if (v.class === 'nan') return null;
  if (f.kind === 'int') return intStep(v, 1n);
  if (v.class === 'zero') return fromBits(f, 1n);
  if (v.sign === 1) return fromBits(f, v.bits - 1n);
  return stepOut(v);
}

/**
 * The largest value of the format less than `v` (IEEE nextDown: ±0 → −smallest subnormal);
 * null for NaN, −infinity and the lowest value.
 * @example nextDown(round('e2m1', 1))?.decimal // '0.5'
 */
export function nextDown(v: FloatValue): FloatValue | null {
  const f = v.format;
  if (v.class === 'nan') return null;
  if (f.kind === 'int') return intStep(v, -1n);
  if (f.signBits === 0) return v.bits === 0n ? null : fromBits(f, v.bits - 1n);
  if (v.class === 'zero') return fromBits(f, signBit(f) | 1n);
  if (v.sign === 0) return fromBits(f, v.bits - 1n);
  return stepOut(v);
}

/**
 * The unit in the last place of a finite value: the spacing 2^(e − mantissaBits) of the binade
 * that holds it (for zero and subnormals, the smallest subnormal; for integers, 1); null for
 * infinities and NaN.
 * @example ulp(round('fp32', 1))?.decimal // '0.00000011920928955078125'
 */
export function ulp(v: FloatValue): ExactNumber | null {
  const f = v.format;
  if (v.exact === null) return null;
  if (f.kind === 'int') return exactNumber(dyadic(1n, 0));
  const emin = minNormalExponent(f);
  return exactNumber(dyadic(1n, Math.max(v.exponent ?? emin, emin) - f.mantissaBits));
}
