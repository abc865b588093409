import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countPerSecond,
  DEFAULT_K,
  DEFAULT_PERCENT,
  logFigureNumbers,
  runPercent,
  runWindowed,
  type WindowedOptions,
} from './log-samplers.ts';
import { buildScenario, DEFAULT_LIMIT_PER_SEC, limitStats } from './log-scenario.ts';

const scenario = buildScenario(1);
const limit = DEFAULT_LIMIT_PER_SEC;

describe('runPercent', () => {
  it('runPercent(scenario, 10, seed) draws one number per line and bins what it keeps', () => {
    const run = runPercent(scenario, 10, 1, limit);
    expect(run.draws).toBe(scenario.lines.length);
    expect(run.kept.length).toBe(scenario.lines.length);
    expect(run.outPerSec.reduce((a, b) => a + b, 0)).toBe(run.keptCount);
    expect(run.kept.reduce((a, b) => a + b, 0)).toBe(run.keptCount);
    for (let s = 0; s < 60; s++) {
      expect(run.outPerSec[s]).toBeLessThanOrEqual(scenario.countsPerSec[s]);
      expect(run.expectedOutPerSec[s]).toBeCloseTo(0.1 * scenario.countsPerSec[s], 12);
    }
  });

  it('runPercent(scenario, 10, seed) keeps 10 % of lines within 4 binomial standard deviations (seeds 1–20)', () => {
    const n = scenario.lines.length;
    const sd = Math.sqrt(n * 0.1 * 0.9);
    let total = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const run = runPercent(scenario, 10, seed, limit);
      expect(Math.abs(run.keptCount - 0.1 * n)).toBeLessThanOrEqual(4 * sd);
      total += run.keptCount;
    }
    // The mean of 20 runs: sd shrinks by sqrt(20).
    expect(Math.abs(total / 20 - 0.1 * n)).toBeLessThanOrEqual((4 * sd) / Math.sqrt(20));
  });

  it('runPercent(scenario, 10, 1) still goes over the limit in the bursts and silences quiet seconds', () => {
    const run = runPercent(scenario, 10, 1, limit);
    expect(run.after.secondsOver).toBeGreaterThan(0);
    expect(run.after.peakPerSec).toBeGreaterThan(limit);
    expect(run.silentSeconds).toBeGreaterThan(0);
    expect(run.quietErrorsLost).toBeGreaterThan(0);
    expect(run.quietErrorsLost).toBeLessThanOrEqual(run.quietErrorsIn);
  });

  it('runPercent silent seconds and lost ERROR lines match their definitions by brute force', () => {
    const run = runPercent(scenario, 7, 3, limit);
    let silent = 0;
    let expectedSilent = 0;
    for (let s = 0; s < 60; s++) {
      const n = scenario.countsPerSec[s];
      if (n > 0 && run.outPerSec[s] === 0) silent++;
      if (n > 0) expectedSilent += 0.93 ** n;
    }
    expect(run.silentSeconds).toBe(silent);
    expect(run.expectedSilentSeconds).toBeCloseTo(expectedSilent, 9);
    let lost = 0;
    let quietLost = 0;
    scenario.lines.forEach((l, i) => {
      if (l.level !== 'ERROR' || run.kept[i]) return;
      lost++;
      if (scenario.countsPerSec[Math.floor(l.timeMs / 1000)] <= limit) quietLost++;
    });
    expect(run.errorsLost).toBe(lost);
    expect(run.quietErrorsLost).toBe(quietLost);
    expect(run.errorsIn).toBe(
      countPerSecond(scenario, (l) => l.level === 'ERROR').reduce((a, b) => a + b, 0),
    );
  });

  it('runPercent lost ERROR lines stay within 4 binomial sd of (1 − p) × errors (p = 10 %, seeds 1–10)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const run = runPercent(scenario, 10, seed, limit);
      const sd = Math.sqrt(run.errorsIn * 0.1 * 0.9);
      expect(Math.abs(run.errorsLost - run.expectedErrorsLost)).toBeLessThanOrEqual(4 * sd);
    }
  });

  it('runPercent(scenario, 100) keeps every line and runPercent(scenario, 0) none', () => {
    const all = runPercent(scenario, 100, 1, limit);
    expect(all.keptCount).toBe(scenario.lines.length);
    expect(all.silentSeconds).toBe(0);
    expect(all.errorsLost).toBe(0);
    expect(all.expectedSilentSeconds).toBe(0);
    const none = runPercent(scenario, 0, 1, limit);
    expect(none.keptCount).toBe(0);
    expect(none.silentSeconds).toBe(60);
    expect(none.draws).toBe(scenario.lines.length);
  });

  it('runPercent(scenario, rate, seed) is the same run for the same seed and another for another', () => {
    const a = runPercent(scenario, 10, 5, limit);
    const b = runPercent(scenario, 10, 5, limit);
    const c = runPercent(scenario, 10, 6, limit);
    expect(Array.from(a.kept)).toEqual(Array.from(b.kept));
    expect(Array.from(a.kept)).not.toEqual(Array.from(c.kept));
  });

  it('runPercent rejects a rate outside [0, 100] or NaN', () => {
    expect(() => runPercent(scenario, 101, 1, limit)).toThrow(/\[0, 100\], got 101/);
    expect(() => runPercent(scenario, -1, 1, limit)).toThrow(/got -1/);
    expect(() => runPercent(scenario, Number.NaN, 1, limit)).toThrow(/got NaN/);
  });
});

describe('runWindowed', () => {
  const base: WindowedOptions = { k: 50, seed: 1, mustKeepErrors: false, perService: false };

  it('runWindowed(scenario, k = 50) sends at most 50 lines a second and min(k, n) exactly', () => {
    const run = runWindowed(scenario, base, limit);
    expect(run.maxSampledPerReservoir).toBe(50);
    expect(run.batchCount).toBe(60);
    for (let s = 0; s < 60; s++) {
      expect(run.sampledPerSec[s]).toBe(Math.min(50, scenario.countsPerSec[s]));
      expect(run.forcedPerSec[s]).toBe(0);
      expect(run.expectedKeptPerSec[s]).toBe(run.keptPerSec[s]);
    }
    expect(run.after.secondsOver).toBe(0);
    expect(run.secondsAllKept).toBe(run.secondsAtMostK);
    expect(run.secondsAllKept).toBe(scenario.countsPerSec.filter((c) => c <= 50).length);
  });

  it('runWindowed with mustKeepErrors keeps every ERROR line on top of k sampled lines', () => {
    const run = runWindowed(scenario, { ...base, mustKeepErrors: true }, limit);
    expect(run.errorsKept).toBe(run.errorsIn);
    expect(run.errorsEstimated).toBeCloseTo(run.errorsIn, 9);
    for (let s = 0; s < 60; s++) {
      expect(run.forcedPerSec[s]).toBe(scenario.errorsPerSec[s]);
      const ordinary = scenario.countsPerSec[s] - scenario.errorsPerSec[s];
      expect(run.sampledPerSec[s]).toBe(Math.min(50, ordinary));
    }
  });

  it('runWindowed with perService opens one reservoir per service and caps each at k', () => {
    const run = runWindowed(scenario, { ...base, k: 10, perService: true }, limit);
    expect(run.maxReservoirsPerSecond).toBeLessThanOrEqual(6);
    expect(run.maxReservoirsPerSecond).toBeGreaterThan(1);
    for (const sec of run.seconds) {
      const keys = new Set<string | undefined>();
      for (const b of sec.batches) {
        expect(b.key).toBeDefined();
        expect(b.kept.length).toBeLessThanOrEqual(10);
        keys.add(b.key);
      }
      expect(keys.size).toBe(sec.batches.length);
      expect(sec.sampled).toBe(sec.expectedSampled);
    }
  });

  it('runWindowed never sends more than k per reservoir plus the must-keep lines, and Σ represents = seen (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        fc.boolean(),
        (k, seed, mustKeepErrors, perService) => {
          const run = runWindowed(scenario, { k, seed, mustKeepErrors, perService }, limit);
          expect(run.maxSampledPerReservoir).toBeLessThanOrEqual(k);
          expect(run.representsMaxError).toBeLessThan(1e-9);
          for (const sec of run.seconds) {
            const forcedAllowed = mustKeepErrors ? scenario.errorsPerSec[sec.second] : 0;
            expect(sec.forced).toBe(forcedAllowed);
            expect(sec.sampled).toBeLessThanOrEqual(k * Math.max(1, sec.batches.length));
            expect(Math.abs(sec.representsSum - sec.seen)).toBeLessThan(1e-9 * (sec.seen + 1));
            expect(sec.seen).toBe(scenario.countsPerSec[sec.second]);
            // A subsequence of the input: strictly rising indices, the very items offered.
            for (let i = 0; i < sec.kept.length; i++) {
              expect(scenario.lines[sec.kept[i].index]).toBe(sec.kept[i].item);
              if (i > 0) expect(sec.kept[i].index).toBeGreaterThan(sec.kept[i - 1].index);
              expect(Math.floor(sec.kept[i].timeMs / 1000)).toBe(sec.second);
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('runWindowed(scenario, options) is the same for the same seed and differs for another', () => {
    const ids = (seed: number) =>
      runWindowed(scenario, { ...base, seed }, limit).seconds.flatMap((s) =>
        s.kept.map((k) => k.index),
      );
    expect(ids(4)).toEqual(ids(4));
    expect(ids(4)).not.toEqual(ids(5));
  });

  it('runWindowed represents of a sampled line in a full second is seen / k', () => {
    const run = runWindowed(scenario, base, limit);
    const busiest = run.seconds.reduce((a, b) => (b.seen > a.seen ? b : a));
    for (const kept of busiest.kept) expect(kept.represents).toBeCloseTo(busiest.seen / 50, 12);
  });

  it('runWindowed rejects a negative k through the engine with a message naming k', () => {
    expect(() => runWindowed(scenario, { ...base, k: -1 }, limit)).toThrow(/k/);
  });
});

describe('logFigureNumbers', () => {
  it('logFigureNumbers(1) repeats what the figures compute at their defaults', () => {
    const n = logFigureNumbers(1, scenario);
    expect(n.stream.secondsOver).toBe(limitStats(scenario.countsPerSec, 100).secondsOver);
    expect(n.stream.quietestPerSec).toBe(Math.min(...scenario.countsPerSec));
    const p = runPercent(scenario, DEFAULT_PERCENT, 1, 100);
    expect(n.percent.silentSeconds).toBe(p.silentSeconds);
    expect(n.percent.after).toEqual(p.after);
    expect(n.windowed.maxSampledPerReservoir).toBe(DEFAULT_K);
    expect(n.windowed.after.secondsOver).toBe(0);
    expect(n.windowedMustKeep.errorsKept).toBe(n.windowedMustKeep.errorsIn);
    expect(n.windowedMustKeep.maxForcedPerSec).toBe(Math.max(...scenario.errorsPerSec));
    expect(n).not.toHaveProperty('percent.kept');
  });
});
