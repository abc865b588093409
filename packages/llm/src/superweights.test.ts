import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { type WeightCoord, zeroWeight } from './edit.ts';
import { randomModel } from './model/test-model.ts';
import type { ModelWeights } from './model/weights.ts';
import { createSession } from './session.ts';
import { findSuperWeights, textPerplexity } from './superweights.ts';

const CONFIG = {
  dim: 16,
  hiddenDim: 32,
  nLayers: 3,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: 40,
  seqLen: 32,
};
const LAYER = 1;
const ROW = 5;
const COL = 9;

/** A random model with a planted super weight: layer 1's hidden channel 9 has w1 and w3 rows
 * scaled 20× (a massive activation at the down projection's input) and W_down[5][9] = 1.5. */
function plantedModel(): ModelWeights {
  const model = randomModel(CONFIG, 3);
  const w = model.layers[LAYER];
  const { dim, hiddenDim } = CONFIG;
  for (let j = 0; j < dim; j++) {
    w.w1[COL * dim + j] *= 20;
    w.w3[COL * dim + j] *= 20;
  }
  w.w2[ROW * hiddenDim + COL] = 1.5;
  return model;
}

const prompts = [
  [1, 5, 9, 22, 13, 7, 30, 2],
  [1, 17, 17, 4, 39, 11],
  [1, 25, 3, 8, 8, 19, 33, 21, 6, 14],
];

function relativeChange(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

describe('findSuperWeights', () => {
  const model = plantedModel();

  it('findSuperWeights(model, { prompts }) ranks the planted coordinate first', () => {
    const found = findSuperWeights(model, { prompts, topK: 4 });
    expect(found).toHaveLength(4);
    const top = found[0];
    expect([top.layer, top.row, top.col]).toEqual([LAYER, ROW, COL]);
    expect(top.weight).toBe(1.5);
    expect(top.activationSpike.channel).toBe(COL);
    expect(top.contribution).toBeCloseTo(1.5 * top.activationSpike.value, 5);
    expect(top.rowIsOutputSpike).toBe(true);
    expect(top.outputSpike.channel).toBe(ROW);
    // A massive activation: far above the layer's mean |input| (measured 233×; bound 20×).
    expect(top.spikeToMeanRatio).toBeGreaterThan(20);
    // The runner-up is far smaller (measured 820 against 0.22; bound 5×).
    expect(top.score).toBeGreaterThan(5 * found[1].score);
    for (let i = 1; i < found.length; i++) {
      expect(found[i].score).toBeLessThanOrEqual(found[i - 1].score);
    }
    // The spike recorded is real: the prompt and position it names give that value.
    const p = top.activationSpike;
    expect(prompts[p.prompt].length).toBeGreaterThan(p.position);
  });

  it('zeroing the found weight changes logits a lot; zeroing 10 random down weights barely', () => {
    const top = findSuperWeights(model, { prompts, topK: 1 })[0];
    const ids = prompts[2];
    const base = createSession(model).prefill(ids, { allLogits: true });
    const zeroed = createSession(zeroWeight(model, top)).prefill(ids, { allLogits: true });
    const bigChange = relativeChange(base, zeroed);
    // Random coordinates (seed 7) outside the planted column, whose weights all multiply the spike.
    const rng = createRng(7);
    let worst = 0;
    for (let i = 0; i < 10; i++) {
      let coord: WeightCoord;
      do {
        coord = { layer: rng.int(0, 2), row: rng.int(0, 15), col: rng.int(0, 31) };
      } while (coord.layer === LAYER && coord.col === COL);
      const other = createSession(zeroWeight(model, coord)).prefill(ids, { allLogits: true });
      worst = Math.max(worst, relativeChange(base, other));
    }
    // Measured: 0.73 against at most 0.022; the bounds leave a factor 2–3 each way.
    expect(bigChange).toBeGreaterThan(0.2);
    expect(worst).toBeLessThan(0.05);
    expect(textPerplexity(zeroWeight(model, top), prompts).ppl).not.toBe(
      textPerplexity(model, prompts).ppl,
    );
  });

  it('findSuperWeights on an unplanted model finds no outsized spike', () => {
    const plain = randomModel(CONFIG, 3);
    const found = findSuperWeights(plain, { prompts, topK: 3 });
    // Measured: the largest ratio is 10.5 (a peak over ~200 samples of a heavy-tailed product).
    expect(found[0].spikeToMeanRatio).toBeLessThan(20);
    expect(found[0].score).toBeLessThan(1);
  });

  it('findSuperWeights rejects empty prompts and bad topK', () => {
    expect(() => findSuperWeights(model, { prompts: [] })).toThrow(/no prompts/);
    expect(() => findSuperWeights(model, { prompts, topK: 0 })).toThrow(/topK 0/);
    expect(() => findSuperWeights(model, { prompts: [[]] })).toThrow(/no tokens/);
  });
});

describe('textPerplexity', () => {
  it('textPerplexity(model, texts) is the vocabulary size when every logit is equal', () => {
    const model = randomModel(CONFIG, 4);
    const flat = { ...model, output: new Float32Array(model.output.length) };
    const r = textPerplexity(flat, [
      [1, 2, 3],
      [4, 5],
    ]);
    expect(r.predicted).toBe(3);
    expect(r.ppl).toBeCloseTo(40, 10);
  });

  it('textPerplexity rejects texts with nothing to predict', () => {
    const model = randomModel(CONFIG, 4);
    expect(() => textPerplexity(model, [[1]])).toThrow(/nothing to predict/);
  });
});
