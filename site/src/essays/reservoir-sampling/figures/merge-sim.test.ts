import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import {
  countByMachine,
  expectedPerLine,
  MACHINE_SIZES,
  machineLines,
  machineSnapshots,
  mergeBy,
  mergeOnce,
  quotas,
  simulateMergeNow,
} from './merge-sim.ts';

describe('helpers', () => {
  it('MACHINE_SIZES runs 1, 2, 5 … 1,000,000', () => {
    expect(MACHINE_SIZES[0]).toBe(1);
    expect(MACHINE_SIZES.at(-1)).toBe(1_000_000);
    expect(MACHINE_SIZES.length).toBe(19);
  });

  it('machineLines encodes the machine in item % machines', () => {
    expect(machineLines(3, 1, 2)).toEqual([1, 3, 5]);
    expect(countByMachine([...machineLines(4, 0, 3), ...machineLines(2, 2, 3)], 3)).toEqual([
      4, 0, 2,
    ]);
  });

  it('quotas(k, m) splits k as evenly as possible', () => {
    expect(quotas(10, 3)).toEqual([4, 3, 3]);
    expect(quotas(2, 5)).toEqual([1, 1, 0, 0, 0]);
    expect(quotas(10, 5).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('machineSnapshots keeps min(k, n) lines of each machine, all from that machine', () => {
    const parts = machineSnapshots([3, 50, 1000], 10, createRng(1));
    expect(parts.map((p) => p.items.length)).toEqual([3, 10, 10]);
    expect(parts.map((p) => p.seen)).toEqual([3, 50, 1000]);
    parts.forEach((p, i) => {
      for (const item of p.items) expect(item % 3).toBe(i);
    });
  });

  it('mergeBy gives k items for uniform and pool, and rejects an unknown rule', () => {
    const parts = machineSnapshots([10, 1000, 100_000], 10, createRng(2));
    expect(mergeBy('uniform', parts, 10, createRng(3)).length).toBe(10);
    expect(mergeBy('pool', parts, 10, createRng(3)).length).toBe(10);
    expect(mergeBy('quota', parts, 10, createRng(3)).length).toBe(10);
    expect(() => mergeBy('bogus' as 'pool', parts, 10, createRng(3))).toThrow(/rule/);
  });

  it('mergeOnce with the same seed gives the same counts', () => {
    expect(mergeOnce([10, 1000, 100_000], 10, 4)).toEqual(mergeOnce([10, 1000, 100_000], 10, 4));
  });

  it('simulateMergeNow rejects an empty machine list and a zero size', () => {
    expect(() => simulateMergeNow([], 10, 10, 1)).toThrow(/at least one/);
    expect(() => simulateMergeNow([10, 0], 10, 10, 1)).toThrow(/sizes\[1\]/);
  });
});

describe('simulateMerge', () => {
  // Per machine, the merged items summed over the runs: for mergeUniform its mean is
  // trials · k · n_i / N; each run's count is hypergeometric with variance at most k · p(1 − p),
  // so 4 · sqrt(trials · k · p(1 − p)) (plus 1 for tiny means) bounds the deviation.
  const sizes = [10, 1000, 100_000];
  const k = 10;
  const trials = 3000;
  const sim = simulateMergeNow(sizes, k, trials, 7);
  const total = sizes.reduce((a, b) => a + b, 0);

  it('simulateMerge: mergeUniform gives each machine its share of k within 4 SE', () => {
    sizes.forEach((n, i) => {
      const p = n / total;
      const mean = trials * k * p;
      const sd = Math.sqrt(trials * k * p * (1 - p));
      expect(Math.abs(sim.totals.uniform[i] - mean)).toBeLessThan(4 * sd + 1);
    });
  });

  it('simulateMerge: the per-line chance under mergeUniform is k/N (busy machine within 5 %)', () => {
    const expected = expectedPerLine('uniform', sizes, k);
    expect(expected[0]).toBeCloseTo(k / total, 15);
    // The big machine carries almost all the weight: its per-line chance within 1 %.
    expect(sim.totals.uniform[2] / (trials * sizes[2]) / (k / total)).toBeCloseTo(1, 1);
  });

  it('simulateMerge: the naive rules are measurably unfair to the lines of busy machines', () => {
    const quota = sim.totals.quota.map((c, i) => c / (trials * sizes[i]));
    const pool = sim.totals.pool.map((c, i) => c / (trials * sizes[i]));
    // A line on the quiet machine is hundreds of times likelier to be kept than on the busy one.
    expect(quota[0] / quota[2]).toBeGreaterThan(1000);
    expect(pool[0] / pool[2]).toBeGreaterThan(1000);
    // And the simulation agrees with the naive rules' own expectations (4 SE on the busy machine).
    const exactQuota = expectedPerLine('quota', sizes, k);
    expect(sim.totals.quota[0]).toBe(trials * 4); // the quiet machine always gives its 4
    const exactPool = expectedPerLine('pool', sizes, k);
    const pBig = (exactPool[2] * sizes[2]) / k;
    const sdBig = Math.sqrt(trials * k * pBig * (1 - pBig));
    expect(Math.abs(sim.totals.pool[2] - trials * exactPool[2] * sizes[2])).toBeLessThan(4 * sdBig);
    expect(exactQuota[2]).toBeCloseTo(3 / 100_000, 12);
  });

  it('simulateMerge: with equal machines every rule is fair', () => {
    const equal = simulateMergeNow([500, 500, 500, 500], 8, 1000, 3);
    for (const rule of ['uniform', 'quota', 'pool'] as const) {
      const perMachine = equal.totals[rule];
      for (const c of perMachine)
        expect(Math.abs(c - 2000)).toBeLessThan(4 * Math.sqrt(1000 * 8 * 0.25 * 0.75) + 1);
    }
  });
});
