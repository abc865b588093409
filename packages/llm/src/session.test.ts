import { describe, expect, it } from 'vitest';
import type { ModelConfigInput } from './model/config.ts';
import { randomModel } from './model/test-model.ts';
import type { ModelWeights } from './model/weights.ts';
import { createSession } from './session.ts';

const SMALL: ModelConfigInput = {
  dim: 24,
  hiddenDim: 40,
  nLayers: 2,
  nHeads: 6,
  nKvHeads: 2,
  vocabSize: 50,
  seqLen: 40,
};
const tokens = [1, 7, 12, 49, 0, 3, 3, 18, 25, 30, 11, 2, 44];

/** A plain reference forward pass: one position at a time, no batching, no shared kernels. */
function naiveLogits(model: ModelWeights, ids: number[]): Float32Array[] {
  const c = model.config;
  const { dim, headSize, nHeads, nKvHeads } = c;
  const kvDim = nKvHeads * headSize;
  const keys = model.layers.map(() => [] as Float64Array[]);
  const values = model.layers.map(() => [] as Float64Array[]);
  const matvec = (w: Float32Array, x: ArrayLike<number>, rows: number) => {
    const n = x.length;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += w[i * n + j] * x[j];
      out[i] = s;
    }
    return out;
  };
  const norm = (x: Float64Array, w: Float32Array) => {
    let ss = 0;
    for (const v of x) ss += v * v;
    const k = 1 / Math.sqrt(ss / x.length + c.rmsEps);
    return x.map((v, i) => v * k * w[i]);
  };
  const rotate = (v: Float64Array, heads: number, pos: number) => {
    const half = c.ropeDims / 2;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < half; i++) {
        const angle = pos * c.ropeTheta ** (-(2 * i) / c.ropeDims);
        const a = c.ropeLayout === 'adjacent' ? h * headSize + 2 * i : h * headSize + i;
        const b = c.ropeLayout === 'adjacent' ? a + 1 : a + half;
        const [x0, x1] = [v[a], v[b]];
        v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
        v[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
      }
    }
  };
  const out: Float32Array[] = [];
  ids.forEach((token, pos) => {
    let x = Float64Array.from(model.tokenEmbedding.subarray(token * dim, (token + 1) * dim));
    model.layers.forEach((w, l) => {
      const xb = norm(x, w.attnNorm);
      const q = matvec(w.wq, xb, nHeads * headSize);
      const k = matvec(w.wk, xb, kvDim);
      rotate(q, nHeads, pos);
      rotate(k, nKvHeads, pos);
      keys[l].push(k);
      values[l].push(matvec(w.wv, xb, kvDim));
      const att = new Float64Array(nHeads * headSize);
      for (let h = 0; h < nHeads; h++) {
        const kvh = Math.floor(h / (nHeads / nKvHeads));
        const scores = keys[l].map((kk) => {
          let s = 0;
          for (let i = 0; i < headSize; i++) s += q[h * headSize + i] * kk[kvh * headSize + i];
          return s / Math.sqrt(headSize);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let i = 0; i < headSize; i++) {
          let v = 0;
          for (let s = 0; s <= pos; s++) v += (e[s] / sum) * values[l][s][kvh * headSize + i];
          att[h * headSize + i] = v;
        }
      }
      const o = matvec(w.wo, att, dim);
      x = x.map((v, i) => v + o[i]);
      const xf = norm(x, w.ffnNorm);
      const g = matvec(w.w1, xf, c.hiddenDim);
      const u = matvec(w.w3, xf, c.hiddenDim);
      const hdn = g.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
      const d = matvec(w.w2, hdn, dim);
      x = x.map((v, i) => v + d[i]);
    });
    out.push(Float32Array.from(matvec(model.output, norm(x, model.outputNorm), c.vocabSize)));
  });
  return out;
}

function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

describe('createSession', () => {
  const model = randomModel(SMALL, 1);

  it('prefill(tokens, { allLogits }) equals step(token) logits one by one, bit for bit', () => {
    const batched = createSession(model, { blockSize: 5 }).prefill(tokens, { allLogits: true });
    const stepper = createSession(model);
    tokens.forEach((t, p) => {
      const logits = stepper.step(t);
      const row = batched.subarray(p * 50, (p + 1) * 50);
      expect(maxRelativeError(row, logits)).toBeLessThan(1e-5);
      expect(row).toEqual(logits);
    });
  });

  it('prefill(tokens) returns the last position’s logits whatever the block size', () => {
    const reference = createSession(model, { blockSize: 1 }).prefill(tokens);
    for (const blockSize of [2, 3, 4, 64]) {
      expect(createSession(model, { blockSize }).prefill(tokens)).toEqual(reference);
    }
    expect(reference.length).toBe(50);
  });

  it('prefill matches a naive float64 reference forward pass (GQA, 6 heads over 2 kv heads)', () => {
    const naive = naiveLogits(model, tokens);
    const all = createSession(model).prefill(tokens, { allLogits: true });
    naive.forEach((row, p) => {
      expect(maxRelativeError(all.subarray(p * 50, (p + 1) * 50), row)).toBeLessThan(1e-5);
    });
  });

  it('both RoPE layouts match the naive reference and give different logits', () => {
    const adjacent = randomModel({ ...SMALL, ropeLayout: 'adjacent' }, 2);
    const neox = { ...adjacent, config: { ...adjacent.config, ropeLayout: 'neox' as const } };
    const a = createSession(adjacent).prefill(tokens, { allLogits: true });
    const b = createSession(neox).prefill(tokens, { allLogits: true });
    expect(maxRelativeError(a, b)).toBeGreaterThan(1e-3);
    for (const [m, got] of [
      [adjacent, a],
      [neox, b],
    ] as const) {
      const naive = naiveLogits(m, tokens);
      naive.forEach((row, p) => {
        expect(maxRelativeError(got.subarray(p * 50, (p + 1) * 50), row)).toBeLessThan(1e-5);
      });
    }
  });

  it('partial rotary (ropeDims < headSize), θ and ε from the config follow the reference', () => {
    const m = randomModel({ ...SMALL, ropeDims: 2, ropeTheta: 500, rmsEps: 1e-3 }, 3, true);
    const naive = naiveLogits(m, tokens);
    const got = createSession(m).prefill(tokens, { allLogits: true });
    naive.forEach((row, p) => {
      expect(maxRelativeError(got.subarray(p * 50, (p + 1) * 50), row)).toBeLessThan(1e-5);
    });
  });

  it('truncate(n) then re-stepping the same tokens reproduces the logits', () => {
    const s = createSession(model);
    const first = s.prefill(tokens, { allLogits: true });
    s.truncate(4);
    expect(s.position).toBe(4);
    const again = s.prefill(tokens.slice(4), { allLogits: true });
    expect(again).toEqual(first.subarray(4 * 50));
    s.truncate(0);
    expect(s.step(tokens[0])).toEqual(first.subarray(0, 50));
  });

  it('kvState() then restore() into a fresh session continues identically', () => {
    const s = createSession(model);
    s.prefill(tokens.slice(0, 6));
    const saved = s.kvState();
    expect(saved.position).toBe(6);
    expect(saved.sizeBytes).toBe(2 * 2 * 6 * 8 * 4);
    const expected = s.step(tokens[6]);
    const t = createSession(model);
    t.restore(saved);
    expect(t.position).toBe(6);
    expect(t.step(tokens[6])).toEqual(expected);
  });

  it('rejects bad input with actionable errors', () => {
    const s = createSession(model);
    expect(() => s.prefill([])).toThrow(/no tokens/);
    expect(() => s.step(50)).toThrow(/0\.\.49/);
    expect(() => s.step(Number.NaN)).toThrow(/NaN/);
    expect(() => s.truncate(1)).toThrow(/0\.\.0/);
    expect(() => s.prefill(new Array(41).fill(1))).toThrow(/exceed the cache of 40/);
    expect(() => createSession(model, { cacheLength: 41 })).toThrow(/1\.\.40/);
    const other = createSession(randomModel({ ...SMALL, nKvHeads: 3 }, 4));
    expect(() => other.restore(s.kvState())).toThrow(/kvDim/);
  });
});
