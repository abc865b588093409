// Test fixture (not exported): a small random Llama model and a 300-piece llama2.c-style
// tokenizer, as the bytes of llama2.c files, so tests can go through loadModel like the site does.
import { writeLlama2cCheckpoint, writeLlama2cTokenizer } from '@explorables/weights';
import type { ModelConfigInput } from '../model/config.ts';
import { randomModel } from '../model/test-model.ts';
import { llama2cFromModel, type ModelWeights } from '../model/weights.ts';

/** The fixture model's shape: 300 ids (3 controls, 256 bytes, 41 text pieces), 96 positions. */
export const FIXTURE_CONFIG: ModelConfigInput = {
  dim: 24,
  hiddenDim: 40,
  nLayers: 2,
  nHeads: 6,
  nKvHeads: 2,
  vocabSize: 300,
  seqLen: 96,
};

const MERGES = ['th', 'he', ' t', ' a', 'an', 'in', 'er', 'on', 're', 'at', 'en', 'nd', 'ed', 'es'];

/**
 * Pieces and scores like tok512's layout: <unk>, <s>, </s>, <0x00>..<0xFF>, ' ', a..z, merges.
 * @example fixtureVocab().pieces.length // 300
 */
export function fixtureVocab(): { pieces: string[]; scores: Float32Array } {
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n'];
  for (let b = 0; b < 256; b++) pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  pieces.push(' ');
  for (let c = 0; c < 26; c++) pieces.push(String.fromCharCode(97 + c));
  pieces.push(...MERGES);
  const scores = new Float32Array(pieces.length);
  MERGES.forEach((_, i) => {
    scores[pieces.length - MERGES.length + i] = -i;
  });
  for (let i = 0; i < pieces.length - MERGES.length; i++) scores[i] = -1000;
  return { pieces, scores };
}

/**
 * The fixture as llama2.c files (fresh ArrayBuffers each call) and the model they hold.
 * @example const { checkpoint, tokenizer } = fixtureFiles()
 */
export function fixtureFiles(seed = 3): {
  checkpoint: ArrayBuffer;
  tokenizer: ArrayBuffer;
  model: ModelWeights;
} {
  const model = randomModel(FIXTURE_CONFIG, seed);
  const checkpoint = writeLlama2cCheckpoint(llama2cFromModel(model), { version: 0 });
  const tokenizer = writeLlama2cTokenizer(fixtureVocab());
  return {
    checkpoint: checkpoint.slice().buffer,
    tokenizer: tokenizer.slice().buffer,
    model,
  };
}
