/**
 * A synthetic, bursty log stream for the essay, the CLI benchmark and the tests. Arrivals are a
 * Poisson process: a baseline rate (optionally with a slow sinusoidal wobble, like traffic over a
 * day) plus, during each burst, an extra Poisson process at the burst's own rate. Bursts carry
 * more WARN and ERROR lines and mostly come from one service. Everything is drawn from child
 * streams of the injected rng, so the same seed gives the same lines, and iterating the returned
 * iterable again replays them. Lines are produced one at a time: hours of thousands of lines per
 * second stream in constant memory.
 */
import type { Rng } from '@explorables/random';

/** Severity of a log line, least to most severe. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * One generated log line; `timeMs` is milliseconds since the start of the stream (fractional),
 * shown by formatLogLine as an ISO-8601 time counted from LOG_EPOCH_MS.
 * @example { timeMs: 123.4, level: 'INFO', service: 'api', message: 'GET /users/4021 200 18ms' }
 */
export interface LogLine {
  timeMs: number;
  level: LogLevel;
  service: string;
  message: string;
}

/**
 * An extra stream of lines at `ratePerSec` during [startMs, startMs + durationMs); `service`
 * (default: one of LOG_SERVICES chosen from the seed) emits most of them.
 * @example { startMs: 60_000, durationMs: 10_000, ratePerSec: 5000 }
 */
export interface LogBurst {
  startMs: number;
  durationMs: number;
  ratePerSec: number;
  service?: string;
}

/**
 * Options of generateLogStream: the rng, the stream length in ms, the baseline rate in lines per
 * second, bursts, and an optional wobble multiplying the baseline by
 * 1 + amplitude · sin(2π · timeMs / periodMs) (amplitude in [0, 1]).
 * @example { rng: createRng(1), durationMs: 60_000, baseRatePerSec: 200 }
 */
export interface LogStreamOptions {
  rng: Rng;
  durationMs: number;
  baseRatePerSec: number;
  bursts?: LogBurst[];
  wobble?: { amplitude: number; periodMs: number };
}

/** The wall-clock origin of generated streams: 2026-01-01T00:00:00.000Z in ms since 1970. */
export const LOG_EPOCH_MS = Date.UTC(2026, 0, 1);

/** The services lines come from (each name at most 4 characters, so columns line up). */
export const LOG_SERVICES: readonly string[] = ['api', 'auth', 'db', 'web', 'jobs', 'mail'];

/** Level shares (DEBUG, INFO, WARN, ERROR) outside bursts and inside them. */
export const BASELINE_LEVEL_SHARES = [0.3, 0.62, 0.07, 0.01] as const;
/** Level shares (DEBUG, INFO, WARN, ERROR) of the extra lines of a burst. */
export const BURST_LEVEL_SHARES = [0.15, 0.5, 0.2, 0.15] as const;

const LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * The stream of lines described by `options`, in time order; lazy and replayable.
 * @example
 * const lines = generateLogStream({ rng: createRng(7), durationMs: 1000, baseRatePerSec: 50 });
 * for (const line of lines)
 *   console.log(formatLogLine(line));
 */
export function generateLogStream(options: LogStreamOptions): Iterable<LogLine> {
  const checked = checkOptions(options);
  return { [Symbol.iterator]: () => produceLines(checked) };
}

/**
 * The expected number of lines per second at `timeMs` (baseline with wobble plus active bursts),
 * for charts that draw the rate against an aggregator's limit.
 * @example expectedRatePerSec({ rng, durationMs: 1e4, baseRatePerSec: 100 }, 500) // 100
 */
export function expectedRatePerSec(options: LogStreamOptions, timeMs: number): number {
  const checked = checkOptions(options);
  if (!(timeMs >= 0 && timeMs < checked.durationMs)) return 0;
  let rate = baselineRatePerMs(checked, timeMs) * 1000;
  for (const burst of checked.bursts) {
    if (timeMs >= burst.startMs && timeMs < burst.startMs + burst.durationMs) {
      rate += burst.ratePerSec;
    }
  }
  return rate;
}

/**
 * One line of text: ISO-8601 UTC time (LOG_EPOCH_MS + timeMs, truncated to the millisecond),
 * the level padded to 5, the service padded to 4, the message.
 * @example formatLogLine({ timeMs: 123.9, level: 'ERROR', service: 'api', message: 'boom' })
 * // '2026-01-01T00:00:00.123Z ERROR api  boom'
 */
export function formatLogLine(line: LogLine): string {
  const time = new Date(LOG_EPOCH_MS + Math.floor(line.timeMs)).toISOString();
  return `${time} ${line.level.padEnd(5)} ${line.service.padEnd(4)} ${line.message}`;
}

interface CheckedOptions {
  rng: Rng;
  durationMs: number;
  baseRatePerSec: number;
  bursts: Required<LogBurst>[];
  amplitude: number;
  periodMs: number;
}

function checkOptions(options: LogStreamOptions): CheckedOptions {
  const where = 'generateLogStream(options)';
  if (options === null || typeof options !== 'object') {
    throw new Error(`${where} needs an options object`);
  }
  const { rng, durationMs, baseRatePerSec } = options;
  if (rng === null || typeof rng !== 'object' || typeof rng.child !== 'function') {
    throw new Error(`${where} needs options.rng from @explorables/random (createRng(seed))`);
  }
  checkNonNegative(durationMs, `${where} options.durationMs`);
  checkNonNegative(baseRatePerSec, `${where} options.baseRatePerSec`);
  let amplitude = 0;
  let periodMs = 1;
  if (options.wobble !== undefined) {
    amplitude = options.wobble.amplitude;
    periodMs = options.wobble.periodMs;
    if (typeof amplitude !== 'number' || !(amplitude >= 0 && amplitude <= 1)) {
      throw new Error(`${where} options.wobble.amplitude must be in [0, 1], got ${amplitude}`);
    }
    if (typeof periodMs !== 'number' || !(periodMs > 0) || !Number.isFinite(periodMs)) {
      throw new Error(`${where} options.wobble.periodMs must be finite and > 0, got ${periodMs}`);
    }
  }
  const pickRng = rng.child('burst-services');
  const bursts = (options.bursts ?? []).map((burst, i) => {
    const at = `${where} options.bursts[${i}]`;
    checkNonNegative(burst.startMs, `${at}.startMs`);
    checkNonNegative(burst.durationMs, `${at}.durationMs`);
    checkNonNegative(burst.ratePerSec, `${at}.ratePerSec`);
    const picked = pickRng.pick(LOG_SERVICES);
    const service = burst.service ?? picked;
    if (typeof service !== 'string' || service.length === 0) {
      throw new Error(`${at}.service must be a non-empty string, got ${String(service)}`);
    }
    return { ...burst, service };
  });
  return { rng, durationMs, baseRatePerSec, bursts, amplitude, periodMs };
}

function checkNonNegative(value: number, what: string): void {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new Error(`${what} must be a finite number >= 0, got ${String(value)}`);
  }
}

function baselineRatePerMs(o: CheckedOptions, timeMs: number): number {
  const wobble = 1 + o.amplitude * Math.sin((2 * Math.PI * timeMs) / o.periodMs);
  return (o.baseRatePerSec / 1000) * wobble;
}

/** Source 0 is the baseline, source i + 1 is burst i. */
function* produceLines(o: CheckedOptions): Generator<LogLine> {
  const sourceCount = o.bursts.length + 1;
  const rngs: Rng[] = [o.rng.child('baseline')];
  for (let i = 0; i < o.bursts.length; i++) rngs.push(o.rng.child(`burst-${i}`));
  const content = o.rng.child('lines');
  const nextMs = new Float64Array(sourceCount);
  const maxBaselinePerMs = (o.baseRatePerSec / 1000) * (1 + o.amplitude);

  const advanceBaseline = (fromMs: number): number => {
    if (maxBaselinePerMs === 0) return Number.POSITIVE_INFINITY;
    let t = fromMs;
    // Thinning (Lewis–Shedler): candidates at the peak rate, kept with probability rate / peak.
    for (;;) {
      t += rngs[0].exponential(maxBaselinePerMs);
      if (t >= o.durationMs) return Number.POSITIVE_INFINITY;
      if (o.amplitude === 0) return t;
      if (rngs[0].float() * maxBaselinePerMs < baselineRatePerMs(o, t)) return t;
    }
  };
  const advanceBurst = (i: number, fromMs: number): number => {
    const burst = o.bursts[i];
    const endMs = Math.min(burst.startMs + burst.durationMs, o.durationMs);
    if (burst.ratePerSec === 0) return Number.POSITIVE_INFINITY;
    const t = fromMs + rngs[i + 1].exponential(burst.ratePerSec / 1000);
    return t < endMs ? t : Number.POSITIVE_INFINITY;
  };

  nextMs[0] = advanceBaseline(0);
  for (let i = 0; i < o.bursts.length; i++) nextMs[i + 1] = advanceBurst(i, o.bursts[i].startMs);

  for (;;) {
    let source = 0;
    for (let s = 1; s < sourceCount; s++) if (nextMs[s] < nextMs[source]) source = s;
    const timeMs = nextMs[source];
    if (timeMs === Number.POSITIVE_INFINITY) return;
    const inBurst = source > 0;
    const level = pickLevel(content, inBurst ? BURST_LEVEL_SHARES : BASELINE_LEVEL_SHARES);
    const service =
      inBurst && content.float() < 0.7 ? o.bursts[source - 1].service : content.pick(LOG_SERVICES);
    yield { timeMs, level, service, message: makeMessage(content, level, inBurst) };
    nextMs[source] = source === 0 ? advanceBaseline(timeMs) : advanceBurst(source - 1, timeMs);
  }
}

function pickLevel(rng: Rng, shares: readonly number[]): LogLevel {
  let u = rng.float();
  for (let i = 0; i < shares.length - 1; i++) {
    if (u < shares[i]) return LEVELS[i];
    u -= shares[i];
  }
  return LEVELS[shares.length - 1];
}

type Template = (rng: Rng, slow: boolean) => string;

const id = (rng: Rng): number => rng.int(1000, 99999);
const latencyMs = (rng: Rng, slow: boolean): number =>
  Math.max(1, Math.round(rng.lognormal(slow ? 5.5 : 3, 0.8)));
const hex = (rng: Rng): string => rng.nextUint32().toString(16).padStart(8, '0');

const TEMPLATES: Record<LogLevel, Template[]> = {
  DEBUG: [
    (r, s) => `query took ${latencyMs(r, s)}ms rows=${r.int(0, 500)}`,
    (r) => `cache miss key=item:${id(r)}`,
    (r) => `parsed request ${hex(r)} headers=${r.int(4, 30)}`,
    (r) => `pool slot ${r.int(0, 63)} reused`,
  ],
  INFO: [
    (r, s) => `GET /api/users/${id(r)} 200 ${latencyMs(r, s)}ms`,
    (r, s) => `POST /api/orders 201 ${latencyMs(r, s)}ms order=${id(r)}`,
    (r) => `user ${id(r)} signed in`,
    (r, s) => `job ${hex(r)} finished in ${latencyMs(r, s)}ms`,
    (r) => `sent mail ${hex(r)} to user ${id(r)}`,
  ],
  WARN: [
    (r, s) => `slow query ${latencyMs(r, true) + (s ? 500 : 0)}ms on table orders`,
    (r) => `retry ${r.int(1, 5)}/5 for request ${hex(r)}`,
    (r) => `connection pool at ${r.int(80, 100)}% capacity`,
    (r) => `rate limit near for client ${id(r)}`,
  ],
  ERROR: [
    (r, s) =>
      `timeout after ${latencyMs(r, true) + (s ? 2000 : 1000)}ms calling ${r.pick(LOG_SERVICES)}`,
    (r) => `payment ${id(r)} failed: card declined`,
    (r) => `connection refused to db:5432 (attempt ${r.int(1, 5)})`,
    (r) => `unhandled exception in /api/orders/${id(r)}: TypeError`,
  ],
};

function makeMessage(rng: Rng, level: LogLevel, inBurst: boolean): string {
  const templates = TEMPLATES[level];
  return templates[rng.int(0, templates.length - 1)](rng, inBurst);
}
