import { type ModelConfigInput, makeModelConfig } from './config.ts';
import type { ModelWeights } from './weights.ts';

/**
 * Deterministic pseudo-random floats in [-scale, scale) (mulberry32), for test models only.
 * @example randomFloats(16, 1, 0.1)
 */
export function randomFloats(n: number, seed: number, scale: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * scale;
  }
  return out;
}

/**
 * A small random Llama model for tests (norm weights near 1, matrices scaled by 1/sqrt(in)).
 * @example const model = randomModel({ dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4,
 *   vocabSize: 40, seqLen: 32 }, 7)
 */
export function randomModel(input: ModelConfigInput, seed: number, tied = false): ModelWeights {
  const c = makeModelConfig(input);
  let s = seed * 1000;
  const mat = (rows: number, cols: number) => randomFloats(rows * cols, s++, 1 / Math.sqrt(cols));
  const norm = (n: number) => randomFloats(n, s++, 0.2).map((v) => 1 + v);
  const qDim = c.nHeads * c.headSize;
  const kvDim = c.nKvHeads * c.headSize;
  const tokenEmbedding = randomFloats(c.vocabSize * c.dim, s++, 1);
  const layers = Array.from({ length: c.nLayers }, () => ({
    attnNorm: norm(c.dim),
    wq: mat(qDim, c.dim),
    wk: mat(kvDim, c.dim),
    wv: mat(kvDim, c.dim),
    wo: mat(c.dim, qDim),
    ffnNorm: norm(c.dim),
    w1: mat(c.hiddenDim, c.dim),
    w2: mat(c.dim, c.hiddenDim),
    w3: mat(c.hiddenDim, c.dim),
  }));
  return {
    config: c,
    tokenEmbedding,
    layers,
    outputNorm: norm(c.dim),
    output: tied ? tokenEmbedding : mat(c.vocabSize, c.dim),
  };
}
