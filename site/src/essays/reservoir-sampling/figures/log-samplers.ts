/**
 * The two ways of thinning the essay's log stream, run over a whole LogScenario and summarised
 * per second: "keep each line with probability p" (one seeded draw per line), and the engine's
 * WindowedSampler (a reservoir of k lines per second, optionally per service, optionally keeping
 * every ERROR line). Each run carries the theory it should match, so a figure can draw the two
 * side by side and a test can hold them to it.
 */
import { createRng } from '@explorables/random';
import { type LogLine, type WindowBatch, WindowedSampler } from '@explorables/reservoir';
import {
  binPerWindow,
  buildScenario,
  DEFAULT_LIMIT_PER_SEC,
  type LimitStats,
  type LogScenario,
  limitStats,
} from './log-scenario.ts';

/** The share the percentage figure starts at, in percent. */
export const DEFAULT_PERCENT = 10;
/** The k the per-second figure starts at (lines per second and reservoir). */
export const DEFAULT_K = 50;

/** One run of "keep each line with probability ratePct / 100". */
export interface PercentRun {
  ratePct: number;
  seed: number;
  /** kept[i] is 1 when line i was kept. */
  kept: Uint8Array;
  /** Random numbers drawn: one per line. */
  draws: number;
  keptCount: number;
  /** Lines kept in second s. */
  outPerSec: Int32Array;
  /** Theory: p × lines in, per second. */
  expectedOutPerSec: Float64Array;
  /** The output against the limit: seconds still over it and the lines still dropped there. */
  after: LimitStats;
  /** Seconds that had lines but kept none of them. */
  silentSeconds: number;
  /** Theory: Σ over seconds with lines of (1 − p)^(lines in that second). */
  expectedSilentSeconds: number;
  errorsIn: number;
  errorsLost: number;
  /** Theory: (1 − p) × errorsIn. */
  expectedErrorsLost: number;
  /** ERROR lines in seconds at or under the limit, where the aggregator alone loses nothing. */
  quietErrorsIn: number;
  quietErrorsLost: number;
}

/**
 * Keeps each line of the scenario with probability ratePct / 100, one float from the seed's child
 * 'percent-sampler' per line, and compares the output per second with `limitPerSec`.
 * @example runPercent(buildScenario(1), 10, 1, 100).after.secondsOver // seconds still over
 */
export function runPercent(
  scenario: LogScenario,
  ratePct: number,
  seed: number,
  limitPerSec: number,
): PercentRun {
  if (typeof ratePct !== 'number' || !(ratePct >= 0 && ratePct <= 100)) {
    throw new Error(`runPercent(ratePct) must be a percentage in [0, 100], got ${ratePct}`);
  }
  const p = ratePct / 100;
  const rng = createRng(seed).child('percent-sampler');
  const { lines, countsPerSec, errorsPerSec, secondCount } = scenario;
  const kept = new Uint8Array(lines.length);
  const outPerSec = new Int32Array(secondCount);
  let draws = 0;
  let keptCount = 0;
  let errorsLost = 0;
  let quietErrorsLost = 0;
  for (let i = 0; i < lines.length; i++) {
    draws++;
    const keep = rng.float() < p;
    const second = Math.floor(lines[i].timeMs / 1000);
    if (keep) {
      kept[i] = 1;
      keptCount++;
      outPerSec[second]++;
    } else if (lines[i].level === 'ERROR') {
      errorsLost++;
      if (countsPerSec[second] <= limitPerSec) quietErrorsLost++;
    }
  }
  const expectedOutPerSec = new Float64Array(secondCount);
  let silentSeconds = 0;
  let expectedSilentSeconds = 0;
  let errorsIn = 0;
  let quietErrorsIn = 0;
  for (let s = 0; s < secondCount; s++) {
    const n = countsPerSec[s];
    expectedOutPerSec[s] = p * n;
    if (n > 0) {
      if (outPerSec[s] === 0) silentSeconds++;
      expectedSilentSeconds += (1 - p) ** n;
    }
    errorsIn += errorsPerSec[s];
    if (n <= limitPerSec) quietErrorsIn += errorsPerSec[s];
  }
  return {
    ratePct,
    seed,
    kept,
    draws,
    keptCount,
    outPerSec,
    expectedOutPerSec,
    after: limitStats(outPerSec, limitPerSec),
    silentSeconds,
    expectedSilentSeconds,
    errorsIn,
    errorsLost,
    expectedErrorsLost: (1 - p) * errorsIn,
    quietErrorsIn,
    quietErrorsLost,
  };
}

/** Options of runWindowed. */
export interface WindowedOptions {
  /** Sampled lines kept per second (and per service with perService). */
  k: number;
  /** The sampler's rng is the seed's child 'windowed-sampler'. */
  seed: number;
  /** Keep every ERROR line, on top of the k sampled ones. */
  mustKeepErrors: boolean;
  /** One reservoir per service within each second. */
  perService: boolean;
}

/** What the windowed sampler sent downstream for one second. */
export interface SecondSample {
  second: number;
  /** Lines that arrived in this second. */
  seen: number;
  /** The batches the sampler emitted for this second (one per service with perService). */
  batches: WindowBatch<LogLine>[];
  /** Kept lines of all batches, in arrival order. */
  kept: WindowBatch<LogLine>['kept'];
  /** Kept by the reservoirs / by the must-keep rule. */
  sampled: number;
  forced: number;
  /** Σ represents over the kept lines: should equal seen. */
  representsSum: number;
  /** Theory for `sampled`: min(k, lines that could be sampled) per reservoir, summed. */
  expectedSampled: number;
}

/** One run of the windowed sampler over a whole scenario. */
export interface WindowedRun {
  options: WindowedOptions;
  seconds: SecondSample[];
  sampledPerSec: Int32Array;
  forcedPerSec: Int32Array;
  /** sampled + forced per second. */
  keptPerSec: Int32Array;
  /** Theory: min(k, candidates) per reservoir, plus the forced lines, per second. */
  expectedKeptPerSec: Float64Array;
  /** The most sampled (not forced) lines any one reservoir sent in one second; never above k. */
  maxSampledPerReservoir: number;
  /** Reservoirs (services) open in the busiest second. */
  maxReservoirsPerSecond: number;
  /** Seconds in which every line that arrived was kept. */
  secondsAllKept: number;
  /** Seconds that had at most k lines per reservoir, so theory says everything is kept. */
  secondsAtMostK: number;
  /** The largest |Σ represents − seen| over all batches (0 up to float rounding). */
  representsMaxError: number;
  /** Batches emitted in total. */
  batchCount: number;
  /** The output against the limit. */
  after: LimitStats;
  keptCount: number;
  errorsIn: number;
  errorsKept: number;
  /** Σ represents over kept ERROR lines: the sample's estimate of errorsIn. */
  errorsEstimated: number;
}

/**
 * Runs the engine's WindowedSampler (windowMs = 1000) over the scenario and summarises what it
 * sent per second, next to the theory (min(k, n) per reservoir, plus the must-keep lines).
 * @example runWindowed(buildScenario(1), { k: 20, seed: 1, mustKeepErrors: false,
 *   perService: false }, 100).maxSampledPerReservoir // 20
 */
export function runWindowed(
  scenario: LogScenario,
  options: WindowedOptions,
  limitPerSec: number,
): WindowedRun {
  const { k, seed, mustKeepErrors, perService } = options;
  const sampler = new WindowedSampler<LogLine>({
    windowMs: 1000,
    k,
    rng: createRng(seed).child('windowed-sampler'),
    keyOf: perService ? (line) => line.service : undefined,
    mustKeep: mustKeepErrors ? (line) => line.level === 'ERROR' : undefined,
  });
  const { secondCount } = scenario;
  const bySecond: WindowBatch<LogLine>[][] = Array.from({ length: secondCount }, () => []);
  const take = (batches: WindowBatch<LogLine>[]) => {
    for (const b of batches) bySecond[Math.round(b.startMs / 1000)].push(b);
  };
  // Candidates per second and reservoir, for the theory min(k, n).
  const candidates: Map<string, number>[] = Array.from({ length: secondCount }, () => new Map());
  for (const line of scenario.lines) {
    take(sampler.offer(line, line.timeMs));
    if (mustKeepErrors && line.level === 'ERROR') continue;
    const m = candidates[Math.floor(line.timeMs / 1000)];
    const key = perService ? line.service : '';
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  take(sampler.flush());

  const seconds: SecondSample[] = [];
  const sampledPerSec = new Int32Array(secondCount);
  const forcedPerSec = new Int32Array(secondCount);
  const keptPerSec = new Int32Array(secondCount);
  const expectedKeptPerSec = new Float64Array(secondCount);
  let maxSampledPerReservoir = 0;
  let maxReservoirsPerSecond = 0;
  let secondsAllKept = 0;
  let secondsAtMostK = 0;
  let representsMaxError = 0;
  let batchCount = 0;
  let keptCount = 0;
  let errorsKept = 0;
  let errorsEstimated = 0;
  for (let s = 0; s < secondCount; s++) {
    const batches = bySecond[s];
    batchCount += batches.length;
    maxReservoirsPerSecond = Math.max(maxReservoirsPerSecond, batches.length);
    const kept: WindowBatch<LogLine>['kept'] = [];
    let sampled = 0;
    let forced = 0;
    let representsSum = 0;
    for (const b of batches) {
      let batchSampled = 0;
      let batchSum = 0;
      for (const item of b.kept) {
        kept.push(item);
        batchSum += item.represents;
        if (item.forced) forced++;
        else batchSampled++;
        if (item.item.level === 'ERROR') {
          errorsKept++;
          errorsEstimated += item.represents;
        }
      }
      sampled += batchSampled;
      representsSum += batchSum;
      maxSampledPerReservoir = Math.max(maxSampledPerReservoir, batchSampled);
      representsMaxError = Math.max(representsMaxError, Math.abs(batchSum - b.seen));
    }
    kept.sort((a, b) => a.index - b.index);
    let expectedSampled = 0;
    let atMostK = true;
    for (const n of candidates[s].values()) {
      expectedSampled += Math.min(k, n);
      if (n > k) atMostK = false;
    }
    const seen = scenario.countsPerSec[s];
    if (atMostK) secondsAtMostK++;
    if (sampled + forced === seen) secondsAllKept++;
    sampledPerSec[s] = sampled;
    forcedPerSec[s] = forced;
    keptPerSec[s] = sampled + forced;
    keptCount += sampled + forced;
    const forcedExpected = mustKeepErrors ? scenario.errorsPerSec[s] : 0;
    expectedKeptPerSec[s] = expectedSampled + forcedExpected;
    seconds.push({
      second: s,
      seen,
      batches,
      kept,
      sampled,
      forced,
      representsSum,
      expectedSampled,
    });
  }
  let errorsIn = 0;
  for (const e of scenario.errorsPerSec) errorsIn += e;
  return {
    options,
    seconds,
    sampledPerSec,
    forcedPerSec,
    keptPerSec,
    expectedKeptPerSec,
    maxSampledPerReservoir,
    maxReservoirsPerSecond,
    secondsAllKept,
    secondsAtMostK,
    representsMaxError,
    batchCount,
    after: limitStats(keptPerSec, limitPerSec),
    keptCount,
    errorsIn,
    errorsKept,
    errorsEstimated,
  };
}

/**
 * Lines per second of any subset of the scenario's lines (e.g. only ERROR lines), for tests and
 * tables.
 * @example countPerSecond(buildScenario(1), (l) => l.level === 'ERROR')
 */
export function countPerSecond(
  scenario: LogScenario,
  where: (line: LogLine) => boolean,
): Int32Array {
  const times: number[] = [];
  for (const l of scenario.lines) if (where(l)) times.push(l.timeMs);
  return binPerWindow(times, scenario.options.durationMs, 1000);
}

/** The numbers the three log figures show at their defaults, for the essay's prose. */
export interface LogFigureNumbers {
  seed: number;
  limitPerSec: number;
  /** reservoir-stream: the raw stream against the limit. */
  stream: LimitStats & { quietestPerSec: number };
  /** reservoir-percent at 10 %. */
  percent: Omit<PercentRun, 'kept' | 'outPerSec' | 'expectedOutPerSec'>;
  /** reservoir-logs at k = 50, without and with the must-keep rule for ERROR lines. */
  windowed: Omit<
    WindowedRun,
    'seconds' | 'sampledPerSec' | 'forcedPerSec' | 'keptPerSec' | 'expectedKeptPerSec'
  >;
  windowedMustKeep: Omit<
    WindowedRun,
    'seconds' | 'sampledPerSec' | 'forcedPerSec' | 'keptPerSec' | 'expectedKeptPerSec'
  > & { maxForcedPerSec: number };
}

/**
 * Everything the log figures show at their default settings for `seed` (default 1), computed the
 * same way, so the prose can quote them at build time.
 * @example logFigureNumbers().stream.secondsOver // seconds over the 100 lines/s limit
 */
export function logFigureNumbers(
  seed = 1,
  scenario: LogScenario = buildScenario(seed),
): LogFigureNumbers {
  const limitPerSec = DEFAULT_LIMIT_PER_SEC;
  const stream = {
    ...limitStats(scenario.countsPerSec, limitPerSec),
    quietestPerSec: Math.min(...scenario.countsPerSec),
  };
  const {
    kept: _k,
    outPerSec: _o,
    expectedOutPerSec: _e,
    ...percent
  } = runPercent(scenario, DEFAULT_PERCENT, seed, limitPerSec);
  const summary = (run: WindowedRun) => {
    const {
      seconds: _s,
      sampledPerSec: _sp,
      forcedPerSec: _f,
      keptPerSec: _kp,
      expectedKeptPerSec: _ek,
      ...rest
    } = run;
    return rest;
  };
  const options = { k: DEFAULT_K, seed, mustKeepErrors: false, perService: false };
  const windowed = summary(runWindowed(scenario, options, limitPerSec));
  const mustKeepRun = runWindowed(scenario, { ...options, mustKeepErrors: true }, limitPerSec);
  const windowedMustKeep = {
    ...summary(mustKeepRun),
    maxForcedPerSec: Math.max(...mustKeepRun.forcedPerSec),
  };
  return { seed, limitPerSec, stream, percent, windowed, windowedMustKeep };
}
