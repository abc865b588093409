/**
 * Every number the Bloom filters prose quotes, computed by the engine when the site is built.
 * The prose imports from here instead of typing numbers in, so prose and engine cannot drift apart.
 */
import { BinaryFuse8, bitsPerKeyFor, falsePositiveRate, sizeFor } from '@explorables/bloom';

const million = 1_000_000;

/** Formats a byte count in binary units, e.g. 3.43 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Formats a whole number with thousands separators, e.g. 9,585,059. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** One-in-a-million filter for a million items. */
export const millionAtMillion = sizeFor(million, 1e-6);
/** One-percent filter for a million items. */
export const millionAtOnePercent = sizeFor(million, 0.01);
/** Extra bits per key that each tenfold drop in the false-positive rate costs. */
export const bitsPerTenfold = bitsPerKeyFor(0.001) - bitsPerKeyFor(0.01);
/** The optimum for one percent, and what k = 3 would give with the same bits. */
export const onePercentWithThreeHashes = falsePositiveRate(millionAtOnePercent.bits, million, 3);
/** What the 1% filter answers once twice as many items went in as it was sized for. */
export const onePercentOverfilled = falsePositiveRate(
  millionAtOnePercent.bits,
  2 * million,
  millionAtOnePercent.hashes,
);

/** Binary fuse vs Bloom at the fuse filter's own rate, 2^-8, for 100,000 keys. */
export const fuseComparison = (() => {
  const keys: string[] = [];
  for (let i = 0; i < 100_000; i++) keys.push(`key-${i}`);
  const fuse = BinaryFuse8.build(keys, { seed: 1 });
  const bloom = sizeFor(keys.length, 1 / 256);
  return {
    keys: keys.length,
    fuseBitsPerKey: fuse.bitsPerKey,
    bloomBitsPerKey: bloom.bitsPerKey,
    lowerBound: Math.log2(256),
  };
})();
