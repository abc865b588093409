import { describe, expect, it } from 'vitest';
import { mix32, SplitMix32 } from './splitmix32.ts';

// Reference outputs from a C program (uint32_t z = (x += 0x9e3779b9); fmix32 constants
// 0x85ebca6b and 0xc2b2ae35), compiled with g++ on this machine.
const REFERENCE: Array<[number, number[]]> = [
  [0x00000000, [0x92ca2f0e, 0x3cd6e3f3, 0x1b147dcc, 0x4c081dbf, 0x487981ab, 0xdb408c9d]],
  [0x00000001, [0x96a0f96b, 0x12bc8390, 0x971e9964, 0x79adc7e7, 0x591c8dd8, 0xcd6587c9]],
  [0x0000002a, [0x3805ea2c, 0xeb5cd984, 0x1327aacb, 0xc5ba443d, 0x1f6f60bf, 0xa10cc271]],
  [0xffffffff, [0x36deb503, 0xfc2fb9b6, 0x2994c1b5, 0x6a06e134, 0x10b80437, 0x596d3e7f]],
];

describe('SplitMix32', () => {
  it.each(REFERENCE)('new SplitMix32(%d).next() x6 matches the C reference', (seed, outputs) => {
    const sm = new SplitMix32(seed);
    expect(outputs.map(() => sm.next())).toEqual(outputs);
  });

  it('new SplitMix32(s.state) continues the sequence of s', () => {
    const sm = new SplitMix32(42);
    sm.next();
    sm.next();
    const resumed = new SplitMix32(sm.state);
    expect(resumed.next()).toBe(0x1327aacb);
    expect(sm.next()).toBe(0x1327aacb);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'new SplitMix32(%d) throws, naming the allowed range',
    (seed) => {
      expect(() => new SplitMix32(seed)).toThrow(/integer in \[0, 2\^32 - 1\]/);
    },
  );
});

describe('mix32', () => {
  it('mix32(x) returns unsigned 32-bit integers and maps 0 to 0', () => {
    expect(mix32(0)).toBe(0);
    expect(mix32(0x9e3779b9)).toBe(0x92ca2f0e);
    expect(mix32(-1)).toBe(mix32(0xffffffff));
    expect(mix32(-1)).toBeGreaterThanOrEqual(0);
  });

  it('mix32(x) flips about half the output bits when one input bit flips', () => {
    let flipped = 0;
    let trials = 0;
    for (let x = 1; x < 2000; x++) {
      for (let bit = 0; bit < 32; bit++) {
        const d = (mix32(x) ^ mix32(x ^ (1 << bit))) >>> 0;
        flipped += popcount(d);
        trials++;
      }
    }
    // 64k trials of 32 bits: the mean is 16 with standard error about 0.01; tolerance 0.1.
    expect(Math.abs(flipped / trials - 16)).toBeLessThan(0.1);
  });
});

function popcount(x: number): number {
  let n = 0;
  while (x !== 0) {
    x &= x - 1;
    n++;
  }
  return n;
}
