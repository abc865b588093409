const TABLE_SIZE = 256;
let table: Float64Array | undefined;

/** ln(k!) for k < TABLE_SIZE, summed once on first use. */
function smallTable(): Float64Array {
  if (table === undefined) {
    table = new Float64Array(TABLE_SIZE);
    for (let k = 2; k < TABLE_SIZE; k++) table[k] = table[k - 1] + Math.log(k);
  }
  return table;
}

/**
 * The remainder of Stirling's series, ln(k!) - (k ln k - k + ln(2 pi k) / 2), for an integer
 * k >= 256 where three terms are accurate to far below double precision.
 * @example stirlingRemainder(1000) // about 1 / 12000
 */
export function stirlingRemainder(k: number): number {
  const inv = 1 / k;
  const inv2 = inv * inv;
  return inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/**
 * The natural logarithm of k! for a non-negative integer k, to about 1e-15 relative accuracy
 * (a summed table below 256, Stirling's series above).
 * @example logFactorial(5) // Math.log(120)
 */
export function logFactorial(k: number): number {
  if (!Number.isInteger(k) || k < 0) {
    throw new Error(`logFactorial(k) needs a non-negative integer k, got ${String(k)}`);
  }
  if (k < TABLE_SIZE) return smallTable()[k];
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + stirlingRemainder(k);
}
