// The number formats an ML engineer meets, each described by its bit fields and special values.

/**
 * Which bit patterns are NaN: `ieee` every pattern with an all-ones exponent and a non-zero
 * mantissa; `all-ones` only the pattern whose exponent and mantissa are all ones (E4M3's S.1111.111,
 * E8M0's 0xFF); `none` no NaN at all.
 */
export type NanEncoding = 'ieee' | 'all-ones' | 'none';

/** A binary number format: a sign-magnitude float (or scale) or a two's-complement integer. */
export interface FloatFormat {
  /** Canonical lower-case name, such as `fp32`, `e4m3`, `int8`. */
  readonly name: string;
  /** One line naming the format and its standard. */
  readonly title: string;
  /** `float` for sign·2^e·1.m encodings (including the E8M0 scale), `int` for integers. */
  readonly kind: 'float' | 'int';
  /** Total width in bits. */
  readonly totalBits: number;
  /** 1 when the top bit is a sign bit (two's-complement top bit for signed integers), else 0. */
  readonly signBits: 0 | 1;
  /** Width of the exponent field in bits (0 for integers). */
  readonly exponentBits: number;
  /** Width of the mantissa (trailing significand) field in bits; for integers the value bits. */
  readonly mantissaBits: number;
  /** Exponent bias: a normal value is 1.m · 2^(field − bias). */
  readonly bias: number;
  /** Whether exponent field 0 holds subnormals 0.m · 2^(1 − bias) (E8M0's field 0 is 2^−127). */
  readonly hasSubnormals: boolean;
  /** Whether the all-ones exponent with a zero mantissa is ±infinity. */
  readonly hasInfinity: boolean;
  /** Which patterns are NaN. */
  readonly nan: NanEncoding;
  /** Other accepted spellings (matched case-insensitively). */
  readonly aliases: readonly string[];
}

function float(
  name: string,
  title: string,
  exponentBits: number,
  mantissaBits: number,
  special: { infinity: boolean; nan: NanEncoding; signed?: boolean; subnormals?: boolean },
  aliases: readonly string[],
): FloatFormat {
  const signBits = special.signed === false ? 0 : 1;
  return {
    name,
    title,
    kind: 'float',
    totalBits: signBits + exponentBits + mantissaBits,
    signBits,
    exponentBits,
    mantissaBits,
    bias: 2 ** (exponentBits - 1) - 1,
    hasSubnormals: special.subnormals ?? true,
    hasInfinity: special.infinity,
    nan: special.nan,
    aliases,
  };
}

function integer(bits: number, signed: boolean): FloatFormat {
  const name = `${signed ? 'int' : 'uint'}${bits}`;
  return {
    name,
    title: `${signed ? 'signed two’s-complement' : 'unsigned'} ${bits}-bit integer`,
    kind: 'int',
    totalBits: bits,
    signBits: signed ? 1 : 0,
    exponentBits: 0,
    mantissaBits: signed ? bits - 1 : bits,
    bias: 0,
    hasSubnormals: false,
    hasInfinity: false,
    nan: 'none',
    aliases: [signed ? `i${bits}` : `u${bits}`],
  };
}

const IEEE = { infinity: true, nan: 'ieee' } as const;
const FINITE = { infinity: false, nan: 'none' } as const;

/** IEEE 754 binary64 (JavaScript's number). */
export const FP64 = float('fp64', 'IEEE 754 binary64 (double)', 11, 52, IEEE, [
  'f64',
  'float64',
  'double',
  'binary64',
]);
/** IEEE 754 binary32. */
export const FP32 = float('fp32', 'IEEE 754 binary32 (float)', 8, 23, IEEE, [
  'f32',
  'float32',
  'float',
  'single',
  'binary32',
]);
/** IEEE 754 binary16. */
export const FP16 = float('fp16', 'IEEE 754 binary16 (half)', 5, 10, IEEE, [
  'f16',
  'float16',
  'half',
  'binary16',
]);
/** bfloat16: the top half of a binary32. */
export const BF16 = float('bf16', 'bfloat16 (top 16 bits of binary32)', 8, 7, IEEE, [
  'bfloat16',
  'brain-float16',
]);
/** OCP FP8 E4M3: bias 7, max 448, no infinity, NaN only at S.1111.111. */
export const E4M3 = float(
  'e4m3',
  'OCP FP8 E4M3 (no infinity, NaN = S.1111.111)',
  4,
  3,
  { infinity: false, nan: 'all-ones' },
  ['fp8-e4m3', 'fp8e4m3', 'e4m3fn', 'float8_e4m3fn', 'fp8'],
);
/** OCP FP8 E5M2: IEEE-like with infinities and NaNs, max 57344. */
export const E5M2 = float('e5m2', 'OCP FP8 E5M2 (IEEE-like)', 5, 2, IEEE, [
  'fp8-e5m2',
  'fp8e5m2',
  'float8_e5m2',
]);
/** OCP MX FP6 E2M3: no infinity, no NaN, max 7.5. */
export const E2M3 = float('e2m3', 'OCP MX FP6 E2M3 (no infinity, no NaN)', 2, 3, FINITE, [
  'fp6-e2m3',
  'fp6e2m3',
]);
/** OCP MX FP6 E3M2: no infinity, no NaN, max 28. */
export const E3M2 = float('e3m2', 'OCP MX FP6 E3M2 (no infinity, no NaN)', 3, 2, FINITE, [
  'fp6-e3m2',
  'fp6e3m2',
]);
/** OCP MX FP4 E2M1: no infinity, no NaN; the values 0, 0.5, 1, 1.5, 2, 3, 4, 6 and negatives. */
export const E2M1 = float('e2m1', 'OCP MX FP4 E2M1 (no infinity, no NaN)', 2, 1, FINITE, [
  'fp4',
  'fp4-e2m1',
  'fp4e2m1',
]);
/** OCP MX E8M0 scale: unsigned powers of two 2^−127 … 2^127, 0xFF = NaN, no zero. */
export const E8M0 = float(
  'e8m0',
  'OCP MX E8M0 scale (2^(e − 127), 0xFF = NaN, no zero)',
  8,
  0,
  { infinity: false, nan: 'all-ones', signed: false, subnormals: false },
  ['fp8-e8m0', 'e8m0fnu', 'float8_e8m0fnu', 'ue8m0'],
);

/** The floating-point formats (and the E8M0 scale), widest first. */
export const FLOAT_FORMATS: readonly FloatFormat[] = [
  FP64,
  FP32,
  FP16,
  BF16,
  E4M3,
  E5M2,
  E2M3,
  E3M2,
  E2M1,
  E8M0,
];

/** Signed integers int2 … int8 and unsigned uint2 … uint8. */
export const INT_FORMATS: readonly FloatFormat[] = [2, 3, 4, 5, 6, 7, 8].flatMap((bits) => [
  integer(bits, true),
  integer(bits, false),
]);

/** Every format this package knows: FLOAT_FORMATS then INT_FORMATS. */
export const FORMATS: readonly FloatFormat[] = [...FLOAT_FORMATS, ...INT_FORMATS];

const BY_NAME = new Map<string, FloatFormat>();
for (const format of FORMATS) {
  for (const name of [format.name, ...format.aliases]) BY_NAME.set(name.toLowerCase(), format);
}

/** A format object or one of its names. */
export type FormatLike = FloatFormat | string;

/**
 * Finds a format by name or alias, case-insensitively; throws an Error listing the canonical names
 * when none matches.
 * @example formatByName('Half').name // 'fp16'
 */
export function formatByName(name: string): FloatFormat {
  const found = BY_NAME.get(name.trim().toLowerCase());
  if (found === undefined) {
    const names = FORMATS.map((f) => f.name).join(', ');
    throw new Error(`unknown number format '${name}'; expected one of ${names}`);
  }
  return found;
}

/**
 * Returns `format` itself, or the format it names.
 * @example resolveFormat('bf16') === BF16 // true
 */
export function resolveFormat(format: FormatLike): FloatFormat {
  return typeof format === 'string' ? formatByName(format) : format;
}
