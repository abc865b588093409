import {
  type Llama2cCheckpoint,
  readLlama2cCheckpoint,
  readLlama2cTokenizer,
} from '@explorables/weights';
import { makeModelConfig } from '../model/config.ts';
import { modelFromLlama2c } from '../model/weights.ts';
import { Llama2cTokenizer } from '../tokenizer/llama2c.ts';
import type { LoadedModel, LoadModelOptions } from './types.ts';

/**
 * A tokenizer file that cannot be read or does not match its model, kept apart from model-file
 * errors so a caller can name the right file.
 * @example try { llama2cTokenizerFor(bytes, 512) } catch (e) { if (e instanceof TokenizerFileError) … }
 */
export class TokenizerFileError extends Error {
  override name = 'TokenizerFileError';
}

/** The message for a llama2.c checkpoint loaded without its tokenizer.bin. */
export const MISSING_LLAMA2C_TOKENIZER =
  "llama2.c checkpoints need their tokenizer.bin (loadModel's `tokenizer` option)";

/**
 * Counts the entries of a llama2.c tokenizer.bin (int32 max_token_length, then per entry a float32
 * score, an int32 length and that many bytes) without knowing the vocabulary size; throws when
 * the entries do not tile the file exactly.
 * @example countLlama2cTokens(tok512Bytes) // 512
 */
export function countLlama2cTokens(bytes: Uint8Array): number {
  if (bytes.length < 4) {
    throw new TokenizerFileError(
      `llama2.c tokenizer: the file is ${bytes.length} bytes; its header needs 4`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 4;
  let count = 0;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) {
      throw new TokenizerFileError(
        `llama2.c tokenizer: entry ${count} at byte ${offset} is cut off: ${bytes.length - offset} ` +
          'bytes left, expected 8 (score, length) and the piece',
      );
    }
    const length = view.getInt32(offset + 4, true);
    if (length < 0 || offset + 8 + length > bytes.length) {
      throw new TokenizerFileError(
        `llama2.c tokenizer: entry ${count} at byte ${offset} has length ${length}; only ` +
          `${bytes.length - offset - 8} bytes follow (is this a tokenizer.bin?)`,
      );
    }
    offset += 8 + length;
    count++;
  }
  return count;
}

/**
 * The llama2.c tokenizer for a vocabulary of `vocabSize`, checking first that the file holds that
 * many entries (a mismatch names both numbers). Errors are TokenizerFileError.
 * @example llama2cTokenizerFor(tok512Bytes, 512).encode('Once', { bos: true })
 */
export function llama2cTokenizerFor(bytes: Uint8Array, vocabSize: number): Llama2cTokenizer {
  const count = countLlama2cTokens(bytes);
  if (count !== vocabSize) {
    throw new TokenizerFileError(
      `the tokenizer has ${count} tokens but the model's vocabulary is ${vocabSize}; ` +
        'the tokenizer does not match the model',
    );
  }
  return new Llama2cTokenizer(readLlama2cTokenizer(bytes, vocabSize));
}

/**
 * Loads a llama2.c checkpoint held in `bytes` with its tokenizer.bin (see loadModel).
 * @example const { model, tokenizer } = loadLlama2c(checkpointBytes, tok512Bytes, {})
 */
export function loadLlama2c(
  bytes: Uint8Array,
  tokenizerBytes: Uint8Array | undefined,
  options: LoadModelOptions,
): LoadedModel {
  if (tokenizerBytes === undefined) {
    throw new Error(MISSING_LLAMA2C_TOKENIZER);
  }
  let checkpoint: Llama2cCheckpoint;
  try {
    checkpoint = readLlama2cCheckpoint(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`llama2.c checkpoint is truncated or malformed: ${why}`);
  }
  const c = checkpoint.config;
  const tokenizer = llama2cTokenizerFor(tokenizerBytes, c.vocabSize);
  let model = modelFromLlama2c(checkpoint);
  if (options.contextLength !== undefined && options.contextLength !== c.seqLen) {
    model = {
      ...model,
      config: makeModelConfig({ ...model.config, seqLen: options.contextLength }),
    };
  }
  const tensorTypes = new Map<string, string>();
  let parameterCount = 0;
  const weightType = checkpoint.version === 2 ? `q8/g${checkpoint.groupSize}` : 'f32';
  const add = (name: string, values: Float32Array, type: string) => {
    tensorTypes.set(name, type);
    parameterCount += values.length;
  };
  add('token_embd.weight', model.tokenEmbedding, weightType);
  model.layers.forEach((layer, l) => {
    const p = `blk.${l}.`;
    add(`${p}attn_norm.weight`, layer.attnNorm, 'f32');
    add(`${p}attn_q.weight`, layer.wq, weightType);
    add(`${p}attn_k.weight`, layer.wk, weightType);
    add(`${p}attn_v.weight`, layer.wv, weightType);
    add(`${p}attn_output.weight`, layer.wo, weightType);
    add(`${p}ffn_norm.weight`, layer.ffnNorm, 'f32');
    add(`${p}ffn_gate.weight`, layer.w1, weightType);
    add(`${p}ffn_down.weight`, layer.w2, weightType);
    add(`${p}ffn_up.weight`, layer.w3, weightType);
  });
  add('output_norm.weight', model.outputNorm, 'f32');
  const tied = model.output === model.tokenEmbedding;
  if (!tied) add('output.weight', model.output, weightType);
  const detail =
    checkpoint.version === 0
      ? 'llama2.c legacy (version 0)'
      : checkpoint.version === 1
        ? 'llama2.c "ak42" version 1 (fp32)'
        : `llama2.c "ak42" version 2 (int8 groups of ${checkpoint.groupSize})`;
  const tensorCount = tensorTypes.size;
  options.onProgress?.({
    phase: 'done',
    bytesRead: bytes.length,
    totalBytes: bytes.length,
    tensorsDone: tensorCount,
    tensorCount,
  });
  return {
    model,
    tokenizer,
    meta: {
      format: 'llama2c',
      formatDetail: detail,
      architecture: 'llama',
      fileType: checkpoint.version === 2 ? `Q8_0/g${checkpoint.groupSize}` : 'F32',
      tensorTypes,
      sizeBytes: bytes.length,
      parameterCount,
      contextLength: model.config.seqLen,
      fileContextLength: c.seqLen,
      tiedOutput: tied,
      outlierTensors: [],
    },
  };
}
