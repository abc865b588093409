/**
 * Closed forms for what the uniform reservoirs cost on a stream of n items with capacity k:
 * the expected number of random draws of Algorithm R and Algorithm L and the expected number of
 * slot writes (the same for both), so figures can print theory next to the live counters.
 */

const EULER_GAMMA = 0.5772156649015329;

/**
 * The harmonic number H(n) = 1 + 1/2 + … + 1/n for an integer n ≥ 0 (summed below 64, the
 * asymptotic series beyond, accurate to about 1e-15 relative).
 * @example harmonic(3) // 1.8333333333333333
 */
export function harmonic(n: number): number {
  checkCount(n, 'harmonic(n)', 'n');
  if (n < 64) {
    let sum = 0;
    for (let i = n; i >= 1; i--) sum += 1 / i;
    return sum;
  }
  const inv2 = 1 / (n * n);
  return (
    Math.log(n) +
    EULER_GAMMA +
    1 / (2 * n) -
    inv2 / 12 +
    (inv2 * inv2) / 120 -
    (inv2 * inv2 * inv2) / 252
  );
}

/**
 * Expected random draws of Algorithm R: one per item after the first k, so max(0, n − k)
 * exactly (0 when k = 0).
 * @example expectedDrawsR(1e6, 100) // 999900
 */
export function expectedDrawsR(n: number, k: number): number {
  checkCount(n, 'expectedDrawsR(n, k)', 'n');
  checkCount(k, 'expectedDrawsR(n, k)', 'k');
  return k === 0 ? 0 : Math.max(0, n - k);
}

/**
 * Expected random draws of Algorithm L as implemented by ReservoirL: 0 before the reservoir
 * fills, then 2 + 3k(H(n) − H(k)) (first W and jump, then slot, W and jump per kept item).
 * @example expectedDrawsL(1e6, 100) // about 2765
 */
export function expectedDrawsL(n: number, k: number): number {
  checkCount(n, 'expectedDrawsL(n, k)', 'n');
  checkCount(k, 'expectedDrawsL(n, k)', 'k');
  if (k === 0 || n < k) return 0;
  return 2 + 3 * k * (harmonic(n) - harmonic(k));
}

/**
 * Expected slot writes (fills plus replacements) of either algorithm: min(n, k) plus
 * k(H(n) − H(k)) replacements, about k(1 + ln(n/k)) for n ≫ k.
 * @example expectedWrites(1e6, 100) // about 1021
 */
export function expectedWrites(n: number, k: number): number {
  checkCount(n, 'expectedWrites(n, k)', 'n');
  checkCount(k, 'expectedWrites(n, k)', 'k');
  if (n <= k) return n;
  return k + k * (harmonic(n) - harmonic(k));
}

function checkCount(value: number, call: string, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${call} needs a safe integer ${name} >= 0, got ${String(value)}`);
  }
}
