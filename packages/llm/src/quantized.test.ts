import { describe, expect, it } from 'vitest';
import { testLlama2cFiles, testQuantizedGguf } from './load/fixtures.ts';
import { loadModel } from './load/load-model.ts';
import type { ModelWeights } from './model/weights.ts';
import { modelTensors, quantizeWeights, quantizeWeightsLikeFileType } from './quantized.ts';

const files = testLlama2cFiles();
const loaded = await loadModel(files.checkpointBytes, { tokenizer: files.tokenizerBytes });
const model = loaded.model;

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function expectSameWeights(a: ModelWeights, b: ModelWeights): void {
  const ta = modelTensors(a, 'duplicate');
  const tb = new Map(modelTensors(b, 'duplicate').map((t) => [t.name, t.values]));
  for (const t of ta) expect(bitsEqual(t.values, tb.get(t.name)!), t.name).toBe(true);
}

describe('quantizeWeightsLikeFileType', () => {
  for (const fileType of ['Q4_0', 'Q8_0', 'Q4_K_M', 'Q2_K', 'Q5_1']) {
    it(`quantizeWeightsLikeFileType(model, '${fileType}') equals the ${fileType} GGUF quantizeModel writes, bit for bit`, async () => {
      const ours = quantizeWeightsLikeFileType(model, fileType);
      const file = await loadModel(await testQuantizedGguf(files, fileType));
      expectSameWeights(ours.model, file.model);
      for (const r of ours.report) expect(r.type, r.name).toBe(file.meta.tensorTypes.get(r.name));
    });
  }

  it('quantizeWeightsLikeFileType with outliers equals the GGUF with side tables, bit for bit', async () => {
    const outliers = { count: 5 };
    const ours = quantizeWeightsLikeFileType(model, 'Q4_0', { outliers });
    const file = await loadModel(await testQuantizedGguf(files, 'Q4_0', { outliers }));
    expectSameWeights(ours.model, file.model);
    const q = ours.report.find((r) => r.name === 'blk.0.attn_q.weight')!;
    expect(q.outliers).toBe(5);
    expect(q.outlierBytes).toBeGreaterThan(0);
  });

  it("quantizeWeightsLikeFileType(model, 'Q4_0') reports llama.cpp's types, fallbacks and sizes", () => {
    const { report, sizeBytes, model: q } = quantizeWeightsLikeFileType(model, 'Q4_0');
    const byName = new Map(report.map((r) => [r.name, r]));
    expect(byName.get('blk.0.attn_q.weight')).toMatchObject({
      type: 'q4_0',
      rows: 64,
      cols: 64,
      bytes: 64 * 36,
      bytesF32: 64 * 64 * 4,
      outliers: 0,
    });
    expect(byName.get('output.weight')?.type).toBe('q8_0');
    const down = byName.get('blk.1.ffn_down.weight')!;
    expect(down.type).toBe('f16');
    expect(down.requestedType).toBe('q4_0');
    expect(down.note).toMatch(/rows of 100 do not fit q4_0 blocks of 32: fallback f16/);
    expect(report.every((r) => r.rmse > 0)).toBe(true);
    expect(report.length).toBe(2 + 2 * 7);
    expect(sizeBytes).toBe(report.reduce((s, r) => s + r.bytes, 0) + 4 * (64 + 2 * 2 * 64));
    // Untied: the tied classifier became two tensors of different types.
    expect(q.output).not.toBe(q.tokenEmbedding);
    // Norms are shared, untouched.
    expect(q.layers[0].attnNorm).toBe(model.layers[0].attnNorm);
  });

  it("quantizeWeightsLikeFileType(…, { tiedOutput: 'shared' }) keeps one classifier tensor", () => {
    const { model: q, report } = quantizeWeightsLikeFileType(model, 'Q4_0', {
      tiedOutput: 'shared',
    });
    expect(q.output).toBe(q.tokenEmbedding);
    // Without output.weight, llama-quantize gives token_embd the output rule (q8_0 for 64-wide rows).
    expect(report.find((r) => r.name === 'token_embd.weight')?.type).toBe('q8_0');
    expect(report.some((r) => r.name === 'output.weight')).toBe(false);
  });

  it('quantizeWeightsLikeFileType rejects an unknown file type', () => {
    expect(() => quantizeWeightsLikeFileType(model, 'Q9_9')).toThrow(/unknown quantization type/);
  });
});

describe('quantizeWeights', () => {
  it("quantizeWeights(model, { type: 'q4_0' }) quantizes every 2-D weight, ffn_down falls back to f16", () => {
    const { model: q, report } = quantizeWeights(model, { type: 'Q4_0' });
    const byName = new Map(report.map((r) => [r.name, r]));
    expect(byName.get('output.weight')?.type).toBe('q4_0');
    expect(byName.get('token_embd.weight')?.type).toBe('q4_0');
    expect(byName.get('blk.0.ffn_down.weight')).toMatchObject({
      type: 'f16',
      requestedType: 'q4_0',
    });
    expect(q.layers[0].wq).not.toBe(model.layers[0].wq);
    expect(bitsEqual(q.layers[0].wq, model.layers[0].wq)).toBe(false);
  });

  it('quantizeWeights(model, { type, tensors }) changes only the named tensors', () => {
    const { model: q, report } = quantizeWeights(model, {
      type: 'q8_0',
      tensors: ['blk.1.attn_v.weight'],
    });
    expect(q.layers[1].wv).not.toBe(model.layers[1].wv);
    expect(q.layers[0].wv).toBe(model.layers[0].wv);
    expect(q.layers[1].wq).toBe(model.layers[1].wq);
    expect(q.tokenEmbedding).toBe(model.tokenEmbedding);
    const changed = report.filter((r) => r.type !== 'f32').map((r) => r.name);
    expect(changed).toEqual(['blk.1.attn_v.weight']);
  });

  it('quantizeWeights with a K-quant on 64-wide rows follows the plan’s fallback and says so', () => {
    const { report } = quantizeWeights(model, { type: 'q4_K' });
    const q = report.find((r) => r.name === 'blk.0.attn_q.weight')!;
    expect(q.type).toBe('q5_0');
    expect(q.note).toMatch(/fallback q5_0/);
  });

  it("quantizeWeights(model, { type: 'f32' }) changes nothing", () => {
    const { model: q } = quantizeWeights(model, { type: 'f32' });
    expect(q.layers[0].w1).toBe(model.layers[0].w1);
  });

  it('quantizeWeights rejects unknown types, unknown tensor names and a wrong imatrix length', () => {
    expect(() => quantizeWeights(model, { type: 'q9_0' })).toThrow(/unknown ggml type/);
    expect(() =>
      quantizeWeights(model, { type: 'q8_0', tensors: ['blk.9.attn_q.weight'] }),
    ).toThrow(/no 2-D weight named blk\.9\.attn_q\.weight/);
    expect(() =>
      quantizeWeights(model, {
        type: 'q4_K',
        imatrix: new Map([['blk.0.attn_q.weight', new Float32Array(3)]]),
      }),
    ).toThrow(/imatrix entry for blk\.0\.attn_q\.weight has 3 values; expected 64/);
  });

  it('quantizeWeights with an imatrix changes an imatrix-using type’s result', () => {
    const imatrix = new Map([
      ['blk.0.attn_q.weight', Float32Array.from({ length: 64 }, (_, i) => 1 + (i % 8))],
    ]);
    const plain = quantizeWeights(model, { type: 'iq4_nl', tensors: ['blk.0.attn_q.weight'] });
    const weighted = quantizeWeights(model, {
      type: 'iq4_nl',
      tensors: ['blk.0.attn_q.weight'],
      imatrix,
    });
    expect(bitsEqual(plain.model.layers[0].wq, weighted.model.layers[0].wq)).toBe(false);
  });
});
