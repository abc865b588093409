import { describe, expect, it } from 'vitest';
import { readKldBase } from './eval/kld-base.ts';
import { perplexity } from './eval/perplexity.ts';
import { randomTokens } from './eval/test-model.ts';
import {
  checkContextFits,
  kldBaseInMemory,
  modelEvalChunk,
  runKld,
  runKldBase,
  runPerplexity,
} from './evaluate.ts';
import { randomModel } from './model/test-model.ts';
import { quantizeWeights } from './quantized.ts';
import { createSession } from './session.ts';

const model = randomModel(
  { dim: 32, hiddenDim: 64, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 40, seqLen: 32 },
  11,
);
const tokens = randomTokens(16 * 5 + 3, 40, 5);
tokens[0] = 1;

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('modelEvalChunk', () => {
  it('modelEvalChunk returns the scored half of a full prefill, bit for bit, chunk after chunk', async () => {
    const evalChunk = modelEvalChunk(model, { blockSize: 5 });
    for (let c = 0; c < 3; c++) {
      const chunk = tokens.slice(c * 16, (c + 1) * 16);
      const got = await evalChunk(chunk, { chunkIndex: c, firstOutputPosition: 8 });
      const all = createSession(model).prefill(chunk, { allLogits: true });
      expect(got.length).toBe(8 * 40);
      expect(bitsEqual(got, all.subarray(8 * 40))).toBe(true);
    }
  });

  it('modelEvalChunk with a different chunk length makes a fresh cache of that length', async () => {
    const evalChunk = modelEvalChunk(model);
    const a = await evalChunk(tokens.slice(0, 8), { chunkIndex: 0, firstOutputPosition: 4 });
    const b = await evalChunk(tokens.slice(0, 12), { chunkIndex: 0, firstOutputPosition: 6 });
    expect(a.length).toBe(4 * 40);
    expect(b.length).toBe(6 * 40);
  });

  it('checkContextFits names n_ctx and the model’s context length', () => {
    expect(() => checkContextFits(model, 33)).toThrow(
      "n_ctx 33 is beyond the model's context length 32",
    );
    expect(() => checkContextFits(model, 32)).not.toThrow();
  });
});

describe('runPerplexity / runKldBase / runKld', () => {
  it('runPerplexity equals perplexity() over fresh full-prefill sessions, bit for bit', async () => {
    const ours = await runPerplexity({ model, tokens, nCtx: 16 });
    const naive = await perplexity({
      tokens,
      nCtx: 16,
      nVocab: 40,
      bosId: 1,
      evalChunk: (chunk) => createSession(model).prefill(chunk, { allLogits: true }),
    });
    expect(ours.chunks).toBe(5);
    expect(ours.ppl).toBe(naive.ppl);
    expect([...ours.runningPpl]).toEqual([...naive.runningPpl]);
    // A random 40-token model is close to uniform: PPL near the vocabulary size.
    expect(ours.ppl).toBeGreaterThan(5);
    expect(ours.ppl).toBeLessThan(200);
  });

  it('runPerplexity({ chunks, onProgress }) stops after `chunks` and reports each one', async () => {
    const seen: number[] = [];
    const r = await runPerplexity({
      model,
      tokens,
      nCtx: 16,
      chunks: 2,
      onProgress: (i, total) => seen.push(i * 10 + total),
    });
    expect(r.chunks).toBe(2);
    expect(seen).toEqual([12, 22]);
  });

  it('runKld of the model against its own base gives KLD ≈ 0 and the same top token', async () => {
    const { bytes, result } = await kldBaseInMemory({ model, tokens, nCtx: 16 });
    expect(result.mode).toBe('kld-base');
    const base = await readKldBase(bytes);
    expect(base.nChunk).toBe(5);
    const r = await runKld({ model, base });
    expect(r.summary!.kld.value).toBeLessThan(1e-4);
    expect(r.summary!.sameTop.value).toBeGreaterThan(0.95);
  });

  it('runKld of a q4_0 copy gives a clearly positive KLD', async () => {
    const { bytes } = await kldBaseInMemory({ model, tokens, nCtx: 16, chunks: 3 });
    const q = quantizeWeights(model, { type: 'q4_0' }).model;
    const r = await runKld({ model: q, base: await readKldBase(bytes), chunks: 2 });
    expect(r.chunks).toBe(2);
    expect(r.summary!.kld.value).toBeGreaterThan(1e-4);
  });

  it('runKldBase yields the header and one piece per chunk', async () => {
    const pieces: number[] = [];
    const it = runKldBase({ model, tokens, nCtx: 16, chunks: 2 });
    let step = await it.next();
    while (!step.done) {
      pieces.push(step.value.length);
      step = await it.next();
    }
    expect(pieces.length).toBe(3);
    expect(step.value.chunks).toBe(2);
  });

  it('the runners reject n_ctx beyond the context, a base of another vocabulary, and an aborted signal', async () => {
    await expect(runPerplexity({ model, tokens, nCtx: 64 })).rejects.toThrow(
      "n_ctx 64 is beyond the model's context length 32",
    );
    await expect(runKldBase({ model, tokens, nCtx: 64 }).next()).rejects.toThrow(/beyond/);
    const { bytes } = await kldBaseInMemory({ model, tokens, nCtx: 16, chunks: 1 });
    const other = randomModel(
      { dim: 32, hiddenDim: 64, nLayers: 1, nHeads: 4, vocabSize: 41, seqLen: 32 },
      2,
    );
    await expect(runKld({ model: other, base: await readKldBase(bytes) })).rejects.toThrow(
      "the KLD base has n_vocab 40 but the model's vocabulary is 41",
    );
    const signal = { aborted: true, reason: new Error('stop') };
    await expect(runPerplexity({ model, tokens, nCtx: 16, signal })).rejects.toThrow('stop');
  });
});

describe('pause', () => {
  it('modelEvalChunk({ pause }) awaits pause after every chunk and returns the same logits', async () => {
    let pauses = 0;
    const pause = async () => {
      pauses++;
    };
    const plain = await runPerplexity({ model, tokens, nCtx: 16, chunks: 3 });
    const paused = await runPerplexity({ model, tokens, nCtx: 16, chunks: 3, pause });
    expect(pauses).toBe(3);
    expect(paused.ppl).toBe(plain.ppl);
  });
});
