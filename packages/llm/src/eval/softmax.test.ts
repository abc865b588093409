import { nearestInt } from '@explorables/quant';
import { describe, expect, it } from 'vitest';
import {
  compressLogProbs,
  decodeLogProb,
  emptyKldSums,
  type KldPosition,
  kldAtPosition,
  kldBaseRowWords,
  pplNll,
} from './softmax.ts';

const f = Math.fround;

/** Compresses one row and returns its decoded parts. */
function compress(row: number[], tok = 0) {
  const logits = new Float32Array(row);
  const n = row.length;
  const bytes = new Uint8Array(2 * kldBaseRowWords(n));
  const view = new DataView(bytes.buffer);
  const nll = compressLogProbs(logits, 0, n, tok, view, 0);
  const scale = view.getFloat32(0, true);
  const minLogProb = view.getFloat32(4, true);
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) codes[i] = view.getUint16(8 + 2 * i, true);
  return { nll, scale, minLogProb, codes, bytes };
}

function exactLogProbs(row: number[]): number[] {
  const max = Math.max(...row);
  const lse = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
  return row.map((x) => x - lse);
}

describe('kldBaseRowWords', () => {
  it('kldBaseRowWords(n) is 4 + n rounded up to even', () => {
    expect(kldBaseRowWords(512)).toBe(516);
    expect(kldBaseRowWords(5)).toBe(10);
    expect(kldBaseRowWords(1)).toBe(6);
  });
});

describe('nearestInt', () => {
  it('nearestInt rounds half to even like the 1.5·2^23 float trick', () => {
    expect(nearestInt(2.5)).toBe(2);
    expect(nearestInt(3.5)).toBe(4);
    expect(nearestInt(65534.5)).toBe(65534);
    expect(nearestInt(65535.2)).toBe(65535);
    expect(nearestInt(0.49)).toBe(0);
  });
});

describe('pplNll', () => {
  it('pplNll of two equal logits is ln 2 and ignores the common offset', () => {
    expect(pplNll(new Float32Array([0, 0]), 0, 2, 1)).toBe(Math.LN2);
    expect(pplNll(new Float32Array([9, 100, 100]), 1, 2, 0)).toBe(Math.LN2);
  });

  it('pplNll matches a double-precision log-softmax within float rounding', () => {
    const row = [1.5, -2, 0.25, 7, 3.125, -11];
    const exact = exactLogProbs(row);
    for (let t = 0; t < row.length; t++) {
      expect(pplNll(new Float32Array(row), 0, row.length, t)).toBeCloseTo(-exact[t], 6);
    }
  });
});

describe('compressLogProbs', () => {
  it('compressLogProbs maps the top logit to code 65535 and the window floor to code 0', () => {
    const { codes, scale, minLogProb } = compress([0, -4, 2, -8]);
    expect(codes[2]).toBe(65535);
    expect(codes[3]).toBe(0);
    expect(scale).toBe(f(f(2 - -8) / 65535));
    const exact = exactLogProbs([0, -4, 2, -8]);
    expect(minLogProb).toBeCloseTo(exact[3], 6);
  });

  it('compressLogProbs decodes within half a code step of the exact log-probability', () => {
    const row = [3.1, -2.7, 0.4, 5.9, -9.3, 1.25, 2.5];
    const { codes, scale, minLogProb } = compress(row);
    const exact = exactLogProbs(row);
    for (let i = 0; i < row.length; i++) {
      const decoded = decodeLogProb(scale, minLogProb, codes[i]);
      expect(Math.abs(decoded - exact[i])).toBeLessThan(scale / 2 + 1e-5);
    }
  });

  it('compressLogProbs clamps logits more than 16 nats below the max to the window floor', () => {
    // Token 2 is 30 nats below the top: stored as code 0, i.e. log p = -16 - logsumexp.
    const row = [10, 9, -20, 8];
    const { codes, scale, minLogProb, nll } = compress(row, 2);
    expect(codes[2]).toBe(0);
    expect(scale).toBe(f(16 / 65535));
    const lse = Math.log(1 + Math.exp(-1) + Math.exp(-30) + Math.exp(-2));
    expect(minLogProb).toBeCloseTo(-16 - lse, 5);
    // The NLL returned for the clamped token is still the true one (30 + lse): only the stored
    // base is clamped.
    expect(nll).toBeCloseTo(30 + lse, 4);
    expect(decodeLogProb(scale, minLogProb, codes[2])).toBeCloseTo(-16 - lse, 5);
  });

  it('compressLogProbs writes all-zero codes and scale 0 for a flat row', () => {
    const { codes, scale, minLogProb, nll } = compress([2, 2, 2]);
    expect(scale).toBe(0);
    expect(Array.from(codes)).toEqual([0, 0, 0]);
    expect(minLogProb).toBe(f(-f(Math.log(3))));
    expect(nll).toBe(f(f(2 + f(Math.log(3))) - 2));
  });

  it('compressLogProbs leaves the padding word of an odd vocabulary at zero', () => {
    const { bytes } = compress([1, 2, 3]);
    expect(bytes.length).toBe(16);
    expect(bytes[14]).toBe(0);
    expect(bytes[15]).toBe(0);
  });
});

describe('kldAtPosition', () => {
  function score(logits: number[], base: ReturnType<typeof compress>, tok: number) {
    const sums = emptyKldSums();
    const out: KldPosition = { kld: 0, pDiff: 0 };
    kldAtPosition(
      new Float32Array(logits),
      0,
      logits.length,
      base.scale,
      base.minLogProb,
      base.codes,
      0,
      tok,
      sums,
      out,
    );
    return { sums, out };
  }

  it('kldAtPosition of a row against its own compressed base is below 1e-4 nats', () => {
    const row = [3.1, -2.7, 0.4, 5.9, -9.3, 1.25, 2.5];
    const { sums, out } = score(row, compress(row), 3);
    expect(Math.abs(out.kld)).toBeLessThan(1e-4);
    expect(Math.abs(out.pDiff)).toBeLessThan(1e-4);
    expect(sums.nSameTop).toBe(1);
    expect(sums.count).toBe(1);
  });

  it('kldAtPosition matches Σ p_base (log p_base - log q) over the window, in double', () => {
    const p = [3.1, -2.7, 0.4, 5.9, -9.3, 1.25, 2.5];
    const q = [2.9, -2.1, 0.9, 5.2, -8.0, 1.75, 2.0];
    const base = compress(p);
    const lq = exactLogProbs(q);
    let expected = 0;
    for (let i = 0; i < p.length; i++) {
      const lp = decodeLogProb(base.scale, base.minLogProb, base.codes[i]);
      if (lp > -16) expected += Math.exp(lp) * (lp - lq[i]);
    }
    const { out, sums } = score(q, base, 0);
    expect(out.kld).toBeCloseTo(expected, 5);
    expect(sums.sumKld2).toBeCloseTo(expected * expected, 6);
  });

  it('kldAtPosition leaves out entries whose base log-prob is at or below -16', () => {
    // Entry 2 is clamped in the base; Q puts real mass on it, but the sum ignores that term.
    const p = [10, 9, -20, 8];
    const q = [10, 9, 9.5, 8];
    const base = compress(p);
    const lq = exactLogProbs(q);
    let expected = 0;
    for (const i of [0, 1, 3]) {
      const lp = decodeLogProb(base.scale, base.minLogProb, base.codes[i]);
      expected += Math.exp(lp) * (lp - lq[i]);
    }
    const { out, sums } = score(q, base, 2);
    expect(out.kld).toBeCloseTo(expected, 5);
    // nll_base of the clamped target is 16 + lse(p), not the true 30 + lse(p).
    const lse = Math.log(1 + Math.exp(-1) + Math.exp(-30) + Math.exp(-2));
    expect(sums.sumNllBase).toBeCloseTo(16 + lse, 4);
  });

  it('kldAtPosition counts the same top only when both argmaxes agree, first index on ties', () => {
    const base = compress([0, 5, 5, 1]); // base codes tie at 1 and 2: its argmax is 1
    expect(base.codes[1]).toBe(base.codes[2]);
    expect(score([0, 5, 5, 1], base, 0).sums.nSameTop).toBe(1); // Q's first max is 1 too
    expect(score([0, 5, 5.5, 1], base, 0).sums.nSameTop).toBe(0); // Q picks 2
    expect(score([0, 5.5, 5, 1], base, 0).sums.nSameTop).toBe(1);
  });

  it('kldAtPosition sees a near-tie the compression erased as a different top token', () => {
    // 5 and 5 + 1e-5 fall on the same code (step 5/65535 ≈ 7.6e-5), so the base's argmax is 1,
    // while Q (the same logits) picks 2.
    const row = [0, 5, 5.00001, 1];
    const base = compress(row);
    expect(base.codes[1]).toBe(base.codes[2]);
    expect(score(row, base, 0).sums.nSameTop).toBe(0);
  });

  it('kldAtPosition returns Δp = q(tok) - p_base(tok) as a float', () => {
    const p = [0, 0];
    const q = [Math.log(3), 0]; // q = (0.75, 0.25)
    const { out } = score(q, compress(p), 0);
    expect(out.pDiff).toBeCloseTo(0.25, 4);
    expect(out.pDiff).toBe(f(out.pDiff));
  });
});
