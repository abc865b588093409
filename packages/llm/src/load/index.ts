export {
  fileTypeName,
  loadGguf,
  plainGgufMetadata,
  SUPPORTED_GGUF_ARCHITECTURES,
} from './gguf.ts';
export {
  countLlama2cTokens,
  llama2cTokenizerFor,
  loadLlama2c,
  MISSING_LLAMA2C_TOKENIZER,
  TokenizerFileError,
} from './llama2c.ts';
export {
  type LoadedTokenizer,
  loadModel,
  loadTokenizer,
  type SniffedFormat,
  sniffModelFormat,
} from './load-model.ts';
export type {
  LoadedModel,
  LoadModelOptions,
  LoadProgress,
  ModelFormat,
  ModelMeta,
} from './types.ts';
