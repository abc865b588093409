/**
 * The measurements behind the "skipping ahead" figure: Algorithm R and Algorithm L from
 * @explorables/reservoir run side by side over the same stream, counting their random draws at
 * log-spaced checkpoints; the first positions of L's run, showing which items it looked at; and a
 * seeded inclusion-frequency simulation showing both samples are fair. Long work is a generator
 * that yields between chunks, so a page can spread it over frames (and drop it to cancel) while a
 * test runs it flat.
 */
import { createRng, type Rng } from '@explorables/random';
import { expectedDrawsL, expectedDrawsR, ReservoirL, ReservoirR } from '@explorables/reservoir';

/** Stream lengths the n slider steps through: 1, 2, 5 per decade from 100 to 10,000,000. */
export const STREAM_LENGTHS: readonly number[] = (() => {
  const out: number[] = [];
  for (let decade = 100; decade <= 1e7; decade *= 10) {
    for (const m of [1, 2, 5]) if (m * decade <= 1e7) out.push(m * decade);
  }
  return out;
})();

/** The rng each algorithm draws from in a race with `seed` (independent child streams). */
export function raceRng(seed: number, algorithm: 'R' | 'L'): Rng {
  return createRng(seed).child(algorithm);
}

/** The draw counters of both algorithms after `seen` items. */
export interface DrawPoint {
  seen: number;
  drawsR: number;
  drawsL: number;
}

/** A finished (or partial) race: checkpoints plus the final counters and samples. */
export interface DrawRace {
  n: number;
  k: number;
  seed: number;
  points: DrawPoint[];
  /** Draws when the stream ended (equal to the last point). */
  drawsR: number;
  drawsL: number;
  /** expectedDrawsR(n, k) and expectedDrawsL(n, k) from the engine. */
  expectedR: number;
  expectedL: number;
  /** Items L wrote into a slot (fills plus replacements): the only items it looked at. */
  writesL: number;
  /** Stream positions of the final samples, ascending. */
  sampleR: number[];
  sampleL: number[];
}

/**
 * Checkpoint positions for a stream of n items: about `perDecade` log-spaced positions per
 * decade from 1 to n, always including k and n, strictly increasing.
 * @example drawCheckpoints(1000, 10, 4) // [1, 2, 3, 6, 10, 18, 32, 56, 100, …, 1000]
 */
export function drawCheckpoints(n: number, k: number, perDecade = 24): number[] {
  checkCount(n, 'drawCheckpoints(n, k)', 'n', 1);
  checkCount(k, 'drawCheckpoints(n, k)', 'k', 0);
  const set = new Set<number>([n]);
  if (k >= 1 && k < n) set.add(k);
  const steps = Math.ceil(Math.log10(n) * perDecade);
  for (let i = 0; i <= steps; i++) set.add(Math.min(n, Math.round(10 ** (i / perDecade))));
  return [...set].sort((a, b) => a - b);
}

/**
 * Runs ReservoirR and ReservoirL (capacity k, rngs raceRng(seed, 'R'/'L')) over the stream
 * 0, 1, …, n − 1, yielding the fraction done after every chunk of `chunk` items; the return
 * value is the race. `until(seen)` may cap how far the next chunk goes (for pacing an animation).
 * @example const race = runDrawRaceNow({ n: 1e6, k: 10, seed: 1 }); race.drawsL < race.drawsR
 */
export function* runDrawRace(options: {
  n: number;
  k: number;
  seed: number;
  chunk?: number;
  onPoint?: (point: DrawPoint) => void;
}): Generator<number, DrawRace, number | undefined> {
  const { n, k, seed } = options;
  checkCount(n, 'runDrawRace', 'n', 1);
  checkCount(k, 'runDrawRace', 'k', 1);
  const chunk = options.chunk ?? 200_000;
  const r = new ReservoirR<number>(k, raceRng(seed, 'R'));
  const l = new ReservoirL<number>(k, raceRng(seed, 'L'));
  const checkpoints = drawCheckpoints(n, k);
  const points: DrawPoint[] = [];
  let next = 0;
  let seen = 0;
  let budget = chunk;
  let cap = n;
  while (seen < n) {
    const stop = Math.min(n, checkpoints[next], cap, seen + budget);
    for (let i = seen; i < stop; i++) {
      r.offerSlot(i);
      l.offerSlot(i);
    }
    budget -= stop - seen;
    seen = stop;
    if (seen === checkpoints[next]) {
      const point = { seen, drawsR: r.draws, drawsL: l.draws };
      points.push(point);
      options.onPoint?.(point);
      next++;
    }
    if ((budget <= 0 || seen >= cap) && seen < n) {
      const asked = yield seen / n;
      budget = chunk;
      cap = asked === undefined ? n : Math.max(seen + 1, Math.min(n, Math.floor(asked)));
    }
  }
  return {
    n,
    k,
    seed,
    points,
    drawsR: r.draws,
    drawsL: l.draws,
    expectedR: expectedDrawsR(n, k),
    expectedL: expectedDrawsL(n, k),
    writesL: l.writes,
    sampleR: r.indices().sort((a, b) => a - b),
    sampleL: l.indices().sort((a, b) => a - b),
  };
}

/**
 * runDrawRace run to the end in one go (tests, small n).
 * @example runDrawRaceNow({ n: 100, k: 10, seed: 1 }).drawsR // 90
 */
export function runDrawRaceNow(options: { n: number; k: number; seed: number }): DrawRace {
  const gen = runDrawRace(options);
  let step = gen.next();
  while (!step.done) step = gen.next();
  return step.value;
}

/** What Algorithm L did at one stream position of the strip. */
export interface StripMark {
  index: number;
  /** Written into the reservoir (filling phase or a jump target). */
  kept: boolean;
  /** True while the reservoir was still filling (the first k items). */
  filling: boolean;
  /** For a kept item after the filling phase: the jump that landed here (items skipped + 1). */
  gap: number;
}

/**
 * The first `length` stream positions of the race's Algorithm L (same k and seed, so the same
 * positions are kept): which items it looked at and how far each jump went.
 * @example skipStrip(10, 1, 300).filter((m) => m.kept).length // about 10 + 10 ln(30)
 */
export function skipStrip(k: number, seed: number, length: number): StripMark[] {
  checkCount(k, 'skipStrip(k, seed, length)', 'k', 1);
  checkCount(length, 'skipStrip(k, seed, length)', 'length', 0);
  const l = new ReservoirL<number>(k, raceRng(seed, 'L'));
  const marks: StripMark[] = [];
  let lastKept = -1;
  for (let i = 0; i < length; i++) {
    const offer = l.offer(i);
    const filling = i < k;
    marks.push({
      index: i,
      kept: offer.kept,
      filling,
      gap: offer.kept && !filling ? i - lastKept : 0,
    });
    if (offer.kept) lastKept = i;
  }
  return marks;
}

/** How often each stream position ended up in the sample, over `trials` seeded runs. */
export interface InclusionCounts {
  n: number;
  k: number;
  trials: number;
  /** counts[i]: runs whose final sample held position i. */
  counts: Float64Array;
}

/**
 * Runs `trials` reservoirs (Algorithm R or L, capacity k) over the stream 0 … n − 1, run t drawing
 * from createRng(seed).child(algorithm).child(t), and counts how often each position is kept;
 * yields the fraction done every `chunk` runs. Fair means every count is near trials · k / n.
 * @example inclusionCountsNow({ algorithm: 'L', n: 40, k: 10, trials: 4000, seed: 1 })
 */
export function* inclusionCounts(options: {
  algorithm: 'R' | 'L';
  n: number;
  k: number;
  trials: number;
  seed: number;
  chunk?: number;
}): Generator<number, InclusionCounts, void> {
  const { algorithm, n, k, trials, seed } = options;
  checkCount(n, 'inclusionCounts', 'n', 1);
  checkCount(k, 'inclusionCounts', 'k', 1);
  checkCount(trials, 'inclusionCounts', 'trials', 1);
  const chunk = options.chunk ?? 500;
  const stream = Array.from({ length: n }, (_, i) => i);
  const counts = new Float64Array(n);
  const base = createRng(seed).child(algorithm);
  for (let t = 0; t < trials; t++) {
    const rng = base.child(t);
    const reservoir = algorithm === 'R' ? new ReservoirR<number>(k, rng) : new ReservoirL(k, rng);
    reservoir.offerAll(stream);
    for (const index of reservoir.indices()) counts[index]++;
    if ((t + 1) % chunk === 0 && t + 1 < trials) yield (t + 1) / trials;
  }
  return { n, k, trials, counts };
}

/**
 * inclusionCounts run to the end in one go.
 * @example inclusionCountsNow({ algorithm: 'R', n: 20, k: 5, trials: 1000, seed: 3 }).counts
 */
export function inclusionCountsNow(options: {
  algorithm: 'R' | 'L';
  n: number;
  k: number;
  trials: number;
  seed: number;
}): InclusionCounts {
  const gen = inclusionCounts(options);
  let step = gen.next();
  while (!step.done) step = gen.next();
  return step.value;
}

/**
 * The binomial band around the fair count: trials · p ± z · sqrt(trials · p · (1 − p)), as
 * frequencies (divided by trials).
 * @example binomialBand(0.25, 4000, 3) // { low: ≈0.229, high: ≈0.271 }
 */
export function binomialBand(p: number, trials: number, z: number): { low: number; high: number } {
  if (!(p >= 0 && p <= 1)) throw new Error(`binomialBand needs p in [0, 1], got ${String(p)}`);
  checkCount(trials, 'binomialBand(p, trials, z)', 'trials', 1);
  const sd = Math.sqrt((p * (1 - p)) / trials);
  return { low: Math.max(0, p - z * sd), high: Math.min(1, p + z * sd) };
}

function checkCount(value: number, call: string, name: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${call} needs a safe integer ${name} >= ${min}, got ${String(value)}`);
  }
}
