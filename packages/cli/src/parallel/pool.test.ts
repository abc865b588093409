import {
  createSession,
  type EvalChunk,
  type ModelWeights,
  makeModelConfig,
  perplexity,
} from '@explorables/llm';
import { afterAll, describe, expect, it } from 'vitest';
import { createChunkPool } from './pool.ts';
import { shareModel, unshareModel } from './shared-model.ts';

/** A seeded random model (xorshift floats in ±scale). */
function tinyModel(seed: number): ModelWeights {
  const config = makeModelConfig({
    dim: 16,
    hiddenDim: 24,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    vocabSize: 40,
    seqLen: 32,
  });
  let state = seed >>> 0 || 1;
  const floats = (n: number, scale: number, offset = 0) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out[i] = offset + ((state >>> 0) / 2 ** 32 - 0.5) * 2 * scale;
    }
    return out;
  };
  const { dim, hiddenDim, vocabSize } = config;
  const mat = (rows: number, cols: number) => floats(rows * cols, 1 / Math.sqrt(cols));
  const tokenEmbedding = floats(vocabSize * dim, 1);
  return {
    config,
    tokenEmbedding,
    layers: Array.from({ length: config.nLayers }, () => ({
      attnNorm: floats(dim, 0.2, 1),
      wq: mat(dim, dim),
      wk: mat(dim / 2, dim),
      wv: mat(dim / 2, dim),
      wo: mat(dim, dim),
      ffnNorm: floats(dim, 0.2, 1),
      w1: mat(hiddenDim, dim),
      w2: mat(dim, hiddenDim),
      w3: mat(hiddenDim, dim),
    })),
    outputNorm: floats(dim, 0.2, 1),
    output: mat(vocabSize, dim),
  };
}

/** The in-process reference: modelEvalChunk's recipe (prefill the first half, then all logits). */
function inProcess(model: ModelWeights): EvalChunk {
  return (tokens, info) => {
    const s = createSession(model, { cacheLength: tokens.length });
    const first = info.firstOutputPosition;
    if (first > 0) s.prefill(tokens.subarray(0, first));
    return s.prefill(tokens.subarray(first), { allLogits: true });
  };
}

function tokenStream(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed * 13 + ((i * i) % 11)) % 40;
  return out;
}

describe('createChunkPool', () => {
  const model = tinyModel(3);
  const pool = createChunkPool(model, { workers: 2, blockSize: 5 });
  afterAll(() => pool.close());

  it('shareModel then unshareModel gives the same tensors, a tied classifier stays tied', () => {
    const back = unshareModel(shareModel(model));
    expect(back.config).toEqual(model.config);
    expect(back.output).toEqual(model.output);
    expect(back.layers[1].w2).toEqual(model.layers[1].w2);
    const tied = { ...model, output: model.tokenEmbedding };
    const again = unshareModel(shareModel(tied));
    expect(again.output).toBe(again.tokenEmbedding);
  });

  it('pool.evalChunk(chunk) gives the in-process logits bit for bit, chunk by chunk', async () => {
    const reference = inProcess(model);
    const tokens = tokenStream(96, 1);
    const results = await Promise.all(
      [0, 1, 2].map((c) =>
        pool.evalChunk(tokens.slice(c * 32, (c + 1) * 32), {
          chunkIndex: c,
          firstOutputPosition: 16,
        }),
      ),
    );
    results.forEach((logits, c) => {
      const info = { chunkIndex: c, firstOutputPosition: 16 };
      expect(logits.length).toBe(16 * 40);
      expect(logits).toEqual(reference(tokens.slice(c * 32, (c + 1) * 32), info));
    });
  });

  it('perplexity() through pool.lookahead equals the in-process run exactly', async () => {
    const tokens = tokenStream(32 * 7 + 5, 2);
    const options = { tokens, nCtx: 32, nVocab: 40, bosId: 1 };
    const local = await perplexity({ ...options, evalChunk: inProcess(model) });
    const pooled = await perplexity({
      ...options,
      evalChunk: pool.lookahead({ tokens, nCtx: 32, bosId: 1 }),
    });
    expect(pooled).toEqual(local);
  });

  it('lookahead(stream) evaluates a chunk whose tokens differ from the stream as given', async () => {
    const tokens = tokenStream(64, 3);
    const evalChunk = pool.lookahead({ tokens, nCtx: 32, bosId: 1 });
    const other = tokenStream(32, 9);
    const info = { chunkIndex: 0, firstOutputPosition: 16 };
    expect(await evalChunk(other, info)).toEqual(inProcess(model)(other, info));
  });

  it('a chunk longer than the context rejects with both lengths in the message', async () => {
    const info = { chunkIndex: 0, firstOutputPosition: 20 };
    await expect(pool.evalChunk(tokenStream(40, 4), info)).rejects.toThrow(/40 tokens.*32/);
    // the worker survives a failed chunk
    const ok = await pool.evalChunk(tokenStream(32, 4), { chunkIndex: 0, firstOutputPosition: 16 });
    expect(ok.length).toBe(16 * 40);
  });

  it('createChunkPool(model, { workers: 0 }) throws; a closed pool rejects', async () => {
    expect(() => createChunkPool(model, { workers: 0 })).toThrow(/positive integer/);
    const small = createChunkPool(model, { workers: 1 });
    await small.close();
    const info = { chunkIndex: 0, firstOutputPosition: 16 };
    await expect(small.evalChunk(tokenStream(32, 5), info)).rejects.toThrow(/closed/);
  });
});
