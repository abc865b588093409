import { createRng, type Rng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { log1mExp, ReservoirL } from './algorithm-l.ts';
import { expectedDrawsL, expectedWrites } from './expected.ts';
import { scriptedRng } from './test-support.ts';

const MILLION = Array.from({ length: 1e6 }, (_, i) => i);

describe('ReservoirL', () => {
  it('nextKeptIndex names the next kept item; items before it are skipped without draws', () => {
    const l = new ReservoirL<number>(5, createRng(1)); // 30 jumps reach about 5·e^6 items
    for (let i = 0; i < 5; i++) {
      expect(l.nextKeptIndex).toBe(i);
      l.offer(i);
    }
    let i = 5;
    for (let jumps = 0; jumps < 30; jumps++) {
      const target = l.nextKeptIndex;
      expect(target).toBeGreaterThan(i - 1);
      const draws = l.draws;
      for (; i < target; i++) expect(l.offer(i).kept).toBe(false);
      expect(l.draws).toBe(draws);
      expect(l.offer(i).kept).toBe(true);
      expect(l.draws).toBe(draws + 3);
      i++;
    }
  });

  it('offerAll(1e6 items, k = 100) draws 2 + 3k(H(n) − H(k)) on average (200 seeded runs)', () => {
    // Per run, draws = 2 + 3 × replacements and replacements has sd ≈ sqrt(921) ≈ 30, so the mean
    // of 200 runs has sd ≈ 3 · 30 / sqrt(200) ≈ 6.4; tolerance 5 sd = 32 around 2765.6.
    const rng = createRng('draws of L');
    let draws = 0;
    let writes = 0;
    for (let t = 0; t < 200; t++) {
      const l = new ReservoirL<number>(100, rng);
      l.offerAll(MILLION);
      draws += l.draws;
      writes += l.writes;
    }
    expect(Math.abs(draws / 200 - expectedDrawsL(1e6, 100))).toBeLessThan(32);
    // Writes (fills + replacements) average k(1 + H(n) − H(k)), tolerance 5 sd = 11; the essay's
    // rule of thumb k(1 + ln(n/k)) = 1021.0 is within 1% of it.
    expect(Math.abs(writes / 200 - expectedWrites(1e6, 100))).toBeLessThan(11);
    expect(Math.abs(writes / 200 / (100 * (1 + Math.log(1e4))) - 1)).toBeLessThan(0.01);
    // Against Algorithm R's n − k = 999 900 draws.
    expect(draws / 200).toBeLessThan(999900 / 300);
  });

  it('offerAll(array) only reads the array at jump targets', () => {
    const reads: number[] = [];
    const proxy = new Proxy(MILLION, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.push(Number(key));
        return Reflect.get(target, key, receiver);
      },
    });
    const l = new ReservoirL<number>(10, createRng(2));
    l.offerAll(proxy);
    expect(reads.length).toBe(l.writes);
    expect(reads.length).toBeLessThan(300);
    expect(l.seen).toBe(1e6);
  });

  it('log1mExp(x) is accurate near 0 and for very negative x', () => {
    expect(log1mExp(Math.log(0.25))).toBeCloseTo(Math.log(0.75), 15);
    expect(log1mExp(-1e-20)).toBeCloseTo(Math.log(1e-20), 10);
    expect(log1mExp(-50)).toBeCloseTo(-Math.exp(-50), 30);
    expect(log1mExp(-800)).toBe(-0);
  });

  it('a uniform u just below 1 (W ≈ 1) keeps the very next item', () => {
    const almostOne = 1 - 2 ** -53;
    const l = new ReservoirL<number>(1, scriptedRng([almostOne]) as unknown as Rng);
    l.offer(0);
    expect(l.nextKeptIndex).toBe(1);
    expect(l.offer(1).kept).toBe(true);
  });

  it('a tiny u (W ≈ 0) pushes the next kept index to Infinity instead of overflowing', () => {
    const l = new ReservoirL<number>(2, scriptedRng([1e-300]) as unknown as Rng);
    l.offerAll([0, 1, 2, 3]);
    expect(l.nextKeptIndex).toBe(Number.POSITIVE_INFINITY);
    l.offerAll(MILLION);
    expect(l.indices()).toEqual([0, 1]);
    expect(l.seen).toBe(1e6 + 4);
  });

  it('a float of exactly 0 is redrawn, so log(0) never reaches the jump', () => {
    const rng = scriptedRng([0, 0, 0.5]);
    const l = new ReservoirL<number>(1, rng as unknown as Rng);
    l.offer(0);
    expect(Number.isFinite(l.nextKeptIndex)).toBe(true);
    expect(rng.used).toBeGreaterThanOrEqual(4);
  });
});
