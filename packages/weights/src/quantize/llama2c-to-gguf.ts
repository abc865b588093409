// A llama2.c checkpoint and its tokenizer.bin as a Llama-architecture GGUF, laid out exactly as
// llama.cpp's convert-llama2c-to-ggml writes it (same metadata keys in the same order, same tensor
// order and names), so llama.cpp loads it and a byte comparison with llama.cpp's own output works.

import { littleEndianBytes } from '../endian.ts';
import type { GgufMetadataEntry } from '../gguf-types.ts';
import type { GgufWriteInput, GgufWriteTensor } from '../gguf-write.ts';
import type { Llama2cCheckpoint } from '../llama2c/checkpoint.ts';
import type { Llama2cTokenizerFile } from '../llama2c/tokenizer-file.ts';

/** llama.cpp's token types (llama_token_type). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** Options of llama2cToGguf. */
export interface Llama2cToGgufOptions {
  /**
   * `llama.context_length` to record. Default: the checkpoint's seq_len. llama.cpp's converter
   * always writes 128 (hard-coded); pass 128 to reproduce its file byte for byte.
   */
  readonly contextLength?: number;
  /** `general.name`; llama.cpp's converter writes 'llama'. */
  readonly name?: string;
}

const UNDEFINED_TOKEN_ID = 0xffffffff;

/**
 * The GGUF vocabulary of a llama2.c tokenizer as llama.cpp's converter builds it: ids 0/1/2 become
 * <unk>/<s>/</s>, `<0xNN>` pieces are BYTE tokens, spaces are written as U+2581 (▁).
 * @example llamaVocabFromLlama2c(tok).tokens[410] // '▁'
 */
export function llamaVocabFromLlama2c(tokenizer: Llama2cTokenizerFile): {
  tokens: string[];
  scores: Float32Array;
  tokenTypes: Int32Array;
} {
  const n = tokenizer.pieces.length;
  const tokens: string[] = [];
  const tokenTypes = new Int32Array(n);
  for (let id = 0; id < n; id++) {
    let text = tokenizer.pieces[id];
    let type: number = TOKEN_TYPE.normal;
    if (id === 0) {
      text = '<unk>';
      type = TOKEN_TYPE.unknown;
    } else if (id === 1) {
      text = '<s>';
      type = TOKEN_TYPE.control;
    } else if (id === 2) {
      text = '</s>';
      type = TOKEN_TYPE.control;
    } else if (text.length === 0) {
      type = TOKEN_TYPE.control;
    } else if (/^<0x[0-9A-Fa-f]/.test(text)) {
      // llama.cpp tests with sscanf("<0x%02hhX>"), which succeeds once one hex digit is read.
      type = TOKEN_TYPE.byte;
    }
    tokens.push(text.replaceAll(' ', '\u2581'));
    tokenTypes[id] = type;
  }
  return { tokens, scores: tokenizer.scores, tokenTypes };
}

const u32 = (value: number) => ({ type: 'uint32' as const, value });
const str = (value: string) => ({ type: 'string' as const, value });

/**
 * Builds the GGUF (metadata and F32 tensors) for a llama2.c checkpoint and its tokenizer; pass the
 * result to writeGguf or writeGgufChunks.
 * @example writeGguf(llama2cToGguf(readLlama2cCheckpoint(model), readLlama2cTokenizer(tok, 512)))
 */
export function llama2cToGguf(
  checkpoint: Llama2cCheckpoint,
  tokenizer: Llama2cTokenizerFile,
  options: Llama2cToGgufOptions = {},
): GgufWriteInput<GgufWriteTensor> {
  const c = checkpoint.config;
  if (tokenizer.pieces.length !== c.vocabSize) {
    throw new Error(
      `tokenizer has ${tokenizer.pieces.length} tokens but the model's vocabulary is ` +
        `${c.vocabSize}; expected the tokenizer.bin that belongs to this model`,
    );
  }
  const vocab = llamaVocabFromLlama2c(tokenizer);
  const headSize = c.dim / c.nHeads;
  const metadata: GgufMetadataEntry[] = [
    {
      key: 'tokenizer.ggml.tokens',
      value: { type: 'array', itemType: 'string', value: vocab.tokens },
    },
    {
      key: 'tokenizer.ggml.scores',
      value: { type: 'array', itemType: 'float32', value: vocab.scores },
    },
    {
      key: 'tokenizer.ggml.token_type',
      value: { type: 'array', itemType: 'int32', value: vocab.tokenTypes },
    },
    { key: 'tokenizer.ggml.model', value: str('llama') },
    { key: 'general.architecture', value: str('llama') },
    { key: 'general.name', value: str(options.name ?? 'llama') },
    { key: 'tokenizer.ggml.unknown_token_id', value: u32(0) },
    { key: 'tokenizer.ggml.bos_token_id', value: u32(1) },
    { key: 'tokenizer.ggml.eos_token_id', value: u32(2) },
    // The misspelling is llama.cpp's key name.
    { key: 'tokenizer.ggml.seperator_token_id', value: u32(UNDEFINED_TOKEN_ID) },
    { key: 'tokenizer.ggml.padding_token_id', value: u32(UNDEFINED_TOKEN_ID) },
    { key: 'llama.context_length', value: u32(options.contextLength ?? c.seqLen) },
    { key: 'llama.embedding_length', value: u32(c.dim) },
    { key: 'llama.feed_forward_length', value: u32(c.hiddenDim) },
    { key: 'llama.attention.head_count', value: u32(c.nHeads) },
    { key: 'llama.attention.head_count_kv', value: u32(c.nKvHeads) },
    { key: 'llama.block_count', value: u32(c.nLayers) },
    { key: 'llama.rope.dimension_count', value: u32(headSize) },
    {
      key: 'llama.attention.layer_norm_rms_epsilon',
      value: { type: 'float32', value: Math.fround(1e-5) },
    },
  ];
  const t = checkpoint.tensors;
  const kvDim = c.nKvHeads * headSize;
  const f32 = (name: string, dims: number[], data: Float32Array): GgufWriteTensor => ({
    name,
    type: 0,
    dims,
    data: littleEndianBytes(data),
  });
  const tensors: GgufWriteTensor[] = [
    f32('token_embd.weight', [c.dim, c.vocabSize], t.tokenEmbedding),
    f32('output_norm.weight', [c.dim], t.rmsFinal),
    f32('output.weight', [c.dim, c.vocabSize], t.wcls),
  ];
  for (let l = 0; l < c.nLayers; l++) {
    tensors.push(
      f32(`blk.${l}.attn_q.weight`, [c.dim, c.dim], t.wq[l]),
      f32(`blk.${l}.attn_k.weight`, [c.dim, kvDim], t.wk[l]),
      f32(`blk.${l}.attn_v.weight`, [c.dim, kvDim], t.wv[l]),
      f32(`blk.${l}.attn_output.weight`, [c.dim, c.dim], t.wo[l]),
      f32(`blk.${l}.attn_norm.weight`, [c.dim], t.rmsAtt[l]),
      f32(`blk.${l}.ffn_gate.weight`, [c.dim, c.hiddenDim], t.w1[l]),
      f32(`blk.${l}.ffn_down.weight`, [c.hiddenDim, c.dim], t.w2[l]),
      f32(`blk.${l}.ffn_up.weight`, [c.dim, c.hiddenDim], t.w3[l]),
      f32(`blk.${l}.ffn_norm.weight`, [c.dim], t.rmsFfn[l]),
    );
  }
  return { version: 3, metadata, tensors };
}
