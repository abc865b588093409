import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chiSquare, chiSquareCritical001 } from './chi-square.ts';
import { createRng, createRngFromState, type Rng } from './rng.ts';
import type { RngState } from './state.ts';

const N = 100_000;

/** Sample mean, variance, skewness and kurtosis of n draws. */
function moments(draw: () => number, n = N) {
  const xs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    xs[i] = draw();
    sum += xs[i];
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { xs, mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

function fractionBelow(xs: Float64Array, limit: number): number {
  let count = 0;
  for (const x of xs) if (x < limit) count++;
  return count / xs.length;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function floats(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.float();
  return out;
}

/** A mixed sequence of calls, so a round trip is checked on every method at once. */
function mixedDraws(rng: Rng, count: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      rng.nextUint32(),
      rng.float(),
      rng.int(-3, 1e12),
      rng.normal(),
      rng.poisson(i % 2 === 0 ? 2.5 : 250),
      rng.exponential(3),
      rng.lognormal(1, 0.25),
      rng.bernoulli(0.5),
      rng.shuffle([1, 2, 3, 4, 5]),
    );
  }
  return out;
}

const WORDS_1234: RngState = {
  algorithm: 'xoshiro128**',
  version: 1,
  key: [0, 0, 0, 0],
  words: [1, 2, 3, 4],
  spareNormal: null,
};

describe('createRng', () => {
  it('createRng(seed) gives the same sequence for the same seed (pinned values)', () => {
    // Changing these outputs changes every seeded figure on the site.
    const a = createRng(12345);
    expect([a.nextUint32(), a.nextUint32(), a.nextUint32(), a.nextUint32()]).toEqual([
      0x247b2bd2, 0xf821aca0, 0xd76765e6, 0xd87c2bfc,
    ]);
    const b = createRng('explorables');
    expect([b.nextUint32(), b.nextUint32(), b.nextUint32(), b.nextUint32()]).toEqual([
      0xb57aa28e, 0x4965a4b2, 0x8b950900, 0xee9cd6d4,
    ]);
    expect(mixedDraws(createRng('same'), 20)).toEqual(mixedDraws(createRng('same'), 20));
  });

  it('createRng(1) and createRng(2) give uncorrelated streams (|r| < 0.03, 10k floats)', () => {
    expect(
      Math.abs(correlation(floats(createRng(1), 10_000), floats(createRng(2), 10_000))),
    ).toBeLessThan(0.03);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])(
    'createRng(%d) throws asking for a finite seed',
    (seed) => {
      expect(() => createRng(seed)).toThrow(/seed must be a finite number or a string/);
    },
  );
});

describe('nextUint32 and float', () => {
  it('nextUint32() and float() from state [1, 2, 3, 4] use the C reference outputs', () => {
    expect(createRngFromState(WORDS_1234).nextUint32()).toBe(0x00002d00);
    const rng = createRngFromState(WORDS_1234);
    // float() = (first >>> 5) * 2^26 + (second >>> 6), over 2^53: outputs 0x2d00 then 0.
    expect(rng.float()).toBe(((0x2d00 >>> 5) * 2 ** 26) / 2 ** 53);
    expect(rng.float()).toBe(((0x005a7080 >>> 5) * 2 ** 26 + (0x04389d80 >>> 6)) / 2 ** 53);
  });

  it('float() stays in [0, 1); 100k draws: mean 1/2 +- 0.005, variance 1/12 +- 0.0015', () => {
    const rng = createRng('float');
    const m = moments(() => rng.float());
    expect(Math.min(...m.xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...m.xs)).toBeLessThan(1);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.0015);
    const counts = new Array<number>(20).fill(0);
    for (const x of m.xs) counts[Math.floor(x * 20)]++;
    expect(chiSquare(counts, new Array(20).fill(N / 20))).toBeLessThan(chiSquareCritical001(19));
  });

  it('float() fills its low bits (bit 2^-53 set about half the time)', () => {
    const rng = createRng('low bits');
    let set = 0;
    for (let i = 0; i < 10_000; i++) if ((rng.float() * 2 ** 53) % 2 === 1) set++;
    // Binomial(10k, 1/2): standard deviation 50; tolerance 250.
    expect(Math.abs(set - 5000)).toBeLessThan(250);
  });
});

describe('distributions', () => {
  it('bernoulli(0.3) is true 0.3 +- 0.0075 of 100k draws; p = 0 and p = 1 are certain', () => {
    const rng = createRng('bernoulli');
    let hits = 0;
    for (let i = 0; i < N; i++) if (rng.bernoulli(0.3)) hits++;
    expect(Math.abs(hits / N - 0.3)).toBeLessThan(0.0075);
    let zeros = 0;
    let ones = 0;
    for (let i = 0; i < 10_000; i++) {
      if (rng.bernoulli(0)) zeros++;
      if (rng.bernoulli(1)) ones++;
    }
    expect([zeros, ones]).toEqual([0, 10_000]);
  });

  it('exponential(2) over 100k draws has mean 0.5, variance 0.25 and P(X > 0.5) = 1/e', () => {
    // Tolerances are about 5 standard errors: 0.008, 0.012 and 0.0076.
    const rng = createRng('exponential');
    const m = moments(() => rng.exponential(2));
    expect(Math.min(...m.xs)).toBeGreaterThanOrEqual(0);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.008);
    expect(Math.abs(m.variance - 0.25)).toBeLessThan(0.012);
    expect(Math.abs(1 - fractionBelow(m.xs, 0.5) - Math.exp(-1))).toBeLessThan(0.0076);
  });

  it('normal(3, 2) over 100k draws has mean 3, variance 4, skewness 0 and kurtosis 3', () => {
    // Tolerances are about 5 standard errors: 0.032, 0.09, 0.04 and 0.08.
    const rng = createRng('normal');
    const m = moments(() => rng.normal(3, 2));
    expect(Math.abs(m.mean - 3)).toBeLessThan(0.032);
    expect(Math.abs(m.variance - 4)).toBeLessThan(0.09);
    expect(Math.abs(m.skewness)).toBeLessThan(0.04);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.08);
    // P(|X - mean| < sd) = 0.6827; binomial standard error 0.0015, tolerance 0.0074.
    expect(Math.abs(fractionBelow(m.xs, 5) - fractionBelow(m.xs, 1) - 0.6827)).toBeLessThan(0.0074);
  });

  it('normal() defaults to mean 0 and sd 1; normal(5, 0) is exactly 5', () => {
    const rng = createRng('normal defaults');
    const m = moments(() => rng.normal(), 50_000);
    expect(Math.abs(m.mean)).toBeLessThan(0.025);
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.035);
    expect(rng.normal(5, 0)).toBe(5);
  });

  it('normal() consecutive draws of a pair are uncorrelated (|r| < 0.03 over 10k pairs)', () => {
    const rng = createRng('normal pairs');
    const first = new Float64Array(10_000);
    const second = new Float64Array(10_000);
    for (let i = 0; i < 10_000; i++) {
      first[i] = rng.normal();
      second[i] = rng.normal();
    }
    expect(Math.abs(correlation(first, second))).toBeLessThan(0.03);
    // The squares are independent too (a wrong spare can correlate magnitudes, not signs).
    expect(
      Math.abs(
        correlation(
          first.map((x) => x * x),
          second.map((x) => x * x),
        ),
      ),
    ).toBeLessThan(0.03);
  });

  it('lognormal(0, 0.5) over 100k draws has mean e^0.125, variance 0.3647 and median 1', () => {
    // Tolerances are about 5 standard errors: 0.01, 0.02 and 0.008.
    const rng = createRng('lognormal');
    const m = moments(() => rng.lognormal(0, 0.5));
    expect(Math.min(...m.xs)).toBeGreaterThan(0);
    expect(Math.abs(m.mean - Math.exp(0.125))).toBeLessThan(0.01);
    expect(Math.abs(m.variance - (Math.exp(0.25) - 1) * Math.exp(0.25))).toBeLessThan(0.02);
    expect(Math.abs(fractionBelow(m.xs, 1) - 0.5)).toBeLessThan(0.008);
  });

  it.each<[string, (rng: Rng) => unknown, RegExp]>([
    ['bernoulli(-0.1)', (r) => r.bernoulli(-0.1), /0 <= p <= 1, got -0.1/],
    ['bernoulli(1.5)', (r) => r.bernoulli(1.5), /0 <= p <= 1, got 1.5/],
    ['bernoulli(NaN)', (r) => r.bernoulli(Number.NaN), /got NaN/],
    ['exponential(0)', (r) => r.exponential(0), /finite rate > 0.*got 0/],
    ['exponential(-1)', (r) => r.exponential(-1), /finite rate > 0/],
    ['exponential(NaN)', (r) => r.exponential(Number.NaN), /got NaN/],
    ['exponential(Infinity)', (r) => r.exponential(Number.POSITIVE_INFINITY), /got Infinity/],
    ['normal(NaN, 1)', (r) => r.normal(Number.NaN, 1), /finite mean, got NaN/],
    ['normal(0, -1)', (r) => r.normal(0, -1), /finite sd >= 0, got -1/],
    ['normal(0, Infinity)', (r) => r.normal(0, Number.POSITIVE_INFINITY), /finite sd >= 0/],
    ['lognormal(Infinity, 1)', (r) => r.lognormal(Number.POSITIVE_INFINITY, 1), /finite mu/],
    ['lognormal(0, NaN)', (r) => r.lognormal(0, Number.NaN), /finite sigma >= 0, got NaN/],
    ['pick([])', (r) => r.pick([]), /non-empty array/],
  ])('%s throws a clear Error', (_, call, message) => {
    expect(() => call(createRng(1))).toThrow(message);
  });
});

describe('shuffle and pick', () => {
  it('shuffle(array) returns the same array holding a permutation of its elements', () => {
    const rng = createRng('shuffle property');
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        const array = [...values];
        expect(rng.shuffle(array)).toBe(array);
        expect([...array].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });

  it('shuffle([0, 1, 2]) over 60k shuffles gives all 6 orders equally (chi-square df 5)', () => {
    const rng = createRng('shuffle orders');
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = rng.shuffle([0, 1, 2]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    expect(chiSquare([...counts.values()], new Array(6).fill(10_000))).toBeLessThan(
      chiSquareCritical001(5),
    );
  });

  it('shuffle(10 elements) moves element 0 to each position equally (chi-square df 9)', () => {
    const rng = createRng('shuffle positions');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) {
      counts[rng.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).indexOf(0)]++;
    }
    expect(chiSquare(counts, new Array(10).fill(5000))).toBeLessThan(chiSquareCritical001(9));
  });

  it('shuffle(typed array), shuffle([]) and shuffle([x]) work in place', () => {
    const rng = createRng('shuffle edges');
    const typed = Float64Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(rng.shuffle(typed)).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rng.shuffle([])).toEqual([]);
    expect(rng.shuffle(['only'])).toEqual(['only']);
  });

  it('pick(array) over 50k picks chooses each of 5 elements equally (chi-square df 4)', () => {
    const rng = createRng('pick');
    const items = ['a', 'b', 'c', 'd', 'e'];
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[items.indexOf(rng.pick(items))]++;
    expect(chiSquare(counts, new Array(5).fill(10_000))).toBeLessThan(chiSquareCritical001(4));
    expect(rng.pick(['solo'])).toBe('solo');
  });
});

describe('state and createRngFromState', () => {
  it('createRngFromState(JSON round trip of state()) continues the identical sequence', () => {
    const rng = createRng('round trip');
    mixedDraws(rng, 7);
    const saved = JSON.stringify(rng.state());
    const resumed = createRngFromState(JSON.parse(saved));
    expect(mixedDraws(resumed, 50)).toEqual(mixedDraws(rng, 50));
  });

  it('state() includes a pending normal spare, and the resumed generator returns it next', () => {
    const rng = createRng('spare');
    rng.float();
    const first = rng.normal();
    const state = rng.state();
    expect(state.spareNormal).not.toBeNull();
    const resumed = createRngFromState(JSON.parse(JSON.stringify(state)));
    const spare = rng.normal();
    expect(resumed.normal()).toBe(spare);
    expect(spare).not.toBe(first);
    // Consuming the spare draws nothing: the words are those saved.
    expect(resumed.state().words).toEqual(state.words);
    expect(resumed.state().spareNormal).toBeNull();
    expect(mixedDraws(resumed, 10)).toEqual(mixedDraws(rng, 10));
  });

  it('normal(mean, sd) scales the cached spare by its own arguments', () => {
    const a = createRng('spare scaling');
    const b = createRng('spare scaling');
    a.normal(0, 1);
    b.normal(100, 50);
    expect(b.normal(-7, 3)).toBeCloseTo(-7 + 3 * a.normal(), 12);
  });

  it('state() returns a fresh plain object that later draws do not change', () => {
    const rng = createRng('fresh state');
    const state = rng.state();
    const copy = JSON.parse(JSON.stringify(state));
    rng.nextUint32();
    rng.normal();
    expect(state).toEqual(copy);
    state.words[0] ^= 1;
    expect(rng.state().words).not.toEqual(state.words);
  });

  it('createRngFromState(state with all-zero words) throws saying the state is all zero', () => {
    expect(() => createRngFromState({ ...WORDS_1234, words: [0, 0, 0, 0] })).toThrow(
      /rng state.words is all zero/,
    );
  });
});

describe('child', () => {
  it('child(index) is the same stream however much the parent was used', () => {
    const rng = createRng('parent');
    const before = floats(rng.child(3), 20);
    mixedDraws(rng, 25);
    expect(floats(rng.child(3), 20)).toEqual(before);
    const resumed = createRngFromState(JSON.parse(JSON.stringify(rng.state())));
    expect(floats(resumed.child(3), 20)).toEqual(before);
  });

  it('child(index) does not advance the parent', () => {
    const a = createRng('no advance');
    const b = createRng('no advance');
    a.child('x').float();
    a.child(7);
    expect(mixedDraws(a, 5)).toEqual(mixedDraws(b, 5));
  });

  it.each<[string, (root: Rng) => [Rng, Rng]]>([
    ['child(1) vs child(2)', (r) => [r.child(1), r.child(2)]],
    ['child(0) vs child("0")', (r) => [r.child(0), r.child('0')]],
    ['parent vs child(0)', (r) => [r, r.child(0)]],
    ['child("a") vs child("b")', (r) => [r.child('a'), r.child('b')]],
    ['child("a").child(1) vs child(1)', (r) => [r.child('a').child(1), r.child(1)]],
    ['child(1).child(1) vs child(1)', (r) => [r.child(1).child(1), r.child(1)]],
  ])('%s give uncorrelated streams (|r| < 0.03 over 10k floats)', (_, make) => {
    const [a, b] = make(createRng('children'));
    const xa = floats(a, 10_000);
    const xb = floats(b, 10_000);
    expect(xa).not.toEqual(xb);
    // For independent streams |r| has standard deviation 0.01; 0.03 is three of them.
    expect(Math.abs(correlation(xa, xb))).toBeLessThan(0.03);
  });

  it('child(i) for 1000 indices starts 1000 different streams', () => {
    const rng = createRng('many children');
    const firsts = new Set<number>();
    for (let i = 0; i < 1000; i++) firsts.add(rng.child(i).nextUint32());
    expect(firsts.size).toBe(1000);
  });

  it('child(NaN) throws naming the child index', () => {
    expect(() => createRng(1).child(Number.NaN)).toThrow(/child index must be a finite number/);
  });
});
