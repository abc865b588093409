export {
  type LayerTensorName,
  restoreWeight,
  tensorShape,
  type WeightCoord,
  weightAt,
  withWeight,
  zeroWeight,
} from './edit.ts';
export * from './eval/index.ts';
export {
  checkContextFits,
  kldBaseInMemory,
  type ModelEvalOptions,
  modelEvalChunk,
  type RunKldOptions,
  type RunPerplexityOptions,
  runKld,
  runKldBase,
  runPerplexity,
} from './evaluate.ts';
export {
  type GeneratedToken,
  type GenerateOptions,
  type GenerationResult,
  generate,
} from './generate.ts';
export * from './load/index.ts';
export {
  type ModelConfig,
  type ModelConfigInput,
  makeModelConfig,
  type RopeLayout,
} from './model/config.ts';
export { Forward } from './model/forward.ts';
export { dot, matmul, rmsnorm, softmaxF32 } from './model/kernels.ts';
export { RopeTables } from './model/rope.ts';
export {
  ggufLayerNames,
  type LayerWeights,
  type Llama2cCheckpointLike,
  llama2cFromModel,
  type ModelWeights,
  modelFromLlama2c,
  modelFromTensors,
  type TensorSource,
} from './model/weights.ts';
export {
  measureTtft,
  PromptCache,
  type PromptCacheEntryInfo,
  type PromptCacheResult,
  type PromptCacheRunOptions,
  type PromptCacheStats,
  type StoreOutcome,
  type TtftOptions,
  type TtftResult,
  type TtftRun,
} from './prompt-cache.ts';
export {
  modelTensors,
  type QuantizedTensorReport,
  type QuantizedWeights,
  type QuantizeLikeFileTypeOptions,
  type QuantizeWeightsCommon,
  type QuantizeWeightsOptions,
  quantizeWeights,
  quantizeWeightsLikeFileType,
  type TiedOutput,
} from './quantized.ts';
export * from './rpc/index.ts';
export {
  argmax,
  RunCRandom,
  Sampler,
  type SamplerOptions,
  sampleMult,
  sampleTopP,
} from './sample.ts';
export {
  createSession,
  type KvState,
  type PrefillOptions,
  type Session,
  type SessionOptions,
} from './session.ts';
export {
  type ActivationSpike,
  findSuperWeights,
  type SuperWeightCandidate,
  type SuperWeightOptions,
  type TextPerplexity,
  textPerplexity,
} from './superweights.ts';
export {
  BpeTokenizer,
  type BpeVocab,
  byteToUnicode,
  SUPPORTED_BPE_PRE_TOKENIZERS,
} from './tokenizer/bpe.ts';
export { type GgufMetadata, tokenizerFromGgufMetadata } from './tokenizer/gguf.ts';
export { Llama2cTokenizer, type Llama2cVocab } from './tokenizer/llama2c.ts';
export { mergeSymbols, type PairPriority } from './tokenizer/merge-queue.ts';
export { SpmTokenizer, type SpmVocab, TokenType } from './tokenizer/spm.ts';
export type { EncodeOptions, Tokenizer, TokenizerKind } from './tokenizer/types.ts';
export { concatBytes, Utf8Stream, utf8Decode, utf8Encode } from './tokenizer/utf8.ts';
export {
  type ActivationPeak,
  attentionRowOffset,
  type Trace,
  type TraceCapture,
  type TraceOptions,
  traceForward,
  traceSizeBytes,
} from './trace/trace.ts';
export * from './worker/index.ts';
