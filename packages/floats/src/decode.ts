// Composing a value from its bits: the fields, the class and the exact stored value.
import { toDecimalString } from './decimal.ts';
import { type FloatFormat, type FormatLike, resolveFormat } from './formats.ts';
import { dyadic, type Rational } from './rational.ts';

/** What kind of value a bit pattern holds. */
export type FloatClass = 'zero' | 'subnormal' | 'normal' | 'infinity' | 'nan';

/** One bit pattern of a format, taken apart: fields, class and exact value. */
export interface FloatValue {
  readonly format: FloatFormat;
  /** The whole pattern as an unsigned integer below 2^totalBits. */
  readonly bits: bigint;
  /** The sign field (for signed integers, the two's-complement top bit); 0 when unsigned. */
  readonly sign: 0 | 1;
  /** The raw (biased) exponent field. */
  readonly exponentField: number;
  /** The raw mantissa field (for integers, the bits below the sign bit). */
  readonly mantissaField: number;
  /** The fields as bit strings, most significant bit first ('' for an absent field). */
  readonly fieldStrings: {
    readonly sign: string;
    readonly exponent: string;
    readonly mantissa: string;
  };
  readonly class: FloatClass;
  /** The unbiased exponent e of 1.m · 2^e (subnormals: the minimum normal exponent); else null. */
  readonly exponent: number | null;
  /** The exact value (den a power of two), or null for infinities and NaNs. */
  readonly exact: Rational | null;
  /** The exact value in decimal, e.g. '0.100000001490116119384765625', or 'Infinity', 'NaN'. */
  readonly decimal: string;
  /** The value as a JavaScript number (exact: every format here fits in binary64). */
  readonly number: number;
}

/**
 * The smallest unbiased exponent of a normal value (E8M0, without subnormals: −127).
 * @example minNormalExponent(FP32) // -126
 */
export function minNormalExponent(format: FloatFormat): number {
  return (format.hasSubnormals ? 1 : 0) - format.bias;
}

/**
 * Whether the (exponent, mantissa) fields are a NaN in `format`.
 * @example isNanFields(E4M3, 15, 7) // true
 */
export function isNanFields(format: FloatFormat, exponentField: number, mantissa: number): boolean {
  const allOnes = 2 ** format.exponentBits - 1;
  if (format.kind === 'int' || format.nan === 'none' || exponentField !== allOnes) return false;
  if (format.nan === 'ieee') return mantissa !== 0;
  return mantissa === 2 ** format.mantissaBits - 1;
}

function bitString(value: number, width: number): string {
  return width === 0 ? '' : value.toString(2).padStart(width, '0');
}

/** A decoded pattern; exact value, bit strings and decimal text are computed on first use. */
class Decoded implements FloatValue {
  readonly format: FloatFormat;
  readonly bits: bigint;
  readonly sign: 0 | 1;
  readonly exponentField: number;
  readonly mantissaField: number;
  readonly class: FloatClass;
  readonly exponent: number | null;
  readonly number: number;
  private cachedExact: Rational | null | undefined;
  private cachedText: string | undefined;
  private cachedStrings: FloatValue['fieldStrings'] | undefined;

  constructor(
    format: FloatFormat,
    bits: bigint,
    fields: readonly [0 | 1, number, number],
    cls: FloatClass,
    exponent: number | null,
    value: number,
  ) {
    this.format = format;
    this.bits = bits;
    [this.sign, this.exponentField, this.mantissaField] = fields;
    this.class = cls;
    this.exponent = exponent;
    this.number = value;
  }

  get fieldStrings(): FloatValue['fieldStrings'] {
    const f = this.format;
    this.cachedStrings ??= {
      sign: bitString(this.sign, f.signBits),
      exponent: bitString(this.exponentField, f.exponentBits),
      mantissa: bitString(this.mantissaField, f.mantissaBits),
    };
    return this.cachedStrings;
  }

  get exact(): Rational | null {
    if (this.cachedExact !== undefined) return this.cachedExact;
    const f = this.format;
    const m = f.mantissaBits;
    const negative = this.sign === 1;
    if (f.kind === 'int') this.cachedExact = dyadic(BigInt(this.number), 0);
    else if (this.class === 'nan' || this.class === 'infinity') this.cachedExact = null;
    else if (this.class === 'normal') {
      const significand = BigInt(this.mantissaField) + (1n << BigInt(m));
      this.cachedExact = dyadic(significand, this.exponent! - m, negative);
    } else {
      const q = minNormalExponent(f) - m;
      this.cachedExact = dyadic(BigInt(this.mantissaField), q, negative);
    }
    return this.cachedExact;
  }

  get decimal(): string {
    const exact = this.exact;
    this.cachedText ??= exact === null ? String(this.number) : toDecimalString(exact);
    return this.cachedText;
  }
}

function splitFields(f: FloatFormat, b: bigint): [0 | 1, number, number] {
  const m = f.mantissaBits;
  if (f.totalBits <= 32) {
    const n = Number(b);
    const sign = f.signBits === 1 && n >= 2 ** (f.totalBits - 1) ? 1 : 0;
    return [sign, Math.floor(n / 2 ** m) % 2 ** f.exponentBits, n % 2 ** m];
  }
  const mantissa = Number(b & ((1n << BigInt(m)) - 1n));
  const exponentField = Number((b >> BigInt(m)) & ((1n << BigInt(f.exponentBits)) - 1n));
  const sign = f.signBits === 1 && b >> BigInt(f.totalBits - 1) === 1n ? 1 : 0;
  return [sign, exponentField, mantissa];
}

/**
 * Composes the value a bit pattern encodes (NaN payloads are kept in `bits`); throws when `bits`
 * is not an integer in [0, 2^totalBits).
 * @example fromBits('fp32', 0x3dcccccd).decimal // '0.100000001490116119384765625'
 */
export function fromBits(format: FormatLike, bits: number | bigint): FloatValue {
  const f = resolveFormat(format);
  if (typeof bits === 'number' && !Number.isSafeInteger(bits)) {
    throw new Error(`fromBits(${f.name}): bits must be an integer, got ${bits}`);
  }
  const b = BigInt(bits);
  if (b < 0n || b >= 1n << BigInt(f.totalBits)) {
    throw new Error(
      `fromBits(${f.name}): bits ${bits} out of range; expected 0 to 2^${f.totalBits} − 1`,
    );
  }
  const fields = splitFields(f, b);
  const [sign, e, mantissa] = fields;
  const m = f.mantissaBits;
  const make = (cls: FloatClass, exponent: number | null, value: number) =>
    new Decoded(f, b, fields, cls, exponent, value);
  if (f.kind === 'int') {
    const value = sign === 1 ? Number(b) - 2 ** f.totalBits : Number(b);
    return make(value === 0 ? 'zero' : 'normal', null, value);
  }
  if (isNanFields(f, e, mantissa)) return make('nan', null, Number.NaN);
  const signum = sign === 1 ? -1 : 1;
  if (f.hasInfinity && e === 2 ** f.exponentBits - 1) {
    return make('infinity', null, signum * Number.POSITIVE_INFINITY);
  }
  const emin = minNormalExponent(f);
  // Every format here fits in binary64, so these products are exact.
  if (e === 0 && f.hasSubnormals) {
    const value = signum * mantissa * 2 ** (emin - m);
    return make(mantissa === 0 ? 'zero' : 'subnormal', mantissa === 0 ? null : emin, value);
  }
  const exponent = e - f.bias;
  return make('normal', exponent, signum * (mantissa + 2 ** m) * 2 ** (exponent - m));
}

/**
 * The bit pattern of a finite value |value| = n · 2^q with sign, assuming it is representable
 * (n > 0 and within range, or n = 0 for zero). Used by rounding after it has chosen n and q.
 * @example encodeFinite(FP32, false, 1n, 0) // 0x3f800000n
 */
export function encodeFinite(f: FloatFormat, negative: boolean, n: bigint, q: number): bigint {
  const m = f.mantissaBits;
  const signBit = negative && f.signBits === 1 ? 1n << BigInt(f.totalBits - 1) : 0n;
  if (n === 0n) return signBit;
  const top = n.toString(2).length - 1 + q;
  const emin = minNormalExponent(f);
  if (top < emin) {
    // Subnormal: the mantissa is n in units of 2^(emin − m).
    const shift = q - (emin - m);
    return signBit | (n << BigInt(shift));
  }
  const shift = q - (top - m);
  const significand = shift >= 0 ? n << BigInt(shift) : n >> BigInt(-shift);
  const field = BigInt(top + f.bias);
  return signBit | (field << BigInt(m)) | (significand - (1n << BigInt(m)));
}
