/**
 * The measurement behind the "false positives as the filter fills" figure: add keys to a real
 * BloomFilter one by one and, at checkpoints, ask it about a fixed set of keys that were never
 * added, counting the "maybe" answers. The work is a generator that yields every few thousand
 * queries, so a page can spread it over frames (and drop it to cancel) while a test runs it flat.
 */
import { BloomFilter, falsePositiveRate } from '@explorables/bloom';

/** A filter design: its bits m and hashes k, and the capacity n and rate p it was sized for. */
export interface FillDesign {
  /** Bits in the filter, m. */
  bits: number;
  /** Hash functions per key, k. */
  hashes: number;
  /** The key count the filter was sized for, n (the vertical line in the figure). */
  capacity: number;
  /** The false-positive rate it was sized for at `capacity` keys, p (the horizontal line). */
  targetRate: number;
}

/** One checkpoint of a fill curve: the filter after `added` keys. */
export interface FillPoint {
  /** Keys added so far. */
  added: number;
  /** Probes (never-added keys) the filter answered "maybe" for. */
  maybeCount: number;
  /** maybeCount / probe count: the measured false-positive rate. */
  measuredRate: number;
  /** (1 − e^(−k·added/m))^k from the engine's falsePositiveRate. */
  predictedRate: number;
  /** Fraction of the m bits that are set. */
  fillRatio: number;
}

/** A whole measured curve, with everything needed to reproduce it. */
export interface FillCurve {
  design: FillDesign;
  seed: number;
  probeCount: number;
  /** The largest number of keys added (the right end of the x axis). */
  maxAdded: number;
  /**
   * Probes whose k positions cover at most 2 distinct bits, counted only when k ≥ 5 (with fewer
   * hashes a repeat is ordinary chance). Such a probe is a false positive about as often as in a
   * filter with 1 or 2 hashes. Uniform positions do this with probability below 15/m³ per key,
   * and the engine mixes each double-hashing step before scaling it (see bloom.ts), so the count
   * should be 0; it is measured, not assumed, so that a regression in the index scheme shows up
   * on the page as a measured rate above the prediction while the filter is nearly empty.
   */
  collapsedProbes: number;
  points: FillPoint[];
}

/** What to measure: a design, a seed (filter hash seed and key names), probes and checkpoints. */
export interface FillOptions {
  design: FillDesign;
  seed: number;
  /** Never-added keys queried at each checkpoint; default 20,000. */
  probeCount?: number;
  /** Keys added at the right end; default 3 × capacity. */
  maxAdded?: number;
  /** At most this many checkpoints after the empty filter; default 150. */
  maxCheckpoints?: number;
  /** Queries between yields; default 4,000. */
  queriesPerSlice?: number;
}

/**
 * The key added as item `index` (0-based) under `seed`; never equal to any probe key.
 * @example addedKey(1, 0) // 'added/1/0'
 */
export function addedKey(seed: number, index: number): string {
  return `added/${seed}/${index}`;
}

/**
 * Probe key `index` under `seed`: a key that is never added, so every "maybe" for it is false.
 * @example probeKey(1, 0) // 'probe/1/0'
 */
export function probeKey(seed: number, index: number): string {
  return `probe/${seed}/${index}`;
}

/**
 * The checkpoints (keys added) for a curve from 0 to `maxAdded`: 0, then evenly spaced whole
 * numbers, at most `maxCheckpoints` of them after 0, ending at `maxAdded`, strictly increasing.
 * @example checkpointsFor(300, 150) // [0, 2, 4, …, 300]
 */
export function checkpointsFor(maxAdded: number, maxCheckpoints: number): number[] {
  if (!Number.isInteger(maxAdded) || maxAdded < 0) {
    throw new Error(`maxAdded must be a whole number ≥ 0, got ${String(maxAdded)}`);
  }
  if (!Number.isInteger(maxCheckpoints) || maxCheckpoints < 1) {
    throw new Error(`maxCheckpoints must be a whole number ≥ 1, got ${String(maxCheckpoints)}`);
  }
  const steps = Math.min(maxAdded, maxCheckpoints);
  const out = [0];
  for (let i = 1; i <= steps; i++) {
    const added = Math.round((i * maxAdded) / steps);
    if (added > out[out.length - 1]) out.push(added);
  }
  return out;
}

/**
 * Measures a fill curve: adds keys to a BloomFilter of the design and, at each checkpoint, counts
 * how many of `probeCount` never-added keys it answers "maybe" for. Yields the fraction of work
 * done (0..1) every `queriesPerSlice` queries; returns the curve.
 * @example
 * const run = measureFillCurve({ design, seed: 1 });
 * let step = run.next(); while (!step.done) step = run.next();
 * step.value.points.at(-1).measuredRate // ≈ 0.4 for m = 959, k = 7 after 300 keys
 */
export function* measureFillCurve(options: FillOptions): Generator<number, FillCurve, void> {
  const { design, seed } = options;
  const probeCount = options.probeCount ?? 20_000;
  const maxAdded = options.maxAdded ?? 3 * design.capacity;
  const slice = options.queriesPerSlice ?? 4_000;
  if (!Number.isInteger(probeCount) || probeCount < 1) {
    throw new Error(`probeCount must be a whole number ≥ 1, got ${String(probeCount)}`);
  }
  const checkpoints = checkpointsFor(maxAdded, options.maxCheckpoints ?? 150);
  const filter = new BloomFilter({ bits: design.bits, hashes: design.hashes, seed });
  const probes: string[] = [];
  for (let j = 0; j < probeCount; j++) probes.push(probeKey(seed, j));
  const collapsedProbes = countCollapsed(filter, probes);
  // A probe that got a "maybe" keeps getting it (bits never go back to 0), so only the probes
  // still answered "no" need asking again; the count is the same as asking all of them.
  let negatives = probes;
  let maybeCount = 0;
  let sinceYield = 0;
  let added = 0;
  const points: FillPoint[] = [];
  for (let c = 0; c < checkpoints.length; c++) {
    while (added < checkpoints[c]) filter.add(addedKey(seed, added++));
    const stillNegative: string[] = [];
    for (let j = 0; j < negatives.length; j++) {
      const probe = negatives[j];
      if (filter.has(probe)) maybeCount++;
      else stillNegative.push(probe);
      if (++sinceYield >= slice) {
        sinceYield = 0;
        yield (c + (j + 1) / negatives.length) / checkpoints.length;
      }
    }
    negatives = stillNegative;
    points.push({
      added,
      maybeCount,
      measuredRate: maybeCount / probeCount,
      predictedRate: falsePositiveRate(design.bits, added, design.hashes),
      fillRatio: filter.fillRatio(),
    });
  }
  return { design, seed, probeCount, maxAdded, collapsedProbes, points };
}

/** Below this many hashes, positions sharing bits are ordinary chance and are not counted. */
export const MIN_HASHES_FOR_COLLAPSE = 5;

/** Keys whose k positions cover at most 2 distinct bits; 0 when k < MIN_HASHES_FOR_COLLAPSE. */
function countCollapsed(filter: BloomFilter, keys: readonly string[]): number {
  if (filter.hashes < MIN_HASHES_FOR_COLLAPSE) return 0;
  const out = new Uint32Array(filter.hashes);
  let collapsed = 0;
  for (const key of keys) {
    filter.indicesOf(key, out);
    const first = out[0];
    let second = -1;
    let distinct = 1;
    for (let i = 1; i < out.length && distinct <= 2; i++) {
      if (out[i] === first || out[i] === second) continue;
      if (second < 0) second = out[i];
      distinct++;
    }
    if (distinct <= 2) collapsed++;
  }
  return collapsed;
}

/**
 * Runs `measureFillCurve` to the end in one go (tests, the CLI, build-time numbers).
 * @example measureFillCurveNow({ design, seed: 1 }).points.length // 151
 */
export function measureFillCurveNow(options: FillOptions): FillCurve {
  const run = measureFillCurve(options);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}
