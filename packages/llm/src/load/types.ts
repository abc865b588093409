import type { ByteSource } from '@explorables/weights';
import type { AbortSignalLike } from '../eval/chunks.ts';
import type { ModelWeights } from '../model/weights.ts';
import type { Tokenizer } from '../tokenizer/types.ts';

/** The container formats loadModel reads. */
export type ModelFormat = 'gguf' | 'llama2c';

/** Where a load is: reported after the header and after every tensor. */
export interface LoadProgress {
  /** 'header' once the header is parsed, 'tensors' while tensors are read, 'done' at the end. */
  phase: 'header' | 'tensors' | 'done';
  /** Bytes read from the source so far. */
  bytesRead: number;
  /** Size of the model file in bytes. */
  totalBytes: number;
  /** Tensors read (and dequantized) so far. */
  tensorsDone: number;
  /** Tensors the model needs. */
  tensorCount: number;
}

/** Options of loadModel. */
export interface LoadModelOptions {
  /**
   * A llama2.c tokenizer.bin (bytes or a source). Required for llama2.c checkpoints; for a GGUF it
   * replaces the tokenizer the file carries (its size must still match the model's vocabulary).
   */
  tokenizer?: Uint8Array | ByteSource;
  /**
   * Context length (positions) to allow instead of the file's (`<arch>.context_length` or llama2.c
   * seq_len), as llama.cpp's `-c` lets a run go past a converter's too-small value. RoPE is
   * unscaled, so going beyond the training length is the caller's choice.
   */
  contextLength?: number;
  /** Called after the header and after each tensor. */
  onProgress?: (progress: LoadProgress) => void;
  /** Cancels between tensors. */
  signal?: AbortSignalLike;
}

/** What a model file is, as far as the engine is concerned. */
export interface ModelMeta {
  format: ModelFormat;
  /** Human-readable container detail: 'GGUF v3', 'llama2.c legacy (version 0)', … */
  formatDetail: string;
  /** GGUF `general.architecture` ('llama'); 'llama' for llama2.c. */
  architecture: string;
  /** `general.name` when the file has one. */
  name?: string;
  /**
   * llama.cpp file type ('F32', 'Q4_0', 'Q4_K_M', …) from `general.file_type`; llama2.c gives
   * 'F32' (versions 0, 1) or 'Q8_0/gN' (version 2, int8 groups of N).
   */
  fileType: string;
  /** ggml type of every stored tensor by GGUF name ('f32', 'q4_0', …). */
  tensorTypes: Map<string, string>;
  /** Size of the model file in bytes. */
  sizeBytes: number;
  /** Stored parameters (every element of every tensor; a tied classifier counts once). */
  parameterCount: number;
  /** Positions the model config allows (the file's value unless overridden). */
  contextLength: number;
  /** The file's own context length before any override. */
  fileContextLength: number;
  /** True when the classifier is the token embedding (no separate output.weight). */
  tiedOutput: boolean;
  /** Names of tensors whose outlier side tables were applied after dequantizing. */
  outlierTensors: string[];
}

/** The result of loadModel. */
export interface LoadedModel {
  /** Float32 weights ready for createSession. */
  model: ModelWeights;
  tokenizer: Tokenizer;
  meta: ModelMeta;
}
