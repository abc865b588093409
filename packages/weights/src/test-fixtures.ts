import type { ByteSource } from './byte-source.ts';
import { bytesSource } from './byte-source.ts';
import { GGML_TYPE_ID } from './ggml-types.ts';
import type { GgufMetadataEntry } from './gguf-types.ts';
import type { GgufWriteInput, GgufWriteTensor } from './gguf-write.ts';
import type { Llama2cConfig, Llama2cTensors } from './llama2c/checkpoint.ts';
import type { SafetensorsWriteInput } from './safetensors.ts';

/**
 * Test helper: a ByteSource over `bytes` that records every [offset, length] it is asked for.
 * @example const source = recordingSource(bytes); await readGguf(source); source.reads
 */
export function recordingSource(bytes: Uint8Array): ByteSource & { reads: [number, number][] } {
  const inner = bytesSource(bytes);
  const reads: [number, number][] = [];
  return {
    sizeBytes: inner.sizeBytes,
    reads,
    read(offset, length) {
      reads.push([offset, length]);
      return inner.read(offset, length);
    },
  };
}

/**
 * Test helper: `n` bytes following a simple deterministic pattern (i * 31 + seed mod 256).
 * @example patternBytes(4, 1) // Uint8Array [1, 32, 63, 94]
 */
export function patternBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/**
 * Test helper: the little-endian bytes of float32 values.
 * @example f32Bytes([1]) // Uint8Array [0, 0, 0x80, 0x3f]
 */
export function f32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Test helper: metadata with one entry of every type, nested arrays and 64-bit extremes. */
export function sampleMetadata(): GgufMetadataEntry[] {
  return [
    { key: 'general.architecture', value: { type: 'string', value: 'llama' } },
    { key: 'general.name', value: { type: 'string', value: 'tiny “model” é 𝄞' } },
    { key: 'u8', value: { type: 'uint8', value: 255 } },
    { key: 'i8', value: { type: 'int8', value: -128 } },
    { key: 'u16', value: { type: 'uint16', value: 65535 } },
    { key: 'i16', value: { type: 'int16', value: -32768 } },
    { key: 'u32', value: { type: 'uint32', value: 4294967295 } },
    { key: 'i32', value: { type: 'int32', value: -2147483648 } },
    { key: 'f32', value: { type: 'float32', value: Math.fround(0.1) } },
    { key: 'f32.nan', value: { type: 'float32', value: Number.NaN } },
    { key: 'f32.negzero', value: { type: 'float32', value: -0 } },
    { key: 'f64', value: { type: 'float64', value: 0.1 } },
    { key: 'f64.inf', value: { type: 'float64', value: Number.NEGATIVE_INFINITY } },
    { key: 'bool.t', value: { type: 'bool', value: true } },
    { key: 'bool.f', value: { type: 'bool', value: false } },
    { key: 'u64.small', value: { type: 'uint64', value: 260032 } },
    { key: 'u64.max', value: { type: 'uint64', value: 2n ** 64n - 1n } },
    { key: 'u64.2^53', value: { type: 'uint64', value: 2n ** 53n } },
    { key: 'i64.min', value: { type: 'int64', value: -(2n ** 63n) } },
    { key: 'i64.neg', value: { type: 'int64', value: -5 } },
    { key: 'empty', value: { type: 'string', value: '' } },
    {
      key: 'tokenizer.ggml.tokens',
      value: { type: 'array', itemType: 'string', value: ['<unk>', '<s>', ' the', ''] },
    },
    {
      key: 'tokenizer.ggml.scores',
      value: { type: 'array', itemType: 'float32', value: new Float32Array([0, -1.5, Number.NaN]) },
    },
    {
      key: 'tokenizer.ggml.token_type',
      value: { type: 'array', itemType: 'int32', value: new Int32Array([2, 3, 1, -7]) },
    },
    { key: 'a.u8', value: { type: 'array', itemType: 'uint8', value: new Uint8Array([0, 255]) } },
    { key: 'a.i8', value: { type: 'array', itemType: 'int8', value: new Int8Array([-128, 127]) } },
    { key: 'a.u16', value: { type: 'array', itemType: 'uint16', value: new Uint16Array([65535]) } },
    { key: 'a.i16', value: { type: 'array', itemType: 'int16', value: new Int16Array([-32768]) } },
    { key: 'a.u32', value: { type: 'array', itemType: 'uint32', value: new Uint32Array([1, 2]) } },
    {
      key: 'a.f64',
      value: { type: 'array', itemType: 'float64', value: new Float64Array([1e300]) },
    },
    {
      key: 'a.u64',
      value: { type: 'array', itemType: 'uint64', value: new BigUint64Array([0n, 2n ** 64n - 1n]) },
    },
    {
      key: 'a.i64',
      value: { type: 'array', itemType: 'int64', value: new BigInt64Array([-(2n ** 63n), 7n]) },
    },
    { key: 'a.bool', value: { type: 'array', itemType: 'bool', value: [true, false, true] } },
    { key: 'a.empty', value: { type: 'array', itemType: 'string', value: [] } },
    {
      key: 'a.nested',
      value: {
        type: 'array',
        itemType: 'array',
        value: [
          { type: 'array', itemType: 'uint8', value: new Uint8Array([1, 2, 3]) },
          {
            type: 'array',
            itemType: 'array',
            value: [{ type: 'array', itemType: 'string', value: ['deep'] }],
          },
          { type: 'array', itemType: 'bool', value: [] },
        ],
      },
    },
  ];
}

/** Test helper: three small tensors (f32, f16 and q8_0) with patterned data. */
export function sampleTensors(): GgufWriteTensor[] {
  return [
    { name: 'token_embd.weight', type: GGML_TYPE_ID.f32, dims: [4, 3], data: patternBytes(48, 1) },
    { name: 'blk.0.attn_q.weight', type: GGML_TYPE_ID.f16, dims: [5], data: patternBytes(10, 2) },
    { name: 'output.weight', type: GGML_TYPE_ID.q8_0, dims: [64, 2], data: patternBytes(136, 3) },
  ];
}

/** Test helper: a complete GGUF write input built from sampleMetadata and sampleTensors. */
export function sampleGgufInput(): GgufWriteInput {
  return { metadata: sampleMetadata(), tensors: sampleTensors() };
}

/** Test helper: a small safetensors write input with metadata and three dtypes. */
export function sampleSafetensorsInput(): SafetensorsWriteInput {
  return {
    metadata: { format: 'pt', note: 'é' },
    tensors: [
      { name: 'w', dtype: 'F32', shape: [2, 3], data: f32Bytes([1, 2, 3, -4, 0.5, -0]) },
      { name: 'h', dtype: 'F16', shape: [2], data: new Uint8Array([0x00, 0x3c, 0x00, 0xc0]) },
      { name: 'b', dtype: 'BF16', shape: [1], data: new Uint8Array([0x80, 0x3f]) },
      { name: 'empty', dtype: 'I64', shape: [0, 4], data: new Uint8Array(0) },
    ],
  };
}

/**
 * A tiny llama2.c model (dim 8, hidden 12, 2 layers, 4 heads over 2 kv heads, vocab 10, seq_len
 * 6) whose tensors come from `values(n, seed)`; the classifier is the embedding when `shared`.
 * @example writeLlama2cCheckpoint(sampleLlama2cModel(true, (n) => new Float32Array(n)))
 */
export function sampleLlama2cModel(
  shared: boolean,
  values: (n: number, seed: number) => Float32Array,
): { config: Llama2cConfig; tensors: Llama2cTensors } {
  const config: Llama2cConfig = {
    dim: 8,
    hiddenDim: 12,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    vocabSize: 10,
    seqLen: 6,
    sharedClassifier: shared,
  };
  let s = 1;
  const per = (n: number) => [values(n, s++), values(n, s++)];
  const tokenEmbedding = values(80, s++);
  return {
    config,
    tensors: {
      tokenEmbedding,
      rmsAtt: per(8),
      wq: per(64),
      wk: per(32),
      wv: per(32),
      wo: per(64),
      rmsFfn: per(8),
      w1: per(96),
      w2: per(96),
      w3: per(96),
      rmsFinal: values(8, s++),
      wcls: shared ? tokenEmbedding : values(80, s++),
    },
  };
}
