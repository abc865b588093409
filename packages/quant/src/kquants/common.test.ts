import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  makeQpQuants,
  minK4,
  nearestInt,
  pack2Bit,
  packScaleMinK4,
  QK_K,
  scaleK4,
} from './common.ts';

// Round half to even on an exact (float32) value, written independently of the 12582912 trick.
function roundHalfEven(x: number): number {
  const fl = Math.floor(x);
  const frac = x - fl;
  if (frac > 0.5) return fl + 1;
  if (frac < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

describe('nearestInt', () => {
  it('nearestInt(x) rounds halves to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49999].map(nearestInt)).toEqual([
      0, 2, 2, 0, -2, -2, 3,
    ]);
  });

  it('nearestInt(x) equals round-half-to-even for every float32 with |x| < 2^22', () => {
    fc.assert(
      fc.property(fc.float({ min: -4194303, max: 4194303, noNaN: true }), (x) => {
        expect(nearestInt(x)).toBe(roundHalfEven(x) + 0);
      }),
      { seed: 11, numRuns: 5000 },
    );
  });

  it('nearestInt(x) at the edge of the range and beyond follows the bit trick', () => {
    expect(nearestInt(4194302.5)).toBe(4194302);
    expect(nearestInt(-4194304)).toBe(-4194304);
    // 2^23 + 12582912 = 1.25 * 2^24: mantissa 0x200000, minus 0x400000.
    expect(nearestInt(8388608)).toBe(-2097152);
    expect(nearestInt(Number.NaN)).toBe(0);
    expect(nearestInt(Number.POSITIVE_INFINITY)).toBe(-4194304);
  });
});

describe('6-bit scale/min packing (get_scale_min_k4)', () => {
  it('scaleK4/minK4 read back every value 0..63 packed at every position', () => {
    const ls = new Uint8Array(8);
    const lm = new Uint8Array(8);
    const q = new Uint8Array(14);
    for (let j = 0; j < 8; j++) {
      for (let v = 0; v < 64; v++) {
        for (let k = 0; k < 8; k++) {
          ls[k] = (v * 7 + k * 13) & 63;
          lm[k] = (v * 11 + k * 5 + 1) & 63;
        }
        ls[j] = v;
        lm[j] = 63 - v;
        q.fill(0xee);
        packScaleMinK4(q, 2, ls, lm);
        for (let k = 0; k < 8; k++) {
          expect(scaleK4(k, q, 2)).toBe(ls[k]);
          expect(minK4(k, q, 2)).toBe(lm[k]);
        }
        expect(q[0]).toBe(0xee);
        expect(q[1]).toBe(0xee);
      }
    }
  });

  it('packScaleMinK4 then scaleK4/minK4 is the identity for random 6-bit values', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8, max: 63 }),
        fc.uint8Array({ minLength: 8, maxLength: 8, max: 63 }),
        (ls, lm) => {
          const q = new Uint8Array(12);
          packScaleMinK4(q, 0, ls, lm);
          for (let k = 0; k < 8; k++) {
            expect([scaleK4(k, q, 0), minK4(k, q, 0)]).toEqual([ls[k], lm[k]]);
          }
        },
      ),
      { seed: 3 },
    );
  });
});

describe('pack2Bit', () => {
  it('pack2Bit(q, off, L) puts element 128h + 32s + l at bits 2s of byte 32h + l', () => {
    const L = new Uint8Array(QK_K);
    for (let i = 0; i < QK_K; i++) L[i] = (i * 37 + (i >> 5)) & 3;
    const q = new Uint8Array(65);
    pack2Bit(q, 1, L);
    for (let h = 0; h < 2; h++) {
      for (let s = 0; s < 4; s++) {
        for (let l = 0; l < 32; l++) {
          expect((q[1 + 32 * h + l] >> (2 * s)) & 3).toBe(L[128 * h + 32 * s + l]);
        }
      }
    }
  });
});

describe('makeQpQuants', () => {
  it('makeQpQuants(...) on all-zero input returns 0 and zero levels', () => {
    const L = new Uint8Array(8).fill(9);
    const d = makeQpQuants(8, 63, new Float32Array(8), L, new Float32Array(8).fill(1));
    expect(d).toBe(0);
    expect([...L]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('makeQpQuants(...) keeps levels within 0..nmax and d·L close to x for positive input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: Math.fround(0.01), max: 10, noNaN: true }), {
          minLength: 8,
          maxLength: 8,
        }),
        (xs) => {
          const x = Float32Array.from(xs);
          const L = new Uint8Array(8);
          const d = makeQpQuants(8, 63, x, L, new Float32Array(8).fill(1));
          const max = Math.max(...x);
          for (let i = 0; i < 8; i++) {
            expect(L[i]).toBeLessThanOrEqual(63);
            expect(Math.abs(d * L[i] - x[i])).toBeLessThanOrEqual(max / 63 + 1e-6);
          }
        },
      ),
      { seed: 5 },
    );
  });
});
