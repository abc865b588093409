import { applyOutliers, dequantizeRows, ggmlType } from '@explorables/quant';
import {
  type ByteSource,
  type FileTypeName,
  fileTypeId,
  type GgufFile,
  type GgufTensorInfo,
  type GgufValue,
  outlierTablesFromMetadata,
  readGguf,
  WeightsFormatError,
} from '@explorables/weights';
import { throwIfAborted } from '../eval/chunks.ts';
import { makeModelConfig, type RopeLayout } from '../model/config.ts';
import { ggufLayerNames, modelFromTensors } from '../model/weights.ts';
import { tokenizerFromGgufMetadata } from '../tokenizer/gguf.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import type { LoadedModel, LoadModelOptions } from './types.ts';

/**
 * Architectures whose GGUF tensors map onto the engine's Llama decoder, with their RoPE layout.
 * llama.cpp's Hugging Face converter permutes attn_q/attn_k of 'llama' models so that rope type 0
 * (adjacent pairs) is right for them.
 */
export const SUPPORTED_GGUF_ARCHITECTURES: Readonly<Record<string, RopeLayout>> = {
  llama: 'adjacent',
};

const FILE_TYPE_NAMES: readonly FileTypeName[] = [
  'F32',
  'F16',
  'BF16',
  'Q8_0',
  'Q4_0',
  'Q4_1',
  'Q5_0',
  'Q5_1',
  'Q2_K',
  'Q3_K_S',
  'Q3_K_M',
  'Q3_K_L',
  'Q4_K_S',
  'Q4_K_M',
  'Q5_K_S',
  'Q5_K_M',
  'Q6_K',
  'IQ4_NL',
  'MXFP4',
];

/**
 * The llama.cpp file-type name of a `general.file_type` id ('Q4_K_M' for 15), or 'id N'.
 * @example fileTypeName(2) // 'Q4_0'
 */
export function fileTypeName(id: number): string {
  for (const name of FILE_TYPE_NAMES) if (fileTypeId(name) === id) return name;
  return `id ${id}`;
}

/** A GGUF value as a plain JS value (arrays of arrays become arrays of plain values). */
function plain(value: GgufValue): unknown {
  if (value.type !== 'array') return value.value;
  if (value.itemType === 'array') return value.value.map(plain);
  return value.value;
}

/**
 * The metadata of a GGUF file as a plain map from key to value (numbers, strings, typed arrays),
 * the form tokenizerFromGgufMetadata takes.
 * @example tokenizerFromGgufMetadata(plainGgufMetadata(file))
 */
export function plainGgufMetadata(file: Pick<GgufFile, 'metadata'>): Map<string, unknown> {
  return new Map(file.metadata.map((e) => [e.key, plain(e.value)]));
}

function numberAt(meta: Map<string, unknown>, key: string, fallback?: number): number {
  const v = meta.get(key);
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new Error(
    v === undefined
      ? `GGUF metadata ${key} is missing; the model needs it`
      : `GGUF metadata ${key} is ${String(v)}; expected a number`,
  );
}

function tensorNamesFor(nLayers: number, tied: boolean): string[] {
  const names = ['token_embd.weight', 'output_norm.weight'];
  if (!tied) names.push('output.weight');
  for (let l = 0; l < nLayers; l++) names.push(...Object.values(ggufLayerNames(l)));
  return names;
}

/**
 * Loads a GGUF Llama model from an opened source (see loadModel); `readTokenizer` may supply a
 * replacement tokenizer for the vocabulary size, else the metadata's tokenizer is used.
 * @example const loaded = await loadGguf(bytesSource(bytes), {}, async () => undefined)
 */
export async function loadGguf(
  source: ByteSource,
  options: LoadModelOptions,
  readTokenizer: (vocabSize: number) => Promise<Tokenizer | undefined>,
): Promise<LoadedModel> {
  let file: GgufFile;
  try {
    file = await readGguf(source);
  } catch (error) {
    if (error instanceof WeightsFormatError) {
      throw new Error(`GGUF model is truncated or malformed: ${error.message}`);
    }
    throw error;
  }
  const meta = plainGgufMetadata(file);
  const arch = meta.get('general.architecture');
  if (typeof arch !== 'string' || !Object.hasOwn(SUPPORTED_GGUF_ARCHITECTURES, arch)) {
    const why =
      arch === 'qwen2'
        ? ' (qwen2 needs attention biases and the NeoX RoPE layout, which this engine lacks)'
        : '';
    throw new Error(
      `GGUF general.architecture is ${JSON.stringify(arch)}${why}; supported: ` +
        `${Object.keys(SUPPORTED_GGUF_ARCHITECTURES).join(', ')} (Llama, Llama 2, TinyLlama, ` +
        'SmolLM, llama2.c conversions)',
    );
  }
  const key = (k: string) => `${arch}.${k}`;
  const scaling = meta.get(key('rope.scaling.type'));
  const factor = meta.get(key('rope.scaling.factor'));
  if (
    (typeof scaling === 'string' && scaling !== 'none' && factor !== undefined && factor !== 1) ||
    file.tensor('rope_freqs.weight') !== undefined
  ) {
    throw new Error(
      `GGUF ${key('rope.scaling.type')} = ${String(scaling)}, factor ${String(factor)}` +
        `${file.tensor('rope_freqs.weight') ? ', rope_freqs.weight present' : ''}: scaled RoPE ` +
        'is not supported by this engine',
    );
  }
  const expertCount = meta.get(key('expert_count'));
  if (typeof expertCount === 'number' && expertCount > 0) {
    throw new Error(
      `GGUF ${key('expert_count')} = ${expertCount}: mixture-of-experts models are not supported`,
    );
  }

  const dim = numberAt(meta, key('embedding_length'));
  const nHeads = numberAt(meta, key('attention.head_count'));
  const nKvHeads = numberAt(meta, key('attention.head_count_kv'), nHeads);
  const headSize = numberAt(meta, key('attention.key_length'), dim / nHeads);
  const valueLength = numberAt(meta, key('attention.value_length'), headSize);
  if (valueLength !== headSize) {
    throw new Error(
      `GGUF ${key('attention.value_length')} ${valueLength} differs from key_length ${headSize}; ` +
        'expected equal head sizes',
    );
  }
  const fileContextLength = numberAt(meta, key('context_length'));
  const embd = file.tensor('token_embd.weight');
  if (embd === undefined) throw new Error('GGUF tensor token_embd.weight is missing');
  const tokens = meta.get('tokenizer.ggml.tokens');
  const vocabSize = Array.isArray(tokens) ? tokens.length : (embd.dims[1] ?? 0);
  if (embd.dims[1] !== vocabSize) {
    throw new Error(
      `GGUF vocabulary has ${vocabSize} tokens (tokenizer.ggml.tokens) but token_embd.weight has ` +
        `${embd.dims[1]} rows; the tokenizer does not match the model`,
    );
  }
  const config = makeModelConfig({
    dim,
    hiddenDim: numberAt(meta, key('feed_forward_length')),
    nLayers: numberAt(meta, key('block_count')),
    nHeads,
    nKvHeads,
    vocabSize,
    seqLen: options.contextLength ?? fileContextLength,
    headSize,
    ropeDims: numberAt(meta, key('rope.dimension_count'), headSize),
    ropeTheta: numberAt(meta, key('rope.freq_base'), 10000),
    ropeLayout: SUPPORTED_GGUF_ARCHITECTURES[arch],
    rmsEps: numberAt(meta, key('attention.layer_norm_rms_epsilon')),
  });

  const tied = file.tensor('output.weight') === undefined;
  const needed = tensorNamesFor(config.nLayers, tied);
  const neededSet = new Set(needed);
  const extra = file.tensors.filter((t) => !neededSet.has(t.name)).map((t) => t.name);
  if (extra.length > 0) {
    throw new Error(
      `GGUF has tensors this Llama engine does not use: ${extra.slice(0, 5).join(', ')}` +
        `${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}; expected exactly ` +
        'token_embd, output_norm, output (optional) and blk.N.{attn_norm, attn_q, attn_k, ' +
        'attn_v, attn_output, ffn_norm, ffn_gate, ffn_down, ffn_up}',
    );
  }
  const outlierTables = outlierTablesFromMetadata(file.metadata, (n) => file.tensor(n)?.dims);

  const totalBytes = file.fileSizeBytes;
  let bytesRead = file.dataOffsetBytes;
  const tensorCount = needed.length;
  options.onProgress?.({ phase: 'header', bytesRead, totalBytes, tensorsDone: 0, tensorCount });
  const values = new Map<string, Float32Array>();
  for (const name of needed) {
    throwIfAborted(options.signal);
    const info = file.tensor(name);
    if (info === undefined) throw new Error(`GGUF tensor ${name} is missing`);
    const data = await decodeTensor(file, info);
    const table = outlierTables.get(name);
    values.set(name, table ? applyOutliers(data, table) : data);
    bytesRead += info.sizeBytes;
    options.onProgress?.({
      phase: 'tensors',
      bytesRead,
      totalBytes,
      tensorsDone: values.size,
      tensorCount,
    });
  }
  const model = modelFromTensors(config, (n) => values.get(n));

  const tokenizer = (await readTokenizer(vocabSize)) ?? tokenizerFromGgufMetadata(meta);
  if (tokenizer.vocabSize !== vocabSize) {
    throw new Error(
      `the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ` +
        `${vocabSize}; the tokenizer does not match the model`,
    );
  }
  const fileTypeId = meta.get('general.file_type');
  const tensorTypes = new Map(file.tensors.map((t) => [t.name, t.typeName]));
  const allF32 = [...tensorTypes.values()].every((t) => t === 'f32');
  const name = meta.get('general.name');
  options.onProgress?.({
    phase: 'done',
    bytesRead,
    totalBytes,
    tensorsDone: tensorCount,
    tensorCount,
  });
  return {
    model,
    tokenizer,
    meta: {
      format: 'gguf',
      formatDetail: `GGUF v${file.version}`,
      architecture: arch,
      ...(typeof name === 'string' ? { name } : {}),
      fileType:
        typeof fileTypeId === 'number' ? fileTypeName(fileTypeId) : allF32 ? 'F32' : 'unspecified',
      tensorTypes,
      sizeBytes: totalBytes,
      parameterCount: file.tensors.reduce((s, t) => s + t.elementCount, 0),
      contextLength: config.seqLen,
      fileContextLength,
      tiedOutput: tied,
      outlierTensors: [...outlierTables.keys()].filter((n) => neededSet.has(n)),
    },
  };
}

async function decodeTensor(file: GgufFile, info: GgufTensorInfo): Promise<Float32Array> {
  let type: ReturnType<typeof ggmlType>;
  try {
    type = ggmlType(info.type);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `GGUF tensor ${info.name} has type ${info.typeName}, which cannot be dequantized here: ${why}`,
    );
  }
  const raw = await file.readTensorData(info);
  // GGUF data is only 32-byte aligned inside the file; give decoders an aligned copy when needed.
  const bytes = raw.byteOffset % 4 === 0 ? raw : raw.slice();
  // dequantizeRows writes a fresh array, so the weights never alias the source's memory.
  return dequantizeRows(type, bytes, info.dims[0]);
}
