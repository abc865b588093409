// Everything about one value in one format: the stored value, its error, neighbours and gap.
import { type ExactInput, parseExact, toDecimalString } from './decimal.ts';
import type { FloatValue } from './decode.ts';
import { type ExactNumber, exactNumber } from './exact.ts';
import { type FloatFormat, type FormatLike, resolveFormat } from './formats.ts';
import { nextDown, nextUp, ulp } from './neighbours.ts';
import { divideMagnitude, subtract } from './rational.ts';
import {
  type OverflowPolicy,
  type RoundingMode,
  type RoundOptions,
  rationalToNumber,
  roundExact,
} from './round.ts';

/** The rounding error of a finite input stored as a finite value. */
export interface RoundingError {
  /** stored − input, exactly (positive when the stored value is larger). */
  readonly absolute: ExactNumber;
  /** (stored − input) / |input| as the nearest number (0 when both are zero). */
  readonly relative: number;
}

/** The full story of one input in one format. */
export interface Inspection {
  readonly format: FloatFormat;
  /** The input as parsed (exact rational, ±infinity or NaN). */
  readonly input: ExactInput;
  /** The input's exact decimal ('Infinity', '-Infinity', 'NaN' for specials). */
  readonly inputDecimal: string;
  readonly rounding: RoundingMode;
  readonly overflow: OverflowPolicy;
  /** The value the format stores. */
  readonly stored: FloatValue;
  /** Whether the stored value equals the input (NaN for NaN and infinity for infinity count). */
  readonly isExact: boolean;
  /** The error when both input and stored value are finite; null otherwise. */
  readonly error: RoundingError | null;
  /** The next smaller representable value (nextDown of stored), or null. */
  readonly previous: FloatValue | null;
  /** The next larger representable value (nextUp of stored), or null. */
  readonly next: FloatValue | null;
  /** The spacing of values around the stored one (see ulp()), or null for inf/NaN. */
  readonly ulp: ExactNumber | null;
}

function inputDecimal(input: ExactInput): string {
  if (input.kind === 'nan') return 'NaN';
  if (input.kind === 'infinity') return input.negative ? '-Infinity' : 'Infinity';
  return toDecimalString(input.value);
}

/**
 * Rounds `x` (a number, or decimal text read exactly) into `format` and reports the stored value,
 * the exact error, the neighbours and the gap; throws as round() does.
 * @example inspect('fp32', '0.1').error?.absolute.decimal // '0.000000001490116119384765625'
 */
export function inspect(
  format: FormatLike,
  x: number | string,
  options: RoundOptions = {},
): Inspection {
  const f = resolveFormat(format);
  const input = parseExact(x);
  const stored = roundExact(f, input, options);
  let error: RoundingError | null = null;
  let isExact: boolean;
  if (input.kind === 'finite' && stored.exact !== null) {
    const absolute = subtract(stored.exact, input.value);
    const relative =
      absolute.num === 0n
        ? 0
        : rationalToNumber({
            ...divideMagnitude(absolute, input.value),
            negative: absolute.negative,
          });
    error = { absolute: exactNumber(absolute), relative };
    isExact = absolute.num === 0n;
  } else if (input.kind === 'nan') {
    isExact = stored.class === 'nan';
  } else {
    isExact =
      input.kind === 'infinity' &&
      stored.class === 'infinity' &&
      (stored.sign === 1) === input.negative;
  }
  return {
    format: f,
    input,
    inputDecimal: inputDecimal(input),
    rounding: options.rounding ?? 'nearest-even',
    overflow: options.overflow ?? 'inf-or-nan',
    stored,
    isExact,
    error,
    previous: nextDown(stored),
    next: nextUp(stored),
    ulp: ulp(stored),
  };
}
