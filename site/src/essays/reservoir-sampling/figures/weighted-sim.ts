/**
 * The numbers behind the "weighted sampling" figure: a short generated log stream, one seeded
 * run of WeightedReservoir over it (ERROR lines weighted w, the rest 1), the exact chance that a
 * line of each weight class ends up in the sample (successive sampling: k draws without
 * replacement, each proportional to weight), and a seeded simulation of the same chance for
 * A-Res and A-ExpJ.
 */
import { createRng } from '@explorables/random';
import {
  generateLogStream,
  type LogLevel,
  type LogLine,
  type WeightedMethod,
  WeightedReservoir,
} from '@explorables/reservoir';

/** The levels in display order. */
export const LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * The first `count` lines of a short generated log stream (6 s at 5 lines/s with a 1.5 s burst
 * at 12 lines/s, which brings WARN and ERROR lines), from createRng(streamSeed).
 * @example demoLogLines(5, 40).length // 40 (fewer if the stream is shorter)
 */
export function demoLogLines(streamSeed: number, count: number): LogLine[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new Error(`demoLogLines(streamSeed, count) needs an integer count >= 0, got ${count}`);
  }
  const out: LogLine[] = [];
  if (count === 0) return out;
  const stream = generateLogStream({
    rng: createRng(streamSeed),
    durationMs: 6000,
    baseRatePerSec: 5,
    bursts: [{ startMs: 2500, durationMs: 1500, ratePerSec: 12 }],
  });
  for (const line of stream) {
    out.push(line);
    if (out.length >= count) break;
  }
  return out;
}

/**
 * The weight of a line: `errorWeight` for ERROR lines, 1 for every other level.
 * @example weightOf({ level: 'ERROR' } as LogLine, 20) // 20
 */
export function weightOf(line: LogLine, errorWeight: number): number {
  return line.level === 'ERROR' ? errorWeight : 1;
}

/** One kept line of a single run: its stream position and log-key log(u)/w. */
export interface KeptLine {
  index: number;
  logKey: number;
}

/** A single seeded run over the lines. */
export interface WeightedRun {
  /** Kept lines, largest key first. */
  kept: KeptLine[];
  /** The smallest key held: a new line must beat it to get in (−Infinity if not full). */
  thresholdLogKey: number;
  draws: number;
  totalWeight: number;
}

/**
 * Runs one WeightedReservoir (capacity k, `method`, rng createRng(seed).child(method)) over the
 * lines with ERROR weight `errorWeight`.
 * @example runWeighted(lines, 20, 5, 1, 'a-expj').kept.length // 5
 */
export function runWeighted(
  lines: readonly LogLine[],
  errorWeight: number,
  k: number,
  seed: number,
  method: WeightedMethod,
): WeightedRun {
  const reservoir = new WeightedReservoir<number>(k, createRng(seed).child(method), method);
  for (let i = 0; i < lines.length; i++) reservoir.offer(i, weightOf(lines[i], errorWeight));
  const indices = reservoir.indices();
  const keys = reservoir.logKeys();
  const kept = indices.map((index, i) => ({ index, logKey: keys[i] }));
  kept.sort((a, b) => b.logKey - a.logKey);
  return {
    kept,
    thresholdLogKey: reservoir.thresholdLogKey,
    draws: reservoir.draws,
    totalWeight: reservoir.totalWeight,
  };
}

/** Lines of one weight: how many there are and the weight each carries. */
export interface WeightClass {
  count: number;
  weight: number;
}

/**
 * The exact probability that one given line of each class ends up in a sample of k drawn without
 * replacement, each draw proportional to weight among the lines not yet drawn (the distribution
 * of A-Res and A-ExpJ). Dynamic programming over how many lines of each class have been drawn.
 * @example exactInclusion([{ count: 3, weight: 1 }, { count: 1, weight: 3 }], 1) // [1/6, 1/2]
 */
export function exactInclusion(classes: readonly WeightClass[], k: number): number[] {
  classes.forEach((c, i) => {
    if (!Number.isSafeInteger(c.count) || c.count < 0) {
      throw new Error(
        `exactInclusion: classes[${i}].count must be an integer >= 0, got ${c.count}`,
      );
    }
    if (!(c.weight > 0) || !Number.isFinite(c.weight)) {
      throw new Error(
        `exactInclusion: classes[${i}].weight must be finite and > 0, got ${c.weight}`,
      );
    }
  });
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new Error(`exactInclusion(classes, k) needs an integer k >= 0, got ${k}`);
  }
  const total = classes.reduce((a, c) => a + c.count, 0);
  const draws = Math.min(k, total);
  let states = new Map<string, { picked: number[]; p: number }>();
  states.set(classes.map(() => 0).join(','), { picked: classes.map(() => 0), p: 1 });
  for (let step = 0; step < draws; step++) {
    const next = new Map<string, { picked: number[]; p: number }>();
    for (const { picked, p } of states.values()) {
      let weightLeft = 0;
      classes.forEach((c, j) => {
        weightLeft += (c.count - picked[j]) * c.weight;
      });
      classes.forEach((c, j) => {
        const left = c.count - picked[j];
        if (left === 0) return;
        const moved = picked.slice();
        moved[j]++;
        const key = moved.join(',');
        const mass = (p * left * c.weight) / weightLeft;
        const entry = next.get(key);
        if (entry) entry.p += mass;
        else next.set(key, { picked: moved, p: mass });
      });
    }
    states = next;
  }
  const expected = classes.map(() => 0);
  for (const { picked, p } of states.values()) {
    picked.forEach((m, j) => {
      expected[j] += p * m;
    });
  }
  return classes.map((c, j) => (c.count === 0 ? 0 : expected[j] / c.count));
}

/** Inclusion counts per line over many seeded runs, and the draws they used. */
export interface WeightedSimulation {
  method: WeightedMethod;
  trials: number;
  /** counts[i]: runs whose sample held line i. */
  counts: Float64Array;
  /** Mean random draws per run. */
  meanDraws: number;
}

/**
 * Runs `trials` WeightedReservoirs (run t draws from createRng(seed).child(method).child(t)) over
 * the given per-line weights and counts how often each line is kept, yielding the fraction done
 * every `chunk` runs so a page can spread the work over frames.
 * @example const gen = simulateWeightedSteps([1, 1, 5], 1, 'a-res', 1000, 2); // then gen.next()…
 */
export function* simulateWeightedSteps(
  weights: readonly number[],
  k: number,
  method: WeightedMethod,
  trials: number,
  seed: number,
  chunk = 500,
): Generator<number, WeightedSimulation, void> {
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new Error(`simulateWeighted needs an integer trials >= 1, got ${trials}`);
  }
  const counts = new Float64Array(weights.length);
  const base = createRng(seed).child(method);
  let draws = 0;
  for (let t = 0; t < trials; t++) {
    const reservoir = new WeightedReservoir<number>(k, base.child(t), method);
    for (let i = 0; i < weights.length; i++) reservoir.offerSlot(i, weights[i]);
    for (const i of reservoir.indices()) counts[i]++;
    draws += reservoir.draws;
    if ((t + 1) % chunk === 0 && t + 1 < trials) yield (t + 1) / trials;
  }
  return { method, trials, counts, meanDraws: draws / trials };
}

/**
 * simulateWeightedSteps run to the end in one go.
 * @example simulateWeighted([1, 1, 5], 1, 'a-res', 1000, 2).counts[2] // about 1000 · 5/7
 */
export function simulateWeighted(
  weights: readonly number[],
  k: number,
  method: WeightedMethod,
  trials: number,
  seed: number,
): WeightedSimulation {
  const gen = simulateWeightedSteps(weights, k, method, trials, seed);
  let step = gen.next();
  while (!step.done) step = gen.next();
  return step.value;
}

/** Per level: the lines of that level, and the mean share of runs that kept one of them. */
export interface LevelShare {
  level: LogLevel;
  lines: number;
  /** Simulated chance that a line of this level is kept (mean over its lines). */
  simulated: number;
  /** Exact chance from exactInclusion. */
  exact: number;
}

/**
 * Groups a simulation by level and pairs it with the exact chance for each level.
 * @example levelShares(lines, sim, 20, 5).find((s) => s.level === 'ERROR')?.exact
 */
export function levelShares(
  lines: readonly LogLine[],
  sim: WeightedSimulation,
  errorWeight: number,
  k: number,
): LevelShare[] {
  const errors = lines.filter((l) => l.level === 'ERROR').length;
  const [pOther, pError] = exactInclusion(
    [
      { count: lines.length - errors, weight: 1 },
      { count: errors, weight: errorWeight },
    ],
    k,
  );
  return LEVELS.map((level) => {
    let lineCount = 0;
    let kept = 0;
    lines.forEach((line, i) => {
      if (line.level !== level) return;
      lineCount++;
      kept += sim.counts[i];
    });
    return {
      level,
      lines: lineCount,
      simulated: lineCount === 0 ? 0 : kept / (lineCount * sim.trials),
      exact: level === 'ERROR' ? pError : pOther,
    };
  });
}
