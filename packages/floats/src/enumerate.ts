// Every value of a small format, for number lines and exhaustive tests.
import { type FloatValue, fromBits } from './decode.ts';
import { type FormatLike, resolveFormat } from './formats.ts';

/** The widest format enumerate() accepts, in bits. */
export const MAX_ENUMERABLE_BITS = 16;

/**
 * Every bit pattern of a format of at most 16 bits, decoded, in bit order (index = bits); throws
 * for wider formats.
 * @example enumerate('e2m1').length // 16
 */
export function enumerate(format: FormatLike): FloatValue[] {
  const f = resolveFormat(format);
  if (f.totalBits > MAX_ENUMERABLE_BITS) {
    throw new Error(
      `enumerate(${f.name}): ${f.totalBits} bits is too many; expected at most ` +
        `${MAX_ENUMERABLE_BITS} bits (fp16, bf16 or narrower)`,
    );
  }
  const values: FloatValue[] = [];
  for (let bits = 0; bits < 2 ** f.totalBits; bits++) values.push(fromBits(f, bits));
  return values;
}

/**
 * The distinct finite values of a format of at most 16 bits, ascending, −0 left out (+0 kept):
 * the points of its number line.
 * @example finiteValues('e2m1').map((v) => v.number) // [-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, …, 6]
 */
export function finiteValues(format: FormatLike): FloatValue[] {
  const finite = enumerate(format).filter(
    (v) => v.exact !== null && !(v.class === 'zero' && v.sign === 1 && v.format.kind === 'float'),
  );
  return finite.sort((a, b) => a.number - b.number);
}
