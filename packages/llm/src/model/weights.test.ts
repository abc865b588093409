import { readLlama2cCheckpoint, writeLlama2cCheckpoint } from '@explorables/weights';
import { describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../load/fixtures.ts';
import { randomModel } from './test-model.ts';
import { llama2cFromModel, modelFromLlama2c } from './weights.ts';

describe('llama2cFromModel', () => {
  for (const tied of [true, false]) {
    it(`llama2cFromModel(model) written and read back gives the same weights (${tied ? 'shared' : 'separate'} classifier)`, () => {
      const model = randomModel(TEST_CONFIG, 5, tied);
      const ckpt = llama2cFromModel(model);
      expect(ckpt.config.sharedClassifier).toBe(tied);
      const back = modelFromLlama2c(readLlama2cCheckpoint(writeLlama2cCheckpoint(ckpt)));
      expect(back.config).toEqual(model.config);
      expect(back.tokenEmbedding).toEqual(model.tokenEmbedding);
      expect(back.output).toEqual(model.output);
      expect(back.outputNorm).toEqual(model.outputNorm);
      expect(back.layers).toEqual(model.layers);
      expect(back.output === back.tokenEmbedding).toBe(tied);
    });
  }

  it('llama2cFromModel(model) hands over the arrays themselves, not copies', () => {
    const model = randomModel(TEST_CONFIG, 6);
    const ckpt = llama2cFromModel(model);
    expect(ckpt.tensors.wq[1]).toBe(model.layers[1].wq);
    expect(ckpt.tensors.rmsFfn[0]).toBe(model.layers[0].ffnNorm);
    expect(ckpt.tensors.wcls).toBe(model.output);
  });
});
