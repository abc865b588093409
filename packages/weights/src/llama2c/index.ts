export {
  LLAMA2C_MAGIC,
  type Llama2cCheckpoint,
  type Llama2cConfig,
  type Llama2cTensorInfo,
  type Llama2cTensors,
  readLlama2cCheckpoint,
  type WriteLlama2cOptions,
  writeLlama2cCheckpoint,
} from './checkpoint.ts';
export {
  type Llama2cTokenizerFile,
  readLlama2cTokenizer,
  writeLlama2cTokenizer,
} from './tokenizer-file.ts';
