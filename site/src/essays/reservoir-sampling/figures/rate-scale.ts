/**
 * The y axis of the lines-per-second charts: linear from 0, or logarithmic from just under one
 * line (so a second with a single line still shows a sliver and an empty second shows nothing).
 */

/** A y scale: maps a count to a height fraction (0 at the bottom, 1 at the top) and lists ticks. */
export interface RateScale {
  log: boolean;
  /** The value at the top of the plot. */
  top: number;
  /** The value at the bottom of the plot (0, or LOG_FLOOR on a log axis). */
  bottom: number;
  ticks: number[];
  /** Height fraction of `value`, clamped to [0, 1]. */
  fraction(value: number): number;
}

/** The bottom of a log axis, in lines per second. */
export const LOG_FLOOR = 0.7;

/**
 * A scale whose top is at least `max`: linear ticks at 1, 2, 2.5 or 5 × 10^n (at most 6), or log
 * ticks at the powers of ten.
 * @example rateScale(1833, false).ticks // [0, 500, 1000, 1500, 2000]
 */
export function rateScale(max: number, log: boolean): RateScale {
  const safeMax = Number.isFinite(max) && max > 1 ? max : 1;
  if (log) {
    const top = niceTop(safeMax);
    const lo = Math.log10(LOG_FLOOR);
    const span = Math.log10(top) - lo;
    const ticks: number[] = [];
    for (let v = 1; v <= top; v *= 10) ticks.push(v);
    return {
      log,
      top,
      bottom: LOG_FLOOR,
      ticks,
      fraction: (value) => (value <= LOG_FLOOR ? 0 : Math.min(1, (Math.log10(value) - lo) / span)),
    };
  }
  const step = tickStep(safeMax / 4);
  const top = Math.ceil(safeMax / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + 1e-9; i++) ticks.push(Math.round(i * step * 1e6) / 1e6);
  return {
    log,
    top,
    bottom: 0,
    ticks,
    fraction: (value) => (value <= 0 ? 0 : Math.min(1, value / top)),
  };
}

/**
 * The smallest of 1, 2, 2.5, 5 × 10^n at or above `value` (value > 0).
 * @example tickStep(458) // 500
 */
export function tickStep(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** A top for a log axis: 1, 2 or 5 × 10^n at or above max. */
function niceTop(max: number): number {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * A count for an axis label: 1500 → '1500', 2000 → '2k' only from 10,000 up.
 * @example tickLabel(10_000) // '10k'
 */
export function tickLabel(value: number): string {
  if (value >= 10_000 && value % 1000 === 0) return `${value / 1000}k`;
  return String(value);
}
