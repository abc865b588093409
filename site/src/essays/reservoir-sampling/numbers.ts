/**
 * Every number the reservoir sampling prose quotes, computed by the engine when the site is built,
 * so prose and engine cannot drift apart.
 */
import { expectedDrawsL, expectedDrawsR, expectedWrites } from '@explorables/reservoir';
import { logFigureNumbers } from './figures/log-samplers.ts';

/** Formats a whole number with thousands separators, e.g. 999,900. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Chance that the coin-flip rule still holds card `i` (1-based) after `n` cards. */
export function coinFlipChance(i: number, n: number): number {
  return i === 1 ? 0.5 ** (n - 1) : 0.5 ** (n - i + 1);
}

/** A million lines, a reservoir of a hundred. */
export const millionLines = (() => {
  const n = 1_000_000;
  const k = 100;
  return {
    n,
    k,
    drawsR: expectedDrawsR(n, k),
    drawsL: expectedDrawsL(n, k),
    writes: expectedWrites(n, k),
  };
})();

/** Twenty cards under the coin flip: the first card's and the last card's chances. */
export const twentyCards = {
  n: 20,
  first: coinFlipChance(1, 20),
  last: coinFlipChance(20, 20),
  fair: 1 / 20,
};

/** The minute of logs the figures show (seed 1): the stream, 10 % sampling, a reservoir per second. */
export const logs = (() => {
  const numbers = logFigureNumbers(1);
  const k = numbers.windowed.options.k;
  return {
    ...numbers,
    k,
    peakRepresents: numbers.stream.peakPerSec / k,
  };
})();
