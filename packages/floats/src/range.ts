// The facts of a format: its range, its precision and which special values it has.
import { type FloatValue, fromBits } from './decode.ts';
import { type ExactNumber, exactNumber } from './exact.ts';
import { type FloatFormat, type FormatLike, resolveFormat } from './formats.ts';
import { dyadic } from './rational.ts';
import { maxFinite } from './round.ts';

/** Range and precision facts of one format. */
export interface FormatRange {
  readonly format: FloatFormat;
  /** The largest finite value. */
  readonly maxFinite: FloatValue;
  /** The most negative finite value (unsigned formats: the smallest value). */
  readonly lowestFinite: FloatValue;
  /** The smallest positive normal value (E8M0: 2^−127); null for integers. */
  readonly minNormal: FloatValue | null;
  /** The smallest positive subnormal value; null when the format has no subnormals. */
  readonly minSubnormal: FloatValue | null;
  /** The gap between 1 and the next larger value: 2^−mantissaBits (integers: 1). */
  readonly epsilon: ExactNumber;
  /** Decimal digits of precision, log10(2^(mantissaBits + 1)) (integers: log10(2^valueBits)). */
  readonly decimalDigits: number;
  /** Exponent bias (0 for integers). */
  readonly bias: number;
  readonly hasInfinity: boolean;
  readonly hasNaN: boolean;
  /** Whether −0 is a distinct pattern. */
  readonly hasNegativeZero: boolean;
  /** Count of finite values, counting +0 and −0 once. */
  readonly distinctFiniteValues: number;
}

function countFinite(f: FloatFormat): number {
  if (f.kind === 'int') return 2 ** f.totalBits;
  const perSign = 2 ** (f.exponentBits + f.mantissaBits);
  let special = 0;
  if (f.hasInfinity || f.nan === 'ieee') special = 2 ** f.mantissaBits;
  else if (f.nan === 'all-ones') special = 1;
  const positives = perSign - special - (f.hasSubnormals ? 1 : 0);
  const zeros = f.hasSubnormals ? 1 : 0;
  return positives * (f.signBits === 1 ? 2 : 1) + zeros;
}

/**
 * The range facts of a format: max finite, min normal, min subnormal, epsilon, decimal digits,
 * bias and its special values.
 * @example rangeOf('fp16').maxFinite.decimal // '65504'
 */
export function rangeOf(format: FormatLike): FormatRange {
  const f = resolveFormat(format);
  const max = maxFinite(f);
  const signBit = f.signBits === 1 ? 1n << BigInt(f.totalBits - 1) : 0n;
  const isFloat = f.kind === 'float';
  const lowestFinite =
    isFloat && signBit !== 0n ? fromBits(f, max.bits | signBit) : fromBits(f, signBit);
  const minNormalBits = f.hasSubnormals ? 1n << BigInt(f.mantissaBits) : 0n;
  return {
    format: f,
    maxFinite: max,
    lowestFinite,
    minNormal: isFloat ? fromBits(f, minNormalBits) : null,
    minSubnormal: isFloat && f.hasSubnormals ? fromBits(f, 1n) : null,
    epsilon: exactNumber(dyadic(1n, isFloat ? -f.mantissaBits : 0)),
    decimalDigits: (isFloat ? f.mantissaBits + 1 : f.mantissaBits) * Math.log10(2),
    bias: f.bias,
    hasInfinity: f.hasInfinity,
    hasNaN: f.nan !== 'none',
    hasNegativeZero: isFloat && f.signBits === 1,
    distinctFiniteValues: countFinite(f),
  };
}
