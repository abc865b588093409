import { bitsPerKeyFor } from '@explorables/bloom';
import { describe, expect, it } from 'vitest';
import { BenchCancelled, FUSE8_RATE, randomKeys, runFuseBench } from './fuse-bench.ts';

// A fake clock: every reading advances 1 ms, so timings are positive and deterministic.
function fakeClock(): () => number {
  let t = 0;
  return () => ++t;
}

describe('fuse benchmark', () => {
  it('randomKeys(count, seed, prefix) is reproducible, distinct and prefixed', () => {
    const a = randomKeys(5000, 3, 'p');
    expect(a).toEqual(randomKeys(5000, 3, 'p'));
    expect(new Set(a).size).toBe(5000);
    expect(a.every((k) => k.startsWith('p') && k.length === 9)).toBe(true);
    expect(randomKeys(0, 1, 'p')).toEqual([]);
    expect(() => randomKeys(-1, 1, 'p')).toThrow(/count/);
  });

  it('runFuseBench measures both filters with no false negatives and rates near 1/256', () => {
    const phases: string[] = [];
    let last = 0;
    const r = runFuseBench({
      keyCount: 50_000,
      queryCount: 200_000,
      seed: 1,
      now: fakeClock(),
      onProgress: (fraction, phase) => {
        expect(fraction).toBeGreaterThanOrEqual(last);
        last = fraction;
        phases.push(phase);
      },
    });
    expect(last).toBe(1);
    expect(phases).toContain('querying');
    expect(r.bloom.presentHits).toBe(200_000);
    expect(r.fuse.presentHits).toBe(200_000);
    // 200 000 absent keys at p = 1/256 expect 781 hits, sd ≈ 28: ±25% is more than 6 sd.
    expect(r.bloom.falsePositiveRate).toBeGreaterThan(FUSE8_RATE * 0.75);
    expect(r.bloom.falsePositiveRate).toBeLessThan(FUSE8_RATE * 1.25);
    expect(r.fuse.falsePositiveRate).toBeGreaterThan(FUSE8_RATE * 0.75);
    expect(r.fuse.falsePositiveRate).toBeLessThan(FUSE8_RATE * 1.25);
    expect(r.lowerBoundBitsPerKey).toBe(8);
    expect(r.absentKeyCount).toBe(200_000);
    expect(r.bloom.falsePositives).toBe(Math.round(r.bloom.falsePositiveRate * 200_000));
    // Bloom ≈ 1.44·8 = 11.5 bits per key; fuse ≈ 9: both above the bound, fuse the smaller.
    expect(r.bloom.bitsPerKey).toBeCloseTo(bitsPerKeyFor(FUSE8_RATE), 1);
    expect(r.fuse.bitsPerKey).toBeGreaterThan(8);
    expect(r.fuse.bitsPerKey).toBeLessThan(r.bloom.bitsPerKey);
    expect(r.bloom.buildMs).toBeGreaterThan(0);
    expect(r.fuse.absentQueriesPerSecond).toBeGreaterThan(0);
  });

  it('runFuseBench stops with BenchCancelled when shouldStop() turns true', () => {
    let calls = 0;
    expect(() =>
      runFuseBench({
        keyCount: 10_000,
        queryCount: 100_000,
        seed: 1,
        now: fakeClock(),
        shouldStop: () => ++calls > 2,
      }),
    ).toThrow(BenchCancelled);
  });

  it('runFuseBench rejects a key or query count below 1', () => {
    expect(() => runFuseBench({ keyCount: 0, queryCount: 10, seed: 1, now: fakeClock() })).toThrow(
      /keyCount/,
    );
    expect(() =>
      runFuseBench({ keyCount: 10, queryCount: Number.NaN, seed: 1, now: fakeClock() }),
    ).toThrow(/queryCount/);
  });
});
