import { describe, expect, it } from 'vitest';
import type { ModelConfigInput } from '../model/config.ts';
import { randomModel } from '../model/test-model.ts';
import { createSession } from '../session.ts';
import { attentionRowOffset, traceForward, traceSizeBytes } from './trace.ts';

const SMALL: ModelConfigInput = {
  dim: 24,
  hiddenDim: 40,
  nLayers: 3,
  nHeads: 6,
  nKvHeads: 2,
  vocabSize: 50,
  seqLen: 40,
};
const tokens = [1, 7, 12, 49, 0, 3, 3, 18, 25, 30, 11, 2, 44];
const T = tokens.length;

describe('traceForward', () => {
  const model = randomModel(SMALL, 11);
  const c = model.config;

  it('traceForward(model, tokens) logits equal Session.prefill logits bit for bit', () => {
    // Exact, not approximate: the trace calls the same kernels in the same rounding order, and
    // the fast forward's batched matmul sums each dot product in the same fixed order as dot().
    const trace = traceForward(model, tokens, { capture: { logits: 'all' } });
    for (const blockSize of [1, 4, 64]) {
      const fast = createSession(model, { blockSize }).prefill(tokens, { allLogits: true });
      expect(trace.logits).toEqual(fast);
    }
    const last = traceForward(model, tokens);
    expect(last.logitPositions).toEqual([T - 1]);
    expect(last.logits).toEqual(createSession(model).prefill(tokens));
  });

  it('traceForward(...).weights rows sum to 1 and are 0 above the diagonal (causal mask)', () => {
    const trace = traceForward(model, tokens);
    for (const layer of trace.layers) {
      for (const head of trace.heads) {
        for (let qi = 0; qi < T; qi++) {
          const o = attentionRowOffset(trace, layer, head, qi);
          let sum = 0;
          for (let s = 0; s < T; s++) {
            const w = trace.weights[o + s];
            if (s > qi) {
              expect(w).toBe(0);
              expect(trace.scores[o + s]).toBe(Number.NEGATIVE_INFINITY);
            } else {
              expect(w).toBeGreaterThan(0);
              expect(Number.isFinite(trace.scores[o + s])).toBe(true);
              sum += w;
            }
          }
          // float32 rounding of each weight: tolerance (qi + 1) ulps of 1.
          expect(Math.abs(sum - 1)).toBeLessThan((qi + 2) * 2 ** -23);
        }
      }
    }
  });

  it('traceForward(...) scores are q·k/sqrt(headSize), head h reading kv head h / 3 (GQA)', () => {
    const trace = traceForward(model, tokens);
    expect(Array.from(trace.kvHeadOf)).toEqual([0, 0, 0, 1, 1, 1]);
    const hs = c.headSize;
    const nh = trace.heads.length;
    for (const li of [0, 2]) {
      for (let h = 0; h < c.nHeads; h++) {
        const g = Math.floor(h / (c.nHeads / c.nKvHeads));
        const wrong = 1 - g;
        for (const [qi, s] of [
          [5, 2],
          [12, 12],
          [3, 0],
        ]) {
          const qo = ((li * nh + h) * T + qi) * hs;
          const dotWith = (kvh: number) => {
            const ko = ((li * c.nKvHeads + kvh) * T + s) * hs;
            let d = 0;
            for (let i = 0; i < hs; i++) d += trace.q[qo + i] * trace.k[ko + i];
            return d / Math.sqrt(hs);
          };
          const score = trace.scores[attentionRowOffset(trace, li, h, qi) + s];
          expect(Math.abs(score - dotWith(g))).toBeLessThan(1e-5 * (1 + Math.abs(score)));
          expect(Math.abs(score - dotWith(wrong))).toBeGreaterThan(1e-6);
        }
      }
    }
  });

  it('traceForward(...) weights times V give the attention output reaching the residual', () => {
    // Recompute layer 0's attention output of the last position from captured weights and V and
    // check it through wo: x_after_attention = embedding + wo · concat_h(Σ_s w[s] v[s]).
    const trace = traceForward(model, tokens);
    const hs = c.headSize;
    const t = T - 1;
    const out = new Float64Array(c.nHeads * hs);
    for (let h = 0; h < c.nHeads; h++) {
      const o = attentionRowOffset(trace, 0, h, t);
      for (let s = 0; s <= t; s++) {
        const vo = ((0 * c.nKvHeads + trace.kvHeadOf[h]) * T + s) * hs;
        for (let i = 0; i < hs; i++) out[h * hs + i] += trace.weights[o + s] * trace.v[vo + i];
      }
    }
    const w = model.layers[0];
    const x = new Float64Array(c.dim);
    let ss = 0;
    for (let j = 0; j < c.dim; j++) {
      let d = 0;
      for (let i = 0; i < out.length; i++) d += w.wo[j * out.length + i] * out[i];
      x[j] = trace.embeddings[t * c.dim + j] + d;
      ss += x[j] * x[j];
    }
    // The MLP input is RMSNorm(x) · ffnNorm.
    const k = 1 / Math.sqrt(ss / c.dim + c.rmsEps);
    for (let j = 0; j < c.dim; j++) {
      const got = trace.mlpInput[t * c.dim + j];
      expect(Math.abs(got - x[j] * k * w.ffnNorm[j])).toBeLessThan(1e-4);
    }
  });

  it('traceForward(...) residualNorms and peaks agree with the captured MLP arrays', () => {
    const trace = traceForward(model, tokens, { capture: { mlpHidden: true } });
    const { dim, hiddenDim } = c;
    for (let t = 0; t < T; t++) {
      let e = 0;
      for (let j = 0; j < dim; j++) e += trace.embeddings[t * dim + j] ** 2;
      expect(trace.residualNorms[t]).toBeCloseTo(Math.sqrt(e), 4);
    }
    for (let l = 0; l < c.nLayers; l++) {
      const hidden = trace.mlpHidden.subarray(l * T * hiddenDim, (l + 1) * T * hiddenDim);
      let best = 0;
      for (const v of hidden) best = Math.max(best, Math.abs(v));
      const p = trace.downInputPeaks[l];
      expect(Math.abs(p.value)).toBe(best);
      expect(hidden[p.position * hiddenDim + p.channel]).toBe(p.value);
      const out = trace.mlpOutput.subarray(l * T * dim, (l + 1) * T * dim);
      const po = trace.downOutputPeaks[l];
      expect(out[po.position * dim + po.channel]).toBe(po.value);
      for (const v of out) expect(Math.abs(v)).toBeLessThanOrEqual(Math.abs(po.value));
    }
    let sum = 0;
    for (const p of trace.probabilities) sum += p;
    expect(sum).toBeCloseTo(1, 5);
  });

  it('traceForward(..., { layers, heads, capture }) keeps the selection; sizes match', () => {
    const options = {
      layers: [1],
      heads: [2, 5],
      capture: { embeddings: false, mlp: false, logits: 'none' as const },
    };
    const part = traceForward(model, tokens, options);
    const full = traceForward(model, tokens);
    expect(part.embeddings.length).toBe(0);
    expect(part.logits.length).toBe(0);
    expect(part.logitPositions).toEqual([]);
    expect(part.weights.length).toBe(2 * T * T);
    // head 5 of layer 1 in the selection equals head 5 of layer 1 in the full trace.
    const a = attentionRowOffset(part, 1, 5, 7);
    const b = attentionRowOffset(full, 1, 5, 7);
    expect(part.weights.subarray(a, a + T)).toEqual(full.weights.subarray(b, b + T));
    expect(() => attentionRowOffset(part, 0, 2, 0)).toThrow(/not captured/);
    const size = traceSizeBytes(c, T, options);
    const bytes =
      part.q.byteLength +
      part.k.byteLength +
      part.v.byteLength +
      part.scores.byteLength +
      part.weights.byteLength +
      part.residualNorms.byteLength;
    expect(size.totalBytes).toBe(bytes);
    const everything = traceSizeBytes(c, T, { capture: { mlpHidden: true, logits: 'all' } });
    expect(everything.attention).toBe(2 * c.nLayers * c.nHeads * T * T * 4);
  });

  it('traceForward(...) with pieceOf names the tokens; a single token works', () => {
    const one = traceForward(model, [3], { pieceOf: (id) => `<${id}>` });
    expect(one.tokenStrings).toEqual(['<3>']);
    expect(one.weights[0]).toBe(1);
    expect(one.logits).toEqual(createSession(model).prefill([3]));
    expect(traceForward(model, [3]).tokenStrings).toBeNull();
  });

  it('traceForward rejects bad input with actionable errors', () => {
    expect(() => traceForward(model, [])).toThrow(/no tokens/);
    expect(() => traceForward(model, [50])).toThrow(/0\.\.49/);
    expect(() => traceForward(model, [Number.NaN])).toThrow(/NaN/);
    expect(() => traceForward(model, new Array(41).fill(1))).toThrow(/seqLen of 40/);
    expect(() => traceForward(model, [1], { layers: [3] })).toThrow(/layers\[0\]/);
    expect(() => traceForward(model, [1], { heads: [2, 1] })).toThrow(/ascending/);
    expect(() =>
      traceForward(model, [1], { capture: { logits: 'some' as unknown as 'all' } }),
    ).toThrow(/last, all or none/);
  });
});
