/**
 * The k/n rule with k slots: the engine's ReservoirR keeps card n with probability k/n in a random
 * slot. Here: the chance each card is kept on arrival, and a seeded simulation of how often each
 * stream position ends up in the reservoir (theory: k/n for every position).
 */
import { createRng, type Seed } from '@explorables/random';
import { ReservoirR } from '@explorables/reservoir';

/**
 * Chance a position is in the reservoir after n items: min(1, k/n), the same for every position.
 * @example inclusionChance(4, 12) // 0.333…
 */
export function inclusionChance(k: number, n: number): number {
  return keepChance(k, n);
}

/**
 * Chance the k/n rule keeps card `card` (1-based) when it arrives: 1 while slots are free, then
 * k/card.
 * @example keepChance(3, 2) // 1; keepChance(3, 12) // 0.25
 */
export function keepChance(k: number, card: number): number {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`keepChance(k, card) needs k as an integer ≥ 1, got ${String(k)}`);
  }
  if (!Number.isInteger(card) || card < 1) {
    throw new Error(`keepChance(k, card) needs a 1-based card position, got ${String(card)}`);
  }
  return Math.min(1, k / card);
}

/** How often each stream position was in the reservoir at the end, over many runs. */
export interface InclusionTally {
  k: number;
  /** Stream length of every run. */
  n: number;
  runs: number;
  seed: Seed;
  /** counts[i]: runs whose final reservoir held position i + 1. */
  counts: Uint32Array;
}

/** What simulateInclusion runs. */
export interface InclusionOptions {
  k: number;
  n: number;
  runs: number;
  seed: Seed;
  /** Runs between progress yields; default 2,000. */
  runsPerSlice?: number;
}

/**
 * Offers positions 1…n to a fresh ReservoirR(k) `runs` times (one seeded rng for all runs) and
 * counts how often each position is held at the end (every position when n ≤ k); yields progress
 * (0…1) between slices.
 * @example runNow(simulateInclusion({ k: 4, n: 20, runs: 10000, seed: 1 })).counts // ≈ 2,000 each
 */
export function* simulateInclusion(
  options: InclusionOptions,
): Generator<number, InclusionTally, void> {
  const { k, n, runs, seed } = options;
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`simulateInclusion({ k }) needs an integer ≥ 1, got ${String(k)}`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`simulateInclusion({ n }) needs a stream length ≥ 1, got ${String(n)}`);
  }
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`simulateInclusion({ runs }) needs an integer ≥ 1, got ${String(runs)}`);
  }
  const perSlice = options.runsPerSlice ?? 2000;
  const rng = createRng(seed);
  const counts = new Uint32Array(n);
  const positions = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < runs; r++) {
    const reservoir = new ReservoirR<number>(k, rng);
    reservoir.offerAll(positions);
    for (const position of reservoir.items()) counts[position]++;
    if ((r + 1) % perSlice === 0 && r + 1 < runs) yield (r + 1) / runs;
  }
  return { k, n, runs, seed, counts };
}
