import { formatLogLine, generateLogStream } from '@explorables/reservoir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrivedBefore,
  arrivedBy,
  binPerWindow,
  buildScenario,
  clockLabel,
  DEFAULT_STREAM_SEED,
  expectedPerWindow,
  formatCount,
  formatFixed,
  limitStats,
  STREAM_DURATION_MS,
  scenarioShape,
  scenarioSteps,
  streamOptions,
} from './log-scenario.ts';

const scenario = buildScenario(DEFAULT_STREAM_SEED);

describe('binPerWindow', () => {
  it('binPerWindow(times, 2000, 1000) puts 999.9 ms in the first second and 1000 ms in the second', () => {
    expect(Array.from(binPerWindow([0, 999.9, 1000, 1999.5], 2000, 1000))).toEqual([2, 2]);
  });

  it('binPerWindow([], 3000, 1000) is three empty seconds', () => {
    expect(Array.from(binPerWindow([], 3000, 1000))).toEqual([0, 0, 0]);
  });

  it('binPerWindow(times, 2500, 1000) has a short last window', () => {
    expect(Array.from(binPerWindow([2400], 2500, 1000))).toEqual([0, 0, 1]);
  });

  it('binPerWindow rejects a time at the end, a negative time or NaN, naming the index', () => {
    expect(() => binPerWindow([0, 2000], 2000, 1000)).toThrow(/timesMs\[1\] = 2000/);
    expect(() => binPerWindow([-1], 2000, 1000)).toThrow(/outside \[0, 2000\)/);
    expect(() => binPerWindow([Number.NaN], 2000, 1000)).toThrow(/timesMs\[0\] = NaN/);
  });

  it('binPerWindow rejects a window of 0, NaN or Infinity ms and a negative duration', () => {
    expect(() => binPerWindow([], 1000, 0)).toThrow(/windowMs/);
    expect(() => binPerWindow([], 1000, Number.NaN)).toThrow(/windowMs/);
    expect(() => binPerWindow([], 1000, Number.POSITIVE_INFINITY)).toThrow(/windowMs/);
    expect(() => binPerWindow([], -1, 1000)).toThrow(/durationMs/);
  });

  it('binPerWindow counts each time once, in the window that contains it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 9999.999, noNaN: true })),
        fc.integer({ min: 1, max: 4000 }),
        (times, windowMs) => {
          const counts = binPerWindow(times, 10_000, windowMs);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(times.length);
          for (let w = 0; w < counts.length; w++) {
            const inside = times.filter((t) => t >= w * windowMs && t < (w + 1) * windowMs);
            expect(counts[w]).toBe(inside.length);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('buildScenario', () => {
  it('buildScenario(1) bins every line into one of 60 seconds, counted by brute force', () => {
    expect(scenario.secondCount).toBe(60);
    expect(scenario.countsPerSec.length).toBe(60);
    const brute = new Array(60).fill(0);
    const errors = new Array(60).fill(0);
    for (const l of scenario.lines) {
      brute[Math.floor(l.timeMs / 1000)]++;
      if (l.level === 'ERROR') errors[Math.floor(l.timeMs / 1000)]++;
    }
    expect(Array.from(scenario.countsPerSec)).toEqual(brute);
    expect(Array.from(scenario.errorsPerSec)).toEqual(errors);
    expect(scenario.lines.length).toBe(brute.reduce((a, b) => a + b, 0));
  });

  it('buildScenario(1) lines are in time order and timesMs mirrors them', () => {
    for (let i = 0; i < scenario.lines.length; i++) {
      expect(scenario.timesMs[i]).toBe(scenario.lines[i].timeMs);
      if (i > 0) expect(scenario.timesMs[i]).toBeGreaterThanOrEqual(scenario.timesMs[i - 1]);
    }
  });

  it('buildScenario(seed) is the same for the same seed and differs for another', () => {
    const again = buildScenario(DEFAULT_STREAM_SEED);
    expect(again.lines.length).toBe(scenario.lines.length);
    expect(again.lines.slice(0, 200).map(formatLogLine)).toEqual(
      scenario.lines.slice(0, 200).map(formatLogLine),
    );
    const other = buildScenario(DEFAULT_STREAM_SEED + 1);
    expect(other.lines.slice(0, 20).map(formatLogLine)).not.toEqual(
      scenario.lines.slice(0, 20).map(formatLogLine),
    );
  });

  it('buildScenario(1) has quiet seconds under the limit and burst seconds far over it', () => {
    const stats = limitStats(scenario.countsPerSec, 100);
    expect(stats.secondsOver).toBeGreaterThanOrEqual(6);
    expect(stats.peakPerSec).toBeGreaterThan(1000);
    expect(Math.min(...scenario.countsPerSec)).toBeLessThan(10);
  });

  it('buildScenario(seed) counts stay within 5 standard deviations of the engine rate in every second (seeds 1–5)', () => {
    // Poisson counts: sd = sqrt(expected); 5 sd over 300 seconds fails by chance with p < 1e-4.
    for (let seed = 1; seed <= 5; seed++) {
      const s = buildScenario(seed);
      for (let sec = 0; sec < 60; sec++) {
        const e = s.expectedPerSec[sec];
        expect(Math.abs(s.countsPerSec[sec] - e)).toBeLessThanOrEqual(5 * Math.sqrt(e) + 1);
      }
    }
  });

  it('scenarioSteps(1) yields rising progress below 1 and returns what buildScenario does', () => {
    const steps = scenarioSteps(1, 1000);
    const progress: number[] = [];
    let step = steps.next();
    while (!step.done) {
      progress.push(step.value);
      step = steps.next();
    }
    expect(progress.length).toBeGreaterThan(5);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
    expect(progress.every((p) => p > 0 && p < 1)).toBe(true);
    expect(Array.from(step.value.countsPerSec)).toEqual(Array.from(scenario.countsPerSec));
  });
});

describe('scenarioShape and streamOptions', () => {
  it('scenarioShape(seed) puts the bursts in their stated ranges on whole seconds (seeds 1–200)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const [big, small] = scenarioShape(seed).bursts;
      expect(big.startMs % 1000).toBe(0);
      expect(big.startMs).toBeGreaterThanOrEqual(10_000);
      expect(big.startMs).toBeLessThanOrEqual(18_000);
      expect(big.durationMs).toBeGreaterThanOrEqual(4000);
      expect(big.durationMs).toBeLessThanOrEqual(7000);
      expect(big.ratePerSec).toBeGreaterThanOrEqual(1200);
      expect(big.ratePerSec).toBeLessThanOrEqual(1800);
      expect(small.startMs).toBeGreaterThanOrEqual(26_000);
      expect(small.startMs + small.durationMs).toBeLessThanOrEqual(37_000);
      expect(small.ratePerSec).toBeGreaterThanOrEqual(500);
      expect(small.ratePerSec).toBeLessThanOrEqual(900);
    }
  });

  it('streamOptions(seed) rejects a seed that is not a whole number', () => {
    expect(() => streamOptions(1.5)).toThrow(/whole-number seed, got 1.5/);
    expect(() => streamOptions(Number.NaN)).toThrow(/got NaN/);
  });

  it('streamOptions(seed) lasts one minute and replays the same lines when iterated twice', () => {
    const o = streamOptions(3);
    expect(o.durationMs).toBe(STREAM_DURATION_MS);
    const stream = generateLogStream(o);
    const a = [...stream].slice(0, 50).map(formatLogLine);
    const b = [...stream].slice(0, 50).map(formatLogLine);
    expect(a).toEqual(b);
  });

  it('expectedPerWindow(options, 1000) is the burst rate plus the baseline inside a burst second', () => {
    const o = streamOptions(1);
    const [big] = scenarioShape(1).bursts;
    const e = expectedPerWindow(o, 1000);
    const sec = big.startMs / 1000 + 1;
    expect(e[sec]).toBeGreaterThan(big.ratePerSec);
    expect(e[sec]).toBeLessThan(big.ratePerSec + 30 * 1.85);
  });
});

describe('limitStats', () => {
  it('limitStats([50, 150, 300], 100) has 2 seconds over and drops 250 lines', () => {
    expect(limitStats(Int32Array.of(50, 150, 300), 100)).toEqual({
      linesIn: 500,
      secondsOver: 2,
      droppedLines: 250,
      peakSecond: 2,
      peakPerSec: 300,
    });
  });

  it('limitStats(counts, 0) drops every line of every second that has one', () => {
    const s = limitStats([0, 3, 0, 4], 0);
    expect(s.secondsOver).toBe(2);
    expect(s.droppedLines).toBe(7);
  });

  it('limitStats([], 100) is all zeros', () => {
    expect(limitStats([], 100)).toEqual({
      linesIn: 0,
      secondsOver: 0,
      droppedLines: 0,
      peakSecond: 0,
      peakPerSec: 0,
    });
  });

  it('limitStats rejects a NaN or negative limit', () => {
    expect(() => limitStats([1], Number.NaN)).toThrow(/limitPerSec/);
    expect(() => limitStats([1], -1)).toThrow(/limitPerSec/);
  });
});

describe('arrivedBy and arrivedBefore', () => {
  it('arrivedBy counts times at or before t, arrivedBefore those strictly before', () => {
    const t = Float64Array.of(1, 2, 2, 3);
    expect(arrivedBy(t, 2)).toBe(3);
    expect(arrivedBefore(t, 2)).toBe(1);
    expect(arrivedBy(t, 0)).toBe(0);
    expect(arrivedBy(t, 10)).toBe(4);
    expect(arrivedBy([], 5)).toBe(0);
    expect(arrivedBefore([], 5)).toBe(0);
  });

  it('arrivedBy and arrivedBefore agree with counting by filter on sorted arrays (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 })),
        fc.integer({ min: -5, max: 55 }),
        (raw, at) => {
          const sorted = [...raw].sort((a, b) => a - b);
          expect(arrivedBy(sorted, at)).toBe(sorted.filter((x) => x <= at).length);
          expect(arrivedBefore(sorted, at)).toBe(sorted.filter((x) => x < at).length);
        },
      ),
    );
  });
});

describe('clockLabel', () => {
  it('clockLabel(ms) shows minutes, seconds and tenths, truncating', () => {
    expect(clockLabel(18_450)).toBe('0:18.4');
    expect(clockLabel(0)).toBe('0:00.0');
    expect(clockLabel(60_000)).toBe('1:00.0');
    expect(clockLabel(-5)).toBe('0:00.0');
    expect(clockLabel(599_999)).toBe('9:59.9');
  });
});

describe('formatCount and formatFixed', () => {
  it('formatCount(n) rounds and groups thousands with commas', () => {
    expect(formatCount(12_687.4)).toBe('12,687');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1_000_000)).toBe('1,000,000');
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatCount(Number.NaN)).toBe('NaN');
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });

  it('formatFixed(n, digits) keeps the decimals and groups the whole part', () => {
    expect(formatFixed(1833, 1)).toBe('1,833.0');
    expect(formatFixed(36.66, 1)).toBe('36.7');
    expect(formatFixed(1234.5678, 2)).toBe('1,234.57');
    expect(formatFixed(1234.5, 0)).toBe('1,235');
    expect(formatFixed(Number.NaN)).toBe('NaN');
  });

  it('formatCount(n) agrees with Intl en-US grouping on whole numbers (property)', () => {
    const nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(formatCount(n)).toBe(nf.format(n));
      }),
    );
  });
});
