import { createRng } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogram } from './histogram.ts';

describe('histogram', () => {
  it('histogram([0, 0.5, 1], {bins: 2}) puts 0.5 and the maximum 1 in the last bin', () => {
    const h = histogram([0, 0.5, 1], { bins: 2 });
    expect(Array.from(h.edges)).toEqual([0, 0.5, 1]);
    expect(Array.from(h.counts)).toEqual([1, 2]);
    expect(h.underflow + h.overflow + h.nanCount).toBe(0);
  });

  it('histogram(x, {bins, min, max}) counts values outside the range as under/overflow', () => {
    const h = histogram([-5, -1, 0, 1, 2, 9, Number.POSITIVE_INFINITY, Number.NaN], {
      bins: 4,
      min: -1,
      max: 3,
    });
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 1]);
    expect(h.underflow).toBe(1);
    expect(h.overflow).toBe(2);
    expect(h.nanCount).toBe(1);
  });

  it('histogram(x) counts sum to x.length and each value lies inside its bin (property)', () => {
    const value = fc.oneof(
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 0.3),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 60 }),
        fc.integer({ min: 1, max: 17 }),
        fc.option(fc.tuple(fc.double({ min: -10, max: -1e-3 }), fc.double({ min: 1e-3, max: 10 }))),
        (x, bins, range) => {
          const opts = range ? { bins, min: range[0], max: range[1] } : { bins };
          const h = histogram(x, opts);
          let total = h.underflow + h.overflow + h.nanCount;
          for (const c of h.counts) total += c;
          expect(total).toBe(x.length);
          expect(h.edges.length).toBe(bins + 1);
          for (let i = 1; i <= bins; i++) expect(h.edges[i]).toBeGreaterThan(h.edges[i - 1]);
          // Recount with the edges alone: bin i is [edges[i], edges[i+1]), the last one closed.
          const recount = new Uint32Array(bins);
          for (const v of x) {
            if (!(v >= h.edges[0] && v <= h.edges[bins])) continue;
            let b = 0;
            while (b < bins - 1 && v >= h.edges[b + 1]) b++;
            recount[b]++;
          }
          expect(Array.from(h.counts)).toEqual(Array.from(recount));
        },
      ),
      { seed: 21 },
    );
  });

  it('histogram(normal sample, 10 bins over ±5) sums to n and peaks in the two middle bins', () => {
    const rng = createRng(3);
    const x = new Float32Array(10_000).map(() => rng.normal(0, 1));
    const h = histogram(x, { bins: 10, min: -5, max: 5 });
    expect(h.counts.reduce((a, b) => a + b, 0) + h.underflow + h.overflow).toBe(x.length);
    const top = Math.max(...h.counts);
    expect([h.counts[4], h.counts[5]]).toContain(top);
  });

  it('histogram(constant) widens the range to v ± 0.5; histogram([]) uses [0, 1]', () => {
    const h = histogram([2, 2, 2], { bins: 2 });
    expect(Array.from(h.edges)).toEqual([1.5, 2, 2.5]);
    expect(Array.from(h.counts)).toEqual([0, 3]);
    const e = histogram([], { bins: 4 });
    expect(Array.from(e.edges)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(e.counts)).toEqual([0, 0, 0, 0]);
  });

  it('histogram(x, {bins, min}) with only one bound takes the other from the data', () => {
    const h = histogram([1, 2, 3, 10], { bins: 2, min: 0 });
    expect(h.edges[0]).toBe(0);
    expect(h.edges[2]).toBe(10);
  });

  it('histogram(x, opts) rejects a bad bin count or an inverted range', () => {
    expect(() => histogram([1], { bins: 0 })).toThrow(/bins is 0/);
    expect(() => histogram([1], { bins: 1.5 })).toThrow(/bins is 1.5/);
    expect(() => histogram([1], { bins: 2, min: 3, max: 1 })).toThrow(/range \[3, 1\] is invalid/);
    expect(() => histogram([1], { bins: 2, min: Number.NaN, max: 1 })).toThrow(/invalid/);
    expect(() => histogram([0], { bins: 2, min: 0, max: 5e-324 })).toThrow(
      /cannot hold 2 distinct/,
    );
    expect(() => histogram([0], { bins: 2, min: -1e308, max: 1e308 })).toThrow(/cannot hold/);
  });
});
