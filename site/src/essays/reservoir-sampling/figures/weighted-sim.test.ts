import { describe, expect, it } from 'vitest';
import {
  demoLogLines,
  exactInclusion,
  levelShares,
  runWeighted,
  simulateWeighted,
  weightOf,
} from './weighted-sim.ts';

/** Brute force: every ordered draw sequence of k out of the weights, summed per item. */
function bruteInclusion(weights: number[], k: number): number[] {
  const out = weights.map(() => 0);
  const visit = (taken: boolean[], left: number, p: number) => {
    if (left === 0) {
      taken.forEach((t, i) => {
        if (t) out[i] += p;
      });
      return;
    }
    const rest = weights.reduce((a, w, i) => a + (taken[i] ? 0 : w), 0);
    weights.forEach((w, i) => {
      if (taken[i]) return;
      const next = taken.slice();
      next[i] = true;
      visit(next, left - 1, (p * w) / rest);
    });
  };
  visit(
    weights.map(() => false),
    Math.min(k, weights.length),
    1,
  );
  return out;
}

describe('exactInclusion', () => {
  it('exactInclusion with k = 1 is exactly w_i / W', () => {
    const [other, error] = exactInclusion(
      [
        { count: 7, weight: 1 },
        { count: 2, weight: 10 },
      ],
      1,
    );
    expect(other).toBeCloseTo(1 / 27, 14);
    expect(error).toBeCloseTo(10 / 27, 14);
  });

  it('exactInclusion matches a brute-force enumeration of draw orders', () => {
    const weights = [1, 1, 1, 1, 4, 4];
    const brute = bruteInclusion(weights, 3);
    const [one, four] = exactInclusion(
      [
        { count: 4, weight: 1 },
        { count: 2, weight: 4 },
      ],
      3,
    );
    expect(one).toBeCloseTo(brute[0], 12);
    expect(four).toBeCloseTo(brute[4], 12);
  });

  it('exactInclusion gives k/n for equal weights and sums to k over all lines', () => {
    const classes = [
      { count: 30, weight: 1 },
      { count: 5, weight: 1 },
    ];
    const [a, b] = exactInclusion(classes, 7);
    expect(a).toBeCloseTo(7 / 35, 12);
    expect(b).toBeCloseTo(7 / 35, 12);
    const [c, d] = exactInclusion(
      [
        { count: 30, weight: 1 },
        { count: 5, weight: 25 },
      ],
      7,
    );
    expect(30 * c + 5 * d).toBeCloseTo(7, 10);
    expect(d).toBeGreaterThan(c);
  });

  it('exactInclusion keeps everything when k ≥ n and handles empty classes', () => {
    expect(exactInclusion([{ count: 3, weight: 2 }], 5)).toEqual([1]);
    expect(
      exactInclusion(
        [
          { count: 0, weight: 2 },
          { count: 2, weight: 1 },
        ],
        1,
      ),
    ).toEqual([0, 0.5]);
  });

  it('exactInclusion rejects a zero weight, NaN count and negative k', () => {
    expect(() => exactInclusion([{ count: 1, weight: 0 }], 1)).toThrow(/weight/);
    expect(() => exactInclusion([{ count: Number.NaN, weight: 1 }], 1)).toThrow(/count/);
    expect(() => exactInclusion([{ count: 1, weight: 1 }], -1)).toThrow(/k >= 0/);
  });
});

describe('simulateWeighted', () => {
  const lines = demoLogLines(5, 40);
  const errors = lines.filter((l) => l.level === 'ERROR').length;

  it('demoLogLines(5, 40) gives 40 lines with a few ERROR lines among them', () => {
    expect(lines.length).toBe(40);
    expect(errors).toBeGreaterThanOrEqual(2);
    expect(errors).toBeLessThan(10);
    expect(demoLogLines(5, 0)).toEqual([]);
    expect(() => demoLogLines(5, -1)).toThrow(/count >= 0/);
  });

  // Each level's simulated share is the mean over runs of the mean of its lines' indicators; that
  // per-run mean has variance at most p(1 − p) whatever the correlation between lines, so
  // 4 · sqrt(p(1 − p) / trials) bounds the error at better than 1 in 10,000 per check.
  for (const method of ['a-expj', 'a-res'] as const) {
    for (const k of [1, 5]) {
      it(`simulateWeighted(${method}, k = ${k}) matches exactInclusion per level within 4 SE`, () => {
        const w = 20;
        const trials = 6000;
        const weights = lines.map((l) => weightOf(l, w));
        const sim = simulateWeighted(weights, k, method, trials, 3);
        const total = sim.counts.reduce((a, b) => a + b, 0);
        expect(total).toBe(trials * k);
        for (const share of levelShares(lines, sim, w, k)) {
          if (share.lines === 0) continue;
          const p = share.exact;
          expect(Math.abs(share.simulated - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / trials));
        }
      });
    }
  }

  it('simulateWeighted: a wrong theory (uniform k/n) is rejected by the same check', () => {
    const trials = 6000;
    const sim = simulateWeighted(
      lines.map((l) => weightOf(l, 20)),
      5,
      'a-expj',
      trials,
      3,
    );
    const error = levelShares(lines, sim, 20, 5).find((s) => s.level === 'ERROR');
    const p = 5 / 40;
    expect(Math.abs((error?.simulated ?? 0) - p)).toBeGreaterThan(
      4 * Math.sqrt((p * (1 - p)) / trials),
    );
  });

  it('simulateWeighted: ERROR lines are kept far more often than k/n when w = 20', () => {
    const sim = simulateWeighted(
      lines.map((l) => weightOf(l, 20)),
      5,
      'a-expj',
      2000,
      1,
    );
    const error = levelShares(lines, sim, 20, 5).find((s) => s.level === 'ERROR');
    expect(error?.simulated).toBeGreaterThan(3 * (5 / 40));
  });

  it('simulateWeighted: A-ExpJ uses fewer random draws than A-Res', () => {
    const weights = lines.map((l) => weightOf(l, 5));
    const expj = simulateWeighted(weights, 3, 'a-expj', 500, 1);
    const res = simulateWeighted(weights, 3, 'a-res', 500, 1);
    expect(res.meanDraws).toBe(40);
    expect(expj.meanDraws).toBeLessThan(res.meanDraws);
  });
});

describe('runWeighted', () => {
  it('runWeighted keeps k lines, keys sorted and all at or above the threshold', () => {
    const lines = demoLogLines(5, 40);
    const run = runWeighted(lines, 20, 5, 1, 'a-expj');
    expect(run.kept.length).toBe(5);
    for (let i = 1; i < run.kept.length; i++) {
      expect(run.kept[i].logKey).toBeLessThanOrEqual(run.kept[i - 1].logKey);
    }
    expect(run.thresholdLogKey).toBe(run.kept.at(-1)?.logKey);
    expect(run).toEqual(runWeighted(lines, 20, 5, 1, 'a-expj'));
  });
});
