import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { ReservoirR } from './algorithm-r.ts';
import { expectedDrawsR } from './expected.ts';

describe('ReservoirR', () => {
  it('offerAll(n items) draws exactly n − k random numbers', () => {
    const r = new ReservoirR<number>(10, createRng(1));
    r.offerAll(Array.from({ length: 12345 }, (_, i) => i));
    expect(r.draws).toBe(12335);
    expect(r.draws).toBe(expectedDrawsR(12345, 10));
  });

  it('offer() keeps item n with probability k/(n + 1) (position 99 of 100, k = 10)', () => {
    // 40 000 seeded trials, expected 4000 keeps, binomial sd 60: tolerance 5 sd = 300.
    const rng = createRng('last position');
    let kept = 0;
    for (let t = 0; t < 40000; t++) {
      const r = new ReservoirR<number>(10, rng);
      for (let i = 0; i < 99; i++) r.offerSlot(i);
      if (r.offer(99).kept) kept++;
    }
    expect(Math.abs(kept - 4000)).toBeLessThan(300);
  });

  it('offerSlot(item) returns the slot like offer(item).slot', () => {
    const a = new ReservoirR<number>(3, createRng(9));
    const b = new ReservoirR<number>(3, createRng(9));
    for (let i = 0; i < 500; i++) expect(a.offerSlot(i)).toBe(b.offer(i).slot);
  });
});
