/** Anything that yields independent uniform unsigned 32-bit integers. */
export interface Uint32Source {
  /** Returns a uniform integer in [0, 2^32). */
  nextUint32(): number;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

/** The widest span `uniformInt` accepts: max - min may be at most 2^53 - 1. */
export const MAX_INT_SPAN = TWO_POW_53;

/**
 * Draws an integer uniformly from [min, max] inclusive, exactly unbiased: rejection of the
 * incomplete top block (2^k mod span) before reducing modulo the span, using one 32-bit draw per
 * attempt for spans up to 2^32 and two for spans up to 2^53.
 * @example uniformInt(rng, 1, 6) // a fair die roll
 */
export function uniformInt(source: Uint32Source, min: number, max: number): number {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
    throw new Error(
      `int(min, max) needs safe integers, got min=${String(min)}, max=${String(max)}`,
    );
  }
  if (min > max) {
    throw new Error(`int(min, max) needs min <= max, got min=${min} > max=${max}`);
  }
  // Safe integers differ by less than 2^54, and rounding is monotone, so this test is exact.
  if (max - min > TWO_POW_53 - 1) {
    throw new Error(
      `int(min, max) covers at most 2^53 values, got max - min = ${max - min} ` +
        `(min=${min}, max=${max})`,
    );
  }
  const span = max - min + 1;
  if (span === 1) return min;
  if (span <= TWO_POW_32) {
    // Accepting x >= 2^32 mod span leaves a multiple of span equally likely values.
    const threshold = TWO_POW_32 % span;
    let x = source.nextUint32();
    while (x < threshold) x = source.nextUint32();
    return min + (x % span);
  }
  const threshold = TWO_POW_53 % span;
  let x = draw53(source);
  while (x < threshold) x = draw53(source);
  return min + (x % span);
}

/** A uniform integer in [0, 2^53) from two 32-bit draws (21 high bits, 32 low bits). */
function draw53(source: Uint32Source): number {
  const high = source.nextUint32() >>> 11;
  return high * TWO_POW_32 + source.nextUint32();
}
