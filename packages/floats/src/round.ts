// Rounding any exact input into any format: four rounding modes and an explicit overflow policy.
import { type ExactInput, parseExact } from './decimal.ts';
import { encodeFinite, type FloatValue, fromBits, minNormalExponent } from './decode.ts';
import { type FloatFormat, type FormatLike, FP64, resolveFormat } from './formats.ts';
import { compareMagnitude, floorLog2, type Rational, rationalFromNumber } from './rational.ts';

/**
 * How a value between two representable neighbours is chosen: `nearest-even` (IEEE default; ties
 * go to the even last bit: the mantissa's, or E8M0's exponent field's), `toward-zero` (truncate), `away-from-zero`, or `stochastic` (round up
 * in magnitude with probability equal to the fraction of the gap, using `rng`).
 */
export type RoundingMode = 'nearest-even' | 'toward-zero' | 'away-from-zero' | 'stochastic';

/** The rounding modes, default first. */
export const ROUNDING_MODES: readonly RoundingMode[] = [
  'nearest-even',
  'toward-zero',
  'away-from-zero',
  'stochastic',
];

/**
 * What happens beyond the largest finite value (and to infinite inputs):
 * - `saturate`: clamp to ±max finite (infinite inputs too).
 * - `inf-or-nan` (default): IEEE overflow. fp64/fp32/fp16/bf16/E5M2 give ±infinity; E4M3 and
 *   E8M0, which have NaN but no infinity, give NaN; E2M3, E3M2, E2M1 and the integers, which have
 *   neither, saturate. As in IEEE 754, `toward-zero` rounding of a finite overflow gives ±max.
 */
export type OverflowPolicy = 'saturate' | 'inf-or-nan';

/** A source of uniform numbers in [0, 1), such as an `Rng` from @explorables/random. */
export interface FloatSource {
  float(): number;
}

/** Options of round(): mode (default nearest-even), overflow policy and rng for stochastic. */
export interface RoundOptions {
  readonly rounding?: RoundingMode;
  readonly overflow?: OverflowPolicy;
  /** Required for `stochastic` rounding. */
  readonly rng?: FloatSource;
}

const maxCache = new WeakMap<FloatFormat, FloatValue>();

/**
 * The largest finite value of a format.
 * @example maxFinite(E4M3).decimal // '448'
 */
export function maxFinite(format: FormatLike): FloatValue {
  const f = resolveFormat(format);
  const cached = maxCache.get(f);
  if (cached) return cached;
  const m = f.mantissaBits;
  const allM = 2 ** m - 1;
  const allE = 2 ** f.exponentBits - 1;
  let e = allE;
  let mantissa = allM;
  if (f.kind === 'float' && (f.hasInfinity || f.nan === 'ieee')) e = allE - 1;
  else if (f.kind === 'float' && f.nan === 'all-ones') {
    if (m === 0) e = allE - 1;
    else mantissa = allM - 1;
  }
  const value = fromBits(f, (BigInt(e) << BigInt(m)) | BigInt(mantissa));
  maxCache.set(f, value);
  return value;
}

/**
 * The canonical quiet NaN of a format (positive sign); throws when the format has no NaN.
 * @example nanOf(FP32).bits // 0x7fc00000n
 */
export function nanOf(format: FormatLike): FloatValue {
  const f = resolveFormat(format);
  const m = BigInt(f.mantissaBits);
  const e = (1n << BigInt(f.exponentBits)) - 1n;
  if (f.kind === 'int' || f.nan === 'none') {
    throw new Error(`${f.name} has no NaN; expected a number or ±infinity for this format`);
  }
  const mantissa = f.nan === 'ieee' ? 1n << (m - 1n) : (1n << m) - 1n;
  return fromBits(f, (e << m) | mantissa);
}

function infinityOf(f: FloatFormat, negative: boolean): FloatValue {
  const m = BigInt(f.mantissaBits);
  const sign = negative ? 1n << BigInt(f.totalBits - 1) : 0n;
  return fromBits(f, sign | (((1n << BigInt(f.exponentBits)) - 1n) << m));
}

function negate(f: FloatFormat, v: FloatValue, negative: boolean): FloatValue {
  if (!negative || f.signBits === 0) return v;
  return fromBits(f, v.bits | (1n << BigInt(f.totalBits - 1)));
}

function roundUp(
  lowIsOdd: boolean,
  rem: bigint,
  den: bigint,
  mode: RoundingMode,
  rng: FloatSource | undefined,
): boolean {
  if (rem === 0n) return false;
  switch (mode) {
    case 'nearest-even': {
      const twice = rem * 2n;
      return twice > den || (twice === den && lowIsOdd);
    }
    case 'toward-zero':
      return false;
    case 'away-from-zero':
      return true;
    case 'stochastic': {
      if (rng === undefined) throw new Error('stochastic rounding needs options.rng ({ float() })');
      const u = rng.float();
      if (!(u >= 0 && u < 1))
        throw new Error(`rng.float() must return a number in [0, 1), got ${u}`);
      const exact = rationalFromNumber(u);
      return exact.num * den < rem * exact.den;
    }
    default:
      throw new Error(
        `unknown rounding mode '${String(mode)}'; expected ${ROUNDING_MODES.join(', ')}`,
      );
  }
}

function overflowValue(
  f: FloatFormat,
  negative: boolean,
  mode: RoundingMode,
  overflow: OverflowPolicy,
): FloatValue {
  const saturated = negate(f, maxFinite(f), negative);
  if (overflow === 'saturate' || mode === 'toward-zero') return saturated;
  if (f.hasInfinity) return infinityOf(f, negative);
  if (f.nan !== 'none') return nanOf(f);
  return saturated;
}

function intExtreme(f: FloatFormat, negative: boolean): FloatValue {
  if (!negative) return maxFinite(f);
  return fromBits(f, f.signBits === 1 ? 1n << BigInt(f.totalBits - 1) : 0n);
}

function roundInteger(f: FloatFormat, v: Rational, mode: RoundingMode, rng?: FloatSource) {
  const n = v.num / v.den;
  const magnitude = roundUp((n & 1n) === 1n, v.num % v.den, v.den, mode, rng) ? n + 1n : n;
  const signed = v.negative ? -magnitude : magnitude;
  const max = (1n << BigInt(f.mantissaBits)) - 1n;
  const min = f.signBits === 1 ? -(1n << BigInt(f.mantissaBits)) : 0n;
  const clamped = signed > max ? max : signed < min ? min : signed;
  return fromBits(f, clamped < 0n ? clamped + (1n << BigInt(f.totalBits)) : clamped);
}

/**
 * Rounds an exact input (see parseExact) into `format`; see round() for the rules.
 * @example roundExact('fp16', parseExact('2049')).decimal // '2048'
 */
export function roundExact(
  format: FormatLike,
  input: ExactInput,
  options: RoundOptions = {},
): FloatValue {
  const f = resolveFormat(format);
  const mode = options.rounding ?? 'nearest-even';
  const overflow = options.overflow ?? 'inf-or-nan';
  if (!ROUNDING_MODES.includes(mode)) {
    throw new Error(`unknown rounding mode '${mode}'; expected ${ROUNDING_MODES.join(', ')}`);
  }
  if (overflow !== 'saturate' && overflow !== 'inf-or-nan') {
    throw new Error(`unknown overflow policy '${overflow}'; expected saturate or inf-or-nan`);
  }
  if (input.kind === 'nan') return nanOf(f);
  const negative = input.kind === 'infinity' ? input.negative : input.value.negative;
  const unsignedFloat = f.kind === 'float' && f.signBits === 0;
  if (unsignedFloat && (negative || (input.kind === 'finite' && input.value.num === 0n))) {
    return nanOf(f); // E8M0 holds only positive powers of two.
  }
  if (input.kind === 'infinity') {
    if (overflow === 'inf-or-nan' && f.hasInfinity) return infinityOf(f, negative);
    if (f.kind === 'int') return intExtreme(f, negative);
    return overflowValue(f, negative, 'nearest-even', overflow);
  }
  const v = input.value;
  if (f.kind === 'int') return roundInteger(f, v, mode, options.rng);
  if (v.num === 0n) return encodeZero(f, negative);
  const m = f.mantissaBits;
  const q = Math.max(floorLog2(v.num, v.den), minNormalExponent(f)) - m;
  const num = q >= 0 ? v.num : v.num << BigInt(-q);
  const den = q >= 0 ? v.den << BigInt(q) : v.den;
  let n = num / den;
  // Ties go to the candidate whose last encoded bit is 0: the mantissa's, or with no mantissa
  // bits (E8M0) the exponent field's.
  const lowIsOdd = m > 0 || n === 0n ? (n & 1n) === 1n : ((q + f.bias) & 1) === 1;
  if (roundUp(lowIsOdd, num % den, den, mode, options.rng)) n++;
  if (n === 0n && unsignedFloat) n = 1n; // E8M0 has no zero: tiny values clamp to 2^-127.
  const max = maxFinite(f).exact!;
  const rounded: Rational = {
    negative,
    num: q >= 0 ? n << BigInt(q) : n,
    den: q >= 0 ? 1n : 1n << BigInt(-q),
  };
  if (compareMagnitude(rounded, max) > 0) return overflowValue(f, negative, mode, overflow);
  return fromBits(f, encodeFinite(f, negative, n, q));
}

function encodeZero(f: FloatFormat, negative: boolean): FloatValue {
  return fromBits(f, encodeFinite(f, negative, 0n, 0));
}

/**
 * Rounds a number or exact decimal text into `format` (default nearest-even, IEEE overflow):
 * '0.1' is rounded from exactly 1/10. NaN becomes the format's quiet NaN, and throws for a format
 * without NaN (E2M3, E3M2, E2M1, integers); E8M0 gives NaN for zero and negative inputs and clamps
 * tiny positives to 2^−127; integers always saturate.
 * @example round('fp32', '0.1').decimal // '0.100000001490116119384765625'
 * @example round('e4m3', 1000, { overflow: 'saturate' }).number // 448
 */
export function round(
  format: FormatLike,
  x: number | string,
  options: RoundOptions = {},
): FloatValue {
  return roundExact(format, parseExact(x), options);
}

/**
 * The bit pattern of `x` rounded into `format` (see round()), as an unsigned BigInt.
 * @example toBits('bf16', 1) // 0x3f80n
 */
export function toBits(format: FormatLike, x: number | string, options: RoundOptions = {}): bigint {
  return round(format, x, options).bits;
}

/**
 * `x` rounded into `format` and read back as a JavaScript number (the "fake quantize" of ML code).
 * @example quantize('e2m1', 2.6) // 3
 */
export function quantize(format: FormatLike, x: number, options: RoundOptions = {}): number {
  return round(format, x, options).number;
}

/**
 * The JavaScript number nearest to an exact rational (ties to even), with correct rounding even
 * for subnormal results.
 * @example rationalToNumber({ negative: false, num: 1n, den: 3n }) // 0.3333333333333333
 */
export function rationalToNumber(r: Rational): number {
  return roundExact(FP64, { kind: 'finite', value: r }).number;
}
