/**
 * The log stream the essay's log figures share: one minute of seeded traffic from the engine's
 * generateLogStream (a baseline that swells and fades, plus two bursts whose place, length and
 * rate come from the seed), binned into lines per second and compared with an aggregator's limit.
 * Plain data in, plain data out: the figures draw it, the tests check it, and the essay quotes
 * its numbers through these functions at build time.
 */
import { createRng } from '@explorables/random';
import {
  expectedRatePerSec,
  generateLogStream,
  type LogLevel,
  type LogLine,
  type LogStreamOptions,
} from '@explorables/reservoir';

/** Length of the simulated stream: one minute. */
export const STREAM_DURATION_MS = 60_000;
/** The aggregator's default limit in lines per second (the vermillion line). */
export const DEFAULT_LIMIT_PER_SEC = 100;
/** The seed every log figure starts from, so they all show the same minute. */
export const DEFAULT_STREAM_SEED = 1;
/** Baseline lines per second before the wobble. */
export const BASE_RATE_PER_SEC = 30;

/** How a seed shapes the minute: the two bursts and the wobble of the baseline. */
export interface ScenarioShape {
  bursts: { startMs: number; durationMs: number; ratePerSec: number }[];
  wobble: { amplitude: number; periodMs: number };
}

/**
 * The shape of the minute for `seed`: a big burst starting 10–18 s in (4–7 s at 1200–1800
 * lines/s), a smaller one 26–33 s in (2–4 s at 500–900 lines/s), whole seconds so they fill whole
 * bins; the baseline swells to its peak at 15 s and fades to a trough near 45 s.
 * @example scenarioShape(1).bursts.length // 2
 */
export function scenarioShape(seed: number): ScenarioShape {
  const rng = createRng(seed).child('log-scenario');
  const big = {
    startMs: rng.int(10, 18) * 1000,
    durationMs: rng.int(4, 7) * 1000,
    ratePerSec: rng.int(12, 18) * 100,
  };
  const small = {
    startMs: rng.int(26, 33) * 1000,
    durationMs: rng.int(2, 4) * 1000,
    ratePerSec: rng.int(5, 9) * 100,
  };
  return { bursts: [big, small], wobble: { amplitude: 0.85, periodMs: STREAM_DURATION_MS } };
}

/**
 * The generateLogStream options for `seed` (the stream's rng is the seed's child 'log-stream').
 * @example [...generateLogStream(streamOptions(1))].length // about 12 thousand lines
 */
export function streamOptions(seed: number): LogStreamOptions {
  checkSeed(seed, 'streamOptions(seed)');
  const shape = scenarioShape(seed);
  return {
    rng: createRng(seed).child('log-stream'),
    durationMs: STREAM_DURATION_MS,
    baseRatePerSec: BASE_RATE_PER_SEC,
    bursts: shape.bursts,
    wobble: shape.wobble,
  };
}

/** One generated minute, with its lines binned per second. */
export interface LogScenario {
  seed: number;
  options: LogStreamOptions;
  /** Every line, in time order. */
  lines: LogLine[];
  /** lines[i].timeMs, as a typed array for binary search. */
  timesMs: Float64Array;
  /** Whole seconds in the stream (60). */
  secondCount: number;
  /** Lines that arrived in second s, [s·1000, (s+1)·1000). */
  countsPerSec: Int32Array;
  /** ERROR lines that arrived in second s. */
  errorsPerSec: Int32Array;
  /** The engine's expected lines in second s (its rate averaged over the second). */
  expectedPerSec: Float64Array;
}

/**
 * Generates the minute for `seed` and bins it per second, all at once (tests, build time).
 * @example buildScenario(1).countsPerSec.length // 60
 */
export function buildScenario(seed: number): LogScenario {
  const steps = scenarioSteps(seed);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * The same work as buildScenario, as a generator that yields its progress (0…1, lines generated
 * over lines expected) every `linesPerSlice` lines, so a page can spread it over frames and drop
 * it to cancel; its return value is the scenario.
 * @example const steps = scenarioSteps(1); let s = steps.next(); while (!s.done) s = steps.next();
 */
export function* scenarioSteps(
  seed: number,
  linesPerSlice = 2000,
): Generator<number, LogScenario, void> {
  const options = streamOptions(seed);
  const secondCount = Math.ceil(STREAM_DURATION_MS / 1000);
  const expectedPerSec = expectedPerWindow(options, 1000);
  let expectedTotal = 0;
  for (const e of expectedPerSec) expectedTotal += e;
  const lines: LogLine[] = [];
  for (const line of generateLogStream(options)) {
    lines.push(line);
    if (lines.length % linesPerSlice === 0) {
      yield Math.min(0.99, lines.length / Math.max(1, expectedTotal));
    }
  }
  const timesMs = Float64Array.from(lines, (l) => l.timeMs);
  const countsPerSec = binPerWindow(timesMs, STREAM_DURATION_MS, 1000);
  const errorsPerSec = binPerWindow(timesOfLevel(lines, 'ERROR'), STREAM_DURATION_MS, 1000);
  return { seed, options, lines, timesMs, secondCount, countsPerSec, errorsPerSec, expectedPerSec };
}

/**
 * Counts times into windows [w·windowMs, (w+1)·windowMs) covering [0, durationMs); times outside
 * that range are an error (they would be silently lost otherwise).
 * @example binPerWindow([0, 999, 1000], 2000, 1000) // Int32Array [2, 1]
 */
export function binPerWindow(
  timesMs: ArrayLike<number>,
  durationMs: number,
  windowMs: number,
): Int32Array {
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
    throw new Error(`binPerWindow(windowMs) must be finite and > 0, got ${windowMs}`);
  }
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) {
    throw new Error(`binPerWindow(durationMs) must be finite and >= 0, got ${durationMs}`);
  }
  const counts = new Int32Array(Math.ceil(durationMs / windowMs));
  for (let i = 0; i < timesMs.length; i++) {
    const t = timesMs[i];
    if (!(t >= 0 && t < durationMs)) {
      throw new Error(
        `binPerWindow(timesMs): timesMs[${i}] = ${t} is outside [0, ${durationMs}) ms`,
      );
    }
    counts[Math.floor(t / windowMs)]++;
  }
  return counts;
}

/**
 * The engine's expected number of lines in each window: expectedRatePerSec averaged over 8
 * evenly spaced points of the window (midpoint rule: exact for bursts on whole windows, within
 * 0.01 % for the minute-long wobble).
 * @example expectedPerWindow(streamOptions(1), 1000)[0] // about 30.6
 */
export function expectedPerWindow(options: LogStreamOptions, windowMs: number): Float64Array {
  const count = Math.ceil(options.durationMs / windowMs);
  const out = new Float64Array(count);
  const steps = 8;
  for (let w = 0; w < count; w++) {
    let sum = 0;
    for (let j = 0; j < steps; j++) {
      sum += expectedRatePerSec(options, (w + (j + 0.5) / steps) * windowMs);
    }
    out[w] = (sum / steps) * (windowMs / 1000);
  }
  return out;
}

/** What an aggregator with a per-second limit does to a per-second series of lines. */
export interface LimitStats {
  /** Lines offered in total. */
  linesIn: number;
  /** Seconds with more lines than the limit. */
  secondsOver: number;
  /** Lines above the limit, summed over those seconds: what the aggregator drops. */
  droppedLines: number;
  /** The busiest second and its count. */
  peakSecond: number;
  peakPerSec: number;
}

/**
 * Compares counts per second with `limitPerSec`: how many seconds go over, and how many lines
 * the aggregator drops in them (everything above the limit).
 * @example limitStats(Int32Array.of(50, 150, 300), 100) // secondsOver 2, droppedLines 250
 */
export function limitStats(counts: ArrayLike<number>, limitPerSec: number): LimitStats {
  if (!(limitPerSec >= 0)) {
    throw new Error(`limitStats(limitPerSec) must be a number >= 0, got ${limitPerSec}`);
  }
  let linesIn = 0;
  let secondsOver = 0;
  let droppedLines = 0;
  let peakSecond = 0;
  let peakPerSec = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s];
    linesIn += c;
    if (c > limitPerSec) {
      secondsOver++;
      droppedLines += c - limitPerSec;
    }
    if (c > peakPerSec) {
      peakPerSec = c;
      peakSecond = s;
    }
  }
  return { linesIn, secondsOver, droppedLines, peakSecond, peakPerSec };
}

/**
 * How many of the sorted `timesMs` are at or before `timeMs` (binary search): the lines that have
 * arrived by the playhead.
 * @example arrivedBy(Float64Array.of(1, 2, 3), 2) // 2
 */
export function arrivedBy(timesMs: ArrayLike<number>, timeMs: number): number {
  let lo = 0;
  let hi = timesMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timesMs[mid] <= timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many of the sorted `timesMs` are strictly before `timeMs`: the index of the first line at or
 * after it (e.g. the first line of a second).
 * @example arrivedBefore(Float64Array.of(1, 2, 3), 2) // 1
 */
export function arrivedBefore(timesMs: ArrayLike<number>, timeMs: number): number {
  let lo = 0;
  let hi = timesMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timesMs[mid] < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A simulated time as minutes:seconds with tenths, for playhead readouts.
 * @example clockLabel(18_450) // '0:18.4'
 */
export function clockLabel(timeMs: number): string {
  const tenths = Math.floor(Math.max(0, timeMs) / 100);
  const minutes = Math.floor(tenths / 600);
  const seconds = (tenths % 600) / 10;
  return `${minutes}:${seconds.toFixed(1).padStart(4, '0')}`;
}

/**
 * A count rounded to a whole number with thousands commas (no Intl: cheap enough to call per
 * row and per frame, and the same on the server and in every browser).
 * @example formatCount(12687.4) // '12,687'
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return groupThousands(String(Math.round(n)));
}

/**
 * A number with `digits` decimals (default 1) and thousands commas.
 * @example formatFixed(1833, 1) // '1,833.0'
 */
export function formatFixed(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return String(n);
  const [whole, frac] = n.toFixed(digits).split('.');
  return frac === undefined ? groupThousands(whole) : `${groupThousands(whole)}.${frac}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function timesOfLevel(lines: readonly LogLine[], level: LogLevel): Float64Array {
  const out: number[] = [];
  for (const l of lines) if (l.level === level) out.push(l.timeMs);
  return Float64Array.from(out);
}

function checkSeed(seed: number, where: string): void {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${where} needs a whole-number seed, got ${String(seed)}`);
  }
}
