export { type ExactInput, MAX_DECIMAL_EXPONENT, parseExact, toDecimalString } from './decimal.ts';
export {
  type FloatClass,
  type FloatValue,
  fromBits,
  isNanFields,
  minNormalExponent,
} from './decode.ts';
export { enumerate, finiteValues, MAX_ENUMERABLE_BITS } from './enumerate.ts';
export { type ExactNumber, exactNumber } from './exact.ts';
export {
  BF16,
  E2M1,
  E2M3,
  E3M2,
  E4M3,
  E5M2,
  E8M0,
  FLOAT_FORMATS,
  type FloatFormat,
  FORMATS,
  type FormatLike,
  FP16,
  FP32,
  FP64,
  formatByName,
  INT_FORMATS,
  type NanEncoding,
  resolveFormat,
} from './formats.ts';
export { type Inspection, inspect, type RoundingError } from './inspect.ts';
export { nextDown, nextUp, ulp } from './neighbours.ts';
export { type FormatRange, rangeOf } from './range.ts';
export {
  compare,
  compareMagnitude,
  dyadic,
  type Rational,
  rationalFromNumber,
  subtract,
} from './rational.ts';
export {
  type FloatSource,
  maxFinite,
  nanOf,
  type OverflowPolicy,
  quantize,
  ROUNDING_MODES,
  type RoundingMode,
  type RoundOptions,
  rationalToNumber,
  round,
  roundExact,
  toBits,
} from './round.ts';
