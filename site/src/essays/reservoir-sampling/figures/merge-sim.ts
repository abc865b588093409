/**
 * The numbers behind the "many machines" figure: each machine keeps a reservoir (Algorithm L from
 * @explorables/reservoir) of the lines it sees; the samples are merged by mergeUniform (draws from
 * each machine in proportion to the lines it saw) and, for contrast, by two naive rules: take an
 * equal quota from every machine, or pool the samples and pick uniformly from the pool. A seeded
 * simulation measures each machine's per-line chance of reaching the merged sample.
 */
import { createRng, type Rng } from '@explorables/random';
import { mergeUniform, ReservoirL, type UniformSnapshot } from '@explorables/reservoir';

/** How the machines' samples are combined. */
export type MergeRule = 'uniform' | 'quota' | 'pool';

/** Stream lengths the machine sliders step through: 1, 2, 5 × 10^d from 1 to 1,000,000. */
export const MACHINE_SIZES: readonly number[] = (() => {
  const out: number[] = [];
  for (let decade = 1; decade <= 1e6; decade *= 10) {
    for (const m of [1, 2, 5]) if (m * decade <= 1e6) out.push(m * decade);
  }
  return out;
})();

const streams = new Map<string, number[]>();

/**
 * The lines machine `machine` of `machines` sees, encoded as numbers: line p is p · machines +
 * machine, so any merged item tells which machine it came from (item % machines). Cached.
 * @example machineLines(3, 1, 2) // [1, 3, 5]
 */
export function machineLines(n: number, machine: number, machines: number): number[] {
  const key = `${n}/${machine}/${machines}`;
  let lines = streams.get(key);
  if (!lines) {
    lines = new Array<number>(n);
    for (let p = 0; p < n; p++) lines[p] = p * machines + machine;
    if (streams.size > 24) streams.clear();
    streams.set(key, lines);
  }
  return lines;
}

/**
 * Every machine's reservoir snapshot after its stream: machine i keeps k of its sizes[i] lines
 * with ReservoirL drawing from rng.child(i).
 * @example machineSnapshots([10, 1000], 5, createRng(1)).map((s) => s.items.length) // [5, 5]
 */
export function machineSnapshots(
  sizes: readonly number[],
  k: number,
  rng: Rng,
): UniformSnapshot<number>[] {
  checkSizes(sizes);
  return sizes.map((n, i) => {
    const reservoir = new ReservoirL<number>(k, rng.child(i));
    reservoir.offerAll(machineLines(n, i, sizes.length));
    return reservoir.snapshot();
  });
}

/**
 * The equal quota per machine for a merged sample of k from m machines: ⌊k/m⌋ each, one more for
 * the first k mod m machines.
 * @example quotas(10, 3) // [4, 3, 3]
 */
export function quotas(k: number, machines: number): number[] {
  return Array.from(
    { length: machines },
    (_, i) => Math.floor(k / machines) + (i < k % machines ? 1 : 0),
  );
}

/**
 * Merges the snapshots by `rule` with randomness from `rng`: 'uniform' is the engine's
 * mergeUniform; 'quota' takes quotas(k, m)[i] items (or all it holds) uniformly from machine i;
 * 'pool' pools every item held and picks min(k, pool) uniformly.
 * @example mergeBy('quota', snapshots, 10, createRng(2)).length // ≤ 10
 */
export function mergeBy(
  rule: MergeRule,
  parts: UniformSnapshot<number>[],
  k: number,
  rng: Rng,
): number[] {
  if (rule === 'uniform') return mergeUniform(parts, k, rng).items;
  if (rule === 'quota') {
    const q = quotas(k, parts.length);
    return parts.flatMap((part, i) => pick(part.items, q[i], rng));
  }
  if (rule === 'pool')
    return pick(
      parts.flatMap((part) => part.items),
      k,
      rng,
    );
  throw new Error(`mergeBy: rule must be 'uniform', 'quota' or 'pool', got ${String(rule)}`);
}

/** min(count, items.length) items of `items` chosen uniformly (partial Fisher–Yates on a copy). */
function pick(items: readonly number[], count: number, rng: Rng): number[] {
  const copy = items.slice();
  const take = Math.min(count, copy.length);
  for (let i = 0; i < take; i++) {
    const j = rng.int(i, copy.length - 1);
    const held = copy[i];
    copy[i] = copy[j];
    copy[j] = held;
  }
  return copy.slice(0, take);
}

/**
 * How many items of a merged sample came from each machine.
 * @example countByMachine([0, 3, 4], 3) // [1, 1, 1]
 */
export function countByMachine(items: readonly number[], machines: number): number[] {
  const counts = new Array<number>(machines).fill(0);
  for (const item of items) counts[item % machines]++;
  return counts;
}

/** One seeded merge of all three rules over the same machine samples. */
export interface MergeOnce {
  /** Items per machine in the merged sample, per rule. */
  counts: Record<MergeRule, number[]>;
}

/**
 * Runs the machines once (rng createRng(seed).child('machines')) and merges their samples by
 * every rule (rngs createRng(seed).child(rule)).
 * @example mergeOnce([10, 1000, 100000], 10, 1).counts.uniform // e.g. [0, 0, 10]
 */
export function mergeOnce(sizes: readonly number[], k: number, seed: number): MergeOnce {
  const root = createRng(seed);
  const parts = machineSnapshots(sizes, k, root.child('machines'));
  const counts = {} as Record<MergeRule, number[]>;
  for (const rule of ['uniform', 'quota', 'pool'] as const) {
    counts[rule] = countByMachine(mergeBy(rule, parts, k, root.child(rule)), sizes.length);
  }
  return { counts };
}

/** Per machine and rule: merged items summed over all runs. */
export interface MergeSimulation {
  sizes: number[];
  k: number;
  trials: number;
  totals: Record<MergeRule, number[]>;
}

/**
 * Runs `trials` seeded rounds (round t: machines from createRng(seed).child('sim').child(t), each
 * rule merging the same snapshots) and sums the items each machine contributes; yields the
 * fraction done every `chunk` rounds.
 * @example const gen = simulateMerge([10, 1000], 10, 2000, 1); // then gen.next()…
 */
export function* simulateMerge(
  sizes: readonly number[],
  k: number,
  trials: number,
  seed: number,
  chunk = 100,
): Generator<number, MergeSimulation, void> {
  checkSizes(sizes);
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new Error(`simulateMerge needs an integer trials >= 1, got ${trials}`);
  }
  const rules = ['uniform', 'quota', 'pool'] as const;
  const totals = {
    uniform: sizes.map(() => 0),
    quota: sizes.map(() => 0),
    pool: sizes.map(() => 0),
  };
  const base = createRng(seed).child('sim');
  for (let t = 0; t < trials; t++) {
    const round = base.child(t);
    const parts = machineSnapshots(sizes, k, round.child('machines'));
    for (const rule of rules) {
      const items = mergeBy(rule, parts, k, round.child(rule));
      for (const item of items) totals[rule][item % sizes.length]++;
    }
    if ((t + 1) % chunk === 0 && t + 1 < trials) yield (t + 1) / trials;
  }
  return { sizes: [...sizes], k, trials, totals };
}

/**
 * simulateMerge run to the end in one go.
 * @example simulateMergeNow([10, 1000], 10, 2000, 1).totals.uniform
 */
export function simulateMergeNow(
  sizes: readonly number[],
  k: number,
  trials: number,
  seed: number,
): MergeSimulation {
  const gen = simulateMerge(sizes, k, trials, seed);
  let step = gen.next();
  while (!step.done) step = gen.next();
  return step.value;
}

/**
 * The chance per line of reaching the merged sample that each rule gives machine i, in exact
 * expectation: 'uniform' min(k, N)/N for every machine; 'quota' min(q_i, n_i)/n_i; 'pool'
 * (min(k, n_i)/n_i) · min(k, P)/P with P the pooled sample size.
 * @example expectedPerLine('uniform', [10, 990], 10) // [0.01, 0.01]
 */
export function expectedPerLine(rule: MergeRule, sizes: readonly number[], k: number): number[] {
  checkSizes(sizes);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (rule === 'uniform') return sizes.map(() => Math.min(k, total) / total);
  if (rule === 'quota') {
    const q = quotas(k, sizes.length);
    return sizes.map((n, i) => Math.min(q[i], n) / n);
  }
  const pool = sizes.reduce((a, n) => a + Math.min(k, n), 0);
  return sizes.map((n) => (Math.min(k, n) / n) * (Math.min(k, pool) / pool));
}

function checkSizes(sizes: readonly number[]): void {
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new Error('merge simulation needs at least one machine size');
  }
  sizes.forEach((n, i) => {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new Error(`merge simulation: sizes[${i}] must be an integer >= 1, got ${String(n)}`);
    }
  });
}
