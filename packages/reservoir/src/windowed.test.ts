import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateLogStream, type LogLine } from './log-stream.ts';
import { inclusionChiSquare } from './test-support.ts';
import { type WindowBatch, WindowedSampler } from './windowed.ts';

interface Event {
  id: number;
  key: string;
  must: boolean;
}

function run<T>(sampler: WindowedSampler<T>, items: T[], times: number[]): WindowBatch<T>[] {
  const out: WindowBatch<T>[] = [];
  items.forEach((item, i) => {
    out.push(...sampler.offer(item, times[i]));
  });
  out.push(...sampler.flush());
  return out;
}

describe('WindowedSampler', () => {
  it('offer(item, t) gives every position within a window the same chance (chi-square)', () => {
    // 20 items per 1 s window, k = 5, 20 000 windows: 5000 expected per position, p = 0.001.
    const sampler = new WindowedSampler<number>({ windowMs: 1000, k: 5, rng: createRng('win') });
    const counts = new Array<number>(20).fill(0);
    let windows = 0;
    const tally = (batches: WindowBatch<number>[]) => {
      for (const batch of batches) {
        windows++;
        expect(batch.seen).toBe(20);
        expect(batch.kept).toHaveLength(5);
        for (const kept of batch.kept) counts[kept.item]++;
      }
    };
    for (let w = 0; w < 20000; w++) {
      for (let j = 0; j < 20; j++) tally(sampler.offer(j, w * 1000 + j * 37.5));
    }
    tally(sampler.flush());
    expect(windows).toBe(20000);
    const { statistic, critical } = inclusionChiSquare(counts, 5000);
    expect(statistic).toBeLessThan(critical);
  });

  it('offer(item, t) keeps every must-keep item on top of k, with represents 1', () => {
    const sampler = new WindowedSampler<number>({
      windowMs: 100,
      k: 3,
      rng: createRng(1),
      mustKeep: (x) => x % 10 === 0,
    });
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const batches = run(
      sampler,
      items,
      items.map((i) => i),
    );
    expect(batches).toHaveLength(10);
    for (const batch of batches) {
      const forced = batch.kept.filter((k) => k.forced);
      expect(forced.map((k) => k.item)).toEqual(
        Array.from({ length: 10 }, (_, j) => batch.startMs + 10 * j),
      );
      for (const k of forced) expect(k.represents).toBe(1);
      expect(batch.kept.filter((k) => !k.forced)).toHaveLength(3);
      expect(batch.kept.reduce((sum, k) => sum + k.represents, 0)).toBeCloseTo(batch.seen, 9);
    }
  });

  it('offer(item, t) skips empty windows and returns a closed window once', () => {
    const sampler = new WindowedSampler<string>({ windowMs: 1000, k: 2, rng: createRng(2) });
    expect(sampler.offer('a', 100)).toEqual([]);
    expect(sampler.openWindowStartMs).toBe(0);
    const closed = sampler.offer('b', 5500);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ startMs: 0, endMs: 1000, key: undefined, seen: 1 });
    expect(closed[0].kept).toEqual([
      { item: 'a', index: 0, timeMs: 100, represents: 1, forced: false },
    ]);
    expect(sampler.offer('c', 5999.9)).toEqual([]);
    const last = sampler.flush();
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ startMs: 5000, endMs: 6000, seen: 2 });
    expect(sampler.flush()).toEqual([]);
    expect(sampler.openWindowStartMs).toBeUndefined();
  });

  it('offer(item, t) puts an item older than the open window into the open window', () => {
    const sampler = new WindowedSampler<string>({ windowMs: 1000, k: 5, rng: createRng(3) });
    sampler.offer('a', 1500);
    expect(sampler.offer('late', 1200)).toEqual([]);
    const closed = sampler.offer('b', 2500);
    expect(closed[0].kept.map((k) => k.item)).toEqual(['a', 'late']);
    expect(sampler.offer('skewed', 1800)).toEqual([]);
    const last = sampler.flush();
    expect(last[0]).toMatchObject({ startMs: 2000, endMs: 3000, seen: 2 });
    expect(last[0].kept[1]).toMatchObject({ item: 'skewed', timeMs: 1800 });
  });

  it('offer(item, t) aligns windows to multiples of windowMs, negative times included', () => {
    const sampler = new WindowedSampler<number>({ windowMs: 250, k: 1, rng: createRng(4) });
    sampler.offer(1, -10);
    const [batch] = sampler.offer(2, 260);
    expect([batch.startMs, batch.endMs]).toEqual([-250, 0]);
    expect(sampler.openWindowStartMs).toBe(250);
  });

  it('offer(item, t) keeps one reservoir per key, batches in order of first arrival', () => {
    const sampler = new WindowedSampler<LogLine>({
      windowMs: 1000,
      k: 2,
      rng: createRng(5),
      keyOf: (line) => line.level,
    });
    const line = (timeMs: number, level: LogLine['level']): LogLine => ({
      timeMs,
      level,
      service: 'api',
      message: 'm',
    });
    const lines = [
      line(1, 'INFO'),
      line(2, 'ERROR'),
      line(3, 'INFO'),
      line(4, 'INFO'),
      line(5, 'INFO'),
    ];
    const batches = run(
      sampler,
      lines,
      lines.map((l) => l.timeMs),
    );
    expect(batches.map((b) => [b.key, b.seen, b.kept.length])).toEqual([
      ['INFO', 4, 2],
      ['ERROR', 1, 1],
    ]);
    expect(batches[0].kept[0].represents).toBe(2);
  });

  it('offer(item, t) with weightOf keeps heavy items more often', () => {
    // 10 items per window, item 0 weighs 20, the rest 1, k = 1: item 0 is kept with probability
    // 20/29 = 0.69; 4000 windows, binomial sd 29, tolerance 5 sd.
    const sampler = new WindowedSampler<number>({
      windowMs: 10,
      k: 1,
      rng: createRng(6),
      weightOf: (x) => (x === 0 ? 20 : 1),
    });
    let heavy = 0;
    const items: number[] = [];
    const times: number[] = [];
    for (let w = 0; w < 4000; w++) {
      for (let j = 0; j < 10; j++) {
        items.push(j);
        times.push(w * 10 + j);
      }
    }
    for (const batch of run(sampler, items, times)) if (batch.kept[0].item === 0) heavy++;
    expect(Math.abs(heavy - (4000 * 20) / 29)).toBeLessThan(5 * 29);
  });

  it('offer(item, t) rejects a non-finite time or weight naming the item, losing nothing', () => {
    const sampler = new WindowedSampler<number>({
      windowMs: 10,
      k: 1,
      rng: createRng(7),
      weightOf: (x) => (x < 0 ? Number.NaN : 1),
    });
    sampler.offer(1, 0);
    expect(() => sampler.offer(2, Number.NaN)).toThrow(/timeMs of item 1 must be a finite/);
    expect(() => sampler.offer(-1, 50)).toThrow(/weightOf\(item 1\) must be a finite number > 0/);
    const [batch] = sampler.offer(3, 60);
    expect(batch).toMatchObject({ startMs: 0, seen: 1 });
    expect(batch.kept[0].item).toBe(1);
  });

  it('new WindowedSampler(options) rejects a bad windowMs, k or callback', () => {
    const rng = createRng(1);
    expect(() => new WindowedSampler({ windowMs: 0, k: 1, rng })).toThrow(/windowMs finite/);
    expect(() => new WindowedSampler({ windowMs: Number.NaN, k: 1, rng })).toThrow(/got NaN/);
    expect(() => new WindowedSampler({ windowMs: 1, k: -1, rng })).toThrow(/integer k/);
    expect(
      () => new WindowedSampler({ windowMs: 1, k: 1, rng, keyOf: 'x' as unknown as () => '' }),
    ).toThrow(/keyOf must be a function/);
  });

  it('a bursty log stream sampled per second never sends more than k + ERROR lines', () => {
    const lines = generateLogStream({
      rng: createRng(8),
      durationMs: 20000,
      baseRatePerSec: 50,
      bursts: [{ startMs: 5000, durationMs: 3000, ratePerSec: 5000 }],
    });
    const sampler = new WindowedSampler<LogLine>({
      windowMs: 1000,
      k: 20,
      rng: createRng(9),
      mustKeep: (line) => line.level === 'ERROR',
    });
    const batches: WindowBatch<LogLine>[] = [];
    let total = 0;
    let errors = 0;
    for (const line of lines) {
      total++;
      if (line.level === 'ERROR') errors++;
      batches.push(...sampler.offer(line, line.timeMs));
    }
    batches.push(...sampler.flush());
    expect(batches.reduce((s, b) => s + b.seen, 0)).toBe(total);
    expect(batches.flatMap((b) => b.kept).filter((k) => k.forced)).toHaveLength(errors);
    for (const batch of batches) {
      const sampled = batch.kept.filter((k) => !k.forced).length;
      expect(sampled).toBe(Math.min(20, batch.seen - (batch.kept.length - sampled)));
    }
    const burstBatch = batches.find((b) => b.startMs === 6000);
    expect(burstBatch?.seen).toBeGreaterThan(4000);
  });

  it('offer/flush: ≤ k sampled per window and key, subsequence, seeded (fast-check)', () => {
    const eventArb = fc.record({
      gapMs: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: -40, max: 0 })),
      key: fc.constantFrom('a', 'b', 'c'),
      must: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 300 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        fc.integer(),
        (raw, k, windowMs, weighted, seed) => {
          let t = 0;
          const events: Event[] = raw.map((e, id) => ({ id, key: e.key, must: e.must }));
          const times = raw.map((e) => {
            t += e.gapMs;
            return t;
          });
          const make = () =>
            new WindowedSampler<Event>({
              windowMs,
              k,
              rng: createRng(seed),
              keyOf: (e) => e.key,
              mustKeep: (e) => e.must,
              weightOf: weighted ? (e) => 1 + (e.id % 3) : undefined,
            });
          const batches = run(make(), events, times);
          expect(run(make(), events, times)).toEqual(batches);
          let seen = 0;
          const forcedIds: number[] = [];
          for (const batch of batches) {
            seen += batch.seen;
            const sampled = batch.kept.filter((x) => !x.forced);
            const forced = batch.kept.filter((x) => x.forced);
            expect(sampled.length).toBe(Math.min(k, batch.seen - forced.length));
            for (let i = 0; i < batch.kept.length; i++) {
              const kept = batch.kept[i];
              expect(kept.item).toBe(events[kept.index]);
              expect(kept.timeMs).toBe(times[kept.index]);
              expect(kept.item.key).toBe(batch.key);
              if (i > 0) expect(kept.index).toBeGreaterThan(batch.kept[i - 1].index);
            }
            forcedIds.push(...forced.map((x) => x.index));
          }
          expect(seen).toBe(events.length);
          expect(forcedIds.sort((a, b) => a - b)).toEqual(
            events.filter((e) => e.must).map((e) => e.id),
          );
        },
      ),
      { seed: 51, numRuns: 300 },
    );
  });
});
