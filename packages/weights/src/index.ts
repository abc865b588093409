export {
  type BlobLike,
  type ByteSource,
  blobSource,
  bytesSource,
  checkReadRange,
  readExactly,
} from './byte-source.ts';
export { type DecodableTensorInfo, tensorToFloat32 } from './decode.ts';
export { WeightsFormatError } from './errors.ts';
export {
  GGML_TYPE_ID,
  GGML_TYPE_LAYOUTS,
  type GgmlTypeLayout,
  ggmlTensorSizeBytes,
  ggmlTypeById,
  ggmlTypeByName,
  removedGgmlTypeName,
} from './ggml-types.ts';
export {
  GGUF_MAX_ARRAY_DEPTH,
  type GgufFile,
  type GgufHeader,
  type GgufReadOptions,
  type GgufTensorInfo,
  parseGgufHeader,
  readGguf,
} from './gguf-read.ts';
export * from './gguf-types.ts';
export {
  type GgufLayout,
  type GgufStreamTensor,
  type GgufTensorShape,
  type GgufWriteInput,
  type GgufWriteTensor,
  layoutGguf,
  writeGguf,
  writeGgufChunks,
} from './gguf-write.ts';
export * from './llama2c/index.ts';
export * from './quantize/index.ts';
export {
  readSafetensors,
  SAFETENSORS_DTYPE_BITS,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
  type SafetensorsWriteInput,
  type SafetensorsWriteTensor,
  writeSafetensors,
} from './safetensors.ts';
export { decodeUtf8Strict, encodeUtf8Strict, utf8Decode, utf8Encode } from './utf8.ts';
