// Loading stories260K and quantizing it like llama-quantize, against the tensor table of the
// llama.cpp reference (/work/shared/reference/llamacpp-ppl/tensors.tsv).

import { describeShared, readShared } from '@explorables/testkit';
import { expect, it } from 'vitest';
import { loadModel } from './load/load-model.ts';
import { quantizeWeightsLikeFileType } from './quantized.ts';

const needs = [
  ['models', 'stories260K.bin'],
  ['models', 'tok512.bin'],
  ['reference', 'llamacpp-ppl/tensors.tsv'],
] as const;

describeShared('loadModel(stories260K) and llama-quantize’s tensor table', needs, () => {
  const rows = new TextDecoder()
    .decode(readShared('reference', 'llamacpp-ppl/tensors.tsv'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [model, tensor, type, ne0, ne1, bytes] = line.split('\t');
      return { model, tensor, type, ne0: Number(ne0), ne1: Number(ne1), bytes: Number(bytes) };
    });

  it('loadModel(stories260K.bin, { tokenizer: tok512.bin }) describes the model', async () => {
    const { model, meta, tokenizer } = await loadModel(readShared('models', 'stories260K.bin'), {
      tokenizer: readShared('models', 'tok512.bin'),
    });
    expect(meta).toMatchObject({
      format: 'llama2c',
      fileType: 'F32',
      parameterCount: 260032,
      contextLength: 512,
      sizeBytes: 1056540,
      tiedOutput: true,
    });
    expect(model.config).toMatchObject({ dim: 64, hiddenDim: 172, nLayers: 5, nKvHeads: 4 });
    expect(tokenizer.vocabSize).toBe(512);
  });

  const types = ['Q8_0', 'Q6_K', 'Q5_1', 'Q5_0', 'Q4_1', 'Q4_0', 'Q4_K_M', 'Q3_K_M', 'Q2_K'];
  for (const fileType of types) {
    it(`quantizeWeightsLikeFileType(model, '${fileType}') picks llama-quantize's type and size for every matrix`, async () => {
      const { model } = await loadModel(readShared('models', 'stories260K.bin'), {
        tokenizer: readShared('models', 'tok512.bin'),
      });
      const { report } = quantizeWeightsLikeFileType(model, fileType);
      const expected = rows.filter((r) => r.model === fileType && r.ne1 > 1);
      expect(report.length).toBe(expected.length);
      const byName = new Map(report.map((r) => [r.name, r]));
      for (const row of expected) {
        const ours = byName.get(row.tensor);
        expect(ours?.type, row.tensor).toBe(row.type);
        expect(ours?.bytes, row.tensor).toBe(row.bytes);
        expect([ours?.cols, ours?.rows], row.tensor).toEqual([row.ne0, row.ne1]);
      }
    });
  }
});
