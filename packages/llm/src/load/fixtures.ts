/**
 * Tiny random models as llama2.c and GGUF files, for tests of the loader, the quantized models and
 * the CLI verbs. Not exported from the package.
 */

import {
  type Llama2cCheckpoint,
  llama2cToGguf,
  quantizeModel,
  readLlama2cCheckpoint,
  readLlama2cTokenizer,
  sourceFromGgufInput,
  writeGguf,
  writeGgufChunks,
  writeLlama2cCheckpoint,
  writeLlama2cTokenizer,
} from '@explorables/weights';
import type { ModelConfigInput } from '../model/config.ts';
import { randomModel } from '../model/test-model.ts';
import { llama2cFromModel } from '../model/weights.ts';
import type { QuantizeWeightsCommon } from '../quantized.ts';

/** The default test shape: rows of 64 fit every 32-block type, ffn_down rows of 100 fit none. */
export const TEST_CONFIG: ModelConfigInput = {
  dim: 64,
  hiddenDim: 100,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: 48,
  seqLen: 64,
};

/**
 * The pieces of a small llama2.c vocabulary of `vocabSize` ≥ 33: <unk>, BOS, EOS, ' ', '\n', '.',
 * ',', the letters, then merges ' a', ' b', … and longer made-up pieces.
 * @example testPieces(48)[3] // ' '
 */
export function testPieces(vocabSize: number): string[] {
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n', ' ', '\n', '.', ','];
  for (let c = 0; c < 26 && pieces.length < vocabSize; c++)
    pieces.push(String.fromCharCode(97 + c));
  for (let c = 0; pieces.length < vocabSize; c++) {
    const a = String.fromCharCode(97 + (c % 26));
    pieces.push(c < 26 ? ` ${a}` : `${a}${String.fromCharCode(97 + ((c * 7) % 26))}${c}`);
  }
  return pieces;
}

/**
 * A llama2.c tokenizer.bin for testPieces(vocabSize) (merge scores −(id − 33)).
 * @example testTokenizerBytes(48).length
 */
export function testTokenizerBytes(vocabSize: number): Uint8Array {
  const pieces = testPieces(vocabSize);
  return writeLlama2cTokenizer({ pieces, scores: pieces.map((_, id) => (id < 33 ? 0 : 33 - id)) });
}

/** A random model as a legacy llama2.c checkpoint, with its parsed form and tokenizer.bin. */
export interface TestFiles {
  checkpointBytes: Uint8Array;
  checkpoint: Llama2cCheckpoint;
  tokenizerBytes: Uint8Array;
}

/**
 * A seeded random model written as a llama2.c legacy checkpoint (shared classifier unless
 * `tied` is false) plus its tokenizer.bin.
 * @example const { checkpointBytes, tokenizerBytes } = testLlama2cFiles()
 */
export function testLlama2cFiles(
  input: ModelConfigInput = TEST_CONFIG,
  seed = 3,
  tied = true,
): TestFiles {
  const m = randomModel(input, seed, tied);
  const c = m.config;
  const checkpointBytes = writeLlama2cCheckpoint(llama2cFromModel(m), { version: 0 });
  return {
    checkpointBytes,
    checkpoint: readLlama2cCheckpoint(checkpointBytes),
    tokenizerBytes: testTokenizerBytes(c.vocabSize),
  };
}

/**
 * The F32 GGUF llama.cpp's converter would write for the test files.
 * @example loadModel(testF32Gguf(testLlama2cFiles()))
 */
export function testF32Gguf(files: TestFiles, contextLength?: number): Uint8Array {
  const tok = readLlama2cTokenizer(files.tokenizerBytes, files.checkpoint.config.vocabSize);
  return writeGguf(llama2cToGguf(files.checkpoint, tok, { contextLength }));
}

/**
 * The GGUF `quantizeModel` writes for the test files at a llama.cpp file type.
 * @example await testQuantizedGguf(testLlama2cFiles(), 'Q4_0')
 */
export async function testQuantizedGguf(
  files: TestFiles,
  fileType: string,
  options: Pick<QuantizeWeightsCommon, 'outliers'> = {},
): Promise<Uint8Array> {
  const tok = readLlama2cTokenizer(files.tokenizerBytes, files.checkpoint.config.vocabSize);
  const source = sourceFromGgufInput(llama2cToGguf(files.checkpoint, tok));
  const q = await quantizeModel(source, {
    fileType: fileType as Parameters<typeof quantizeModel>[1]['fileType'],
    outliers: options.outliers,
  });
  const pieces: Uint8Array[] = [];
  for await (const piece of writeGgufChunks(q.output)) pieces.push(piece);
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
