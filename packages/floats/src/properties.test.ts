import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBits } from './decode.ts';
import { enumerate } from './enumerate.ts';
import { type FloatFormat, FORMATS, formatByName } from './formats.ts';
import { inspect } from './inspect.ts';
import { nextDown, nextUp } from './neighbours.ts';
import { compare, compareMagnitude } from './rational.ts';
import { maxFinite, type RoundingMode, round, toBits } from './round.ts';

const SMALL = FORMATS.filter((f) => f.totalBits <= 8);
const WIDE = ['fp16', 'bf16', 'fp32', 'fp64'].map(formatByName);

function bitsOf(f: FloatFormat): fc.Arbitrary<bigint> {
  return fc.bigInt({ min: 0n, max: (1n << BigInt(f.totalBits)) - 1n });
}

describe('properties', () => {
  it('toBits(format, fromBits(format, b).decimal) === b for every non-NaN pattern of ≤ 8-bit formats', () => {
    for (const f of SMALL) {
      for (const v of enumerate(f)) {
        if (v.class === 'nan') continue;
        expect(toBits(f, v.decimal), `${f.name} ${v.bits}`).toBe(v.bits);
        expect(toBits(f, v.number), `${f.name} ${v.bits}`).toBe(v.bits);
      }
    }
  });

  it('toBits(format, fromBits(format, b).decimal) === b for random patterns of fp16, bf16, fp32, fp64', () => {
    for (const f of WIDE) {
      fc.assert(
        fc.property(bitsOf(f), (b) => {
          const v = fromBits(f, b);
          if (v.class === 'nan') return;
          expect(toBits(f, v.decimal)).toBe(b);
          expect(toBits(f, v.number)).toBe(b);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('a representable value rounds to itself in every rounding mode', () => {
    const modes: RoundingMode[] = ['nearest-even', 'toward-zero', 'away-from-zero'];
    for (const f of [...SMALL, ...WIDE]) {
      fc.assert(
        fc.property(bitsOf(f), fc.constantFrom(...modes), (b, rounding) => {
          const v = fromBits(f, b);
          if (v.exact === null) return;
          expect(toBits(f, v.decimal, { rounding })).toBe(b);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('nextUp(nextDown(v)) equals v (as a value) for every finite v above the lowest', () => {
    for (const f of [...SMALL, ...WIDE]) {
      fc.assert(
        fc.property(bitsOf(f), (b) => {
          const v = fromBits(f, b);
          const down = nextDown(v);
          if (v.class === 'nan' || down === null) return;
          const back = nextUp(down);
          expect(back, f.name).not.toBeNull();
          if (v.exact === null) expect(back?.bits).toBe(v.bits);
          else expect(compare(back!.exact!, v.exact)).toBe(0);
          const up = nextUp(v);
          if (up !== null && v.exact !== null && up.exact !== null) {
            expect(compare(up.exact, v.exact)).toBe(1);
          }
        }),
        { numRuns: 200 },
      );
    }
  });

  it('round(format, x) is monotonic: a ≤ b implies round(a) ≤ round(b) in every mode', () => {
    const modes: RoundingMode[] = ['nearest-even', 'toward-zero', 'away-from-zero'];
    const formats = FORMATS.filter((f) => f.name !== 'fp64');
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        fc.constantFrom(...modes),
        finite,
        finite,
        (f, rounding, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const options = { rounding, overflow: 'saturate' } as const;
          if (f.name === 'e8m0' && lo <= 0) return; // NaN by definition
          expect(round(f, lo, options).number <= round(f, hi, options).number).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round-to-nearest error is at most half an ulp of the stored value, below overflow', () => {
    const formats = ['fp16', 'bf16', 'e4m3', 'e5m2', 'e2m3', 'e3m2', 'e2m1'].map(formatByName);
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        (f, x) => {
          const i = inspect(f, x, { overflow: 'saturate' });
          if (i.error === null || i.ulp === null) return;
          if (Math.abs(x) > maxFinite(f).number) return; // saturated: not a rounding error
          const half = { ...i.ulp.exact, den: i.ulp.exact.den * 2n };
          expect(compareMagnitude(i.error.absolute.exact, half) <= 0).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
