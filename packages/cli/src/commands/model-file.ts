// Opens a model file of any kind the engines read (GGUF, safetensors, llama2.c) behind one
// interface: the tensors with name, type, shape and size, and a way to read one of them as
// float32. GGUF and safetensors are read lazily through fileSource (only the header, then one
// tensor at a time); a llama2.c checkpoint is read whole, since its reader needs every byte.

import { dequantizeRows, ggmlType } from '@explorables/quant';
import {
  type GgufFile,
  type GgufTensorInfo,
  LLAMA2C_MAGIC,
  type Llama2cCheckpoint,
  type Llama2cTensorInfo,
  readGguf,
  readLlama2cCheckpoint,
  readSafetensors,
  type SafetensorsFile,
  type SafetensorsTensorInfo,
  tensorToFloat32,
  WeightsFormatError,
} from '@explorables/weights';
import { UsageError } from '../errors.ts';
import { fileSource } from '../file-source.ts';
import { checkInputFile, fileError, readWholeFile } from '../files.ts';
import { humanBytes } from '../format.ts';

/** The file formats openModelFile recognises. */
export type ModelKind = 'gguf' | 'safetensors' | 'llama2c';

/** One stored tensor, described the same way whatever the file format. */
export interface ModelTensor {
  /** Name used on the command line: the file's own, or the GGUF name for llama2.c tensors. */
  readonly name: string;
  /** llama2.c's name with the layer (`wq[0]`); null for GGUF and safetensors. */
  readonly sourceName: string | null;
  /** Storage type: ggml's name for GGUF (`q4_K`), the dtype for safetensors (`BF16`). */
  readonly type: string;
  /** Shape as the file stores it: GGUF ne0 first; safetensors and llama2.c outermost first. */
  readonly shape: readonly number[];
  /** Number of values: the product of the shape. */
  readonly elementCount: number;
  /** Bytes the tensor's data takes in the file. */
  readonly sizeBytes: number;
  /** Where the data starts, in bytes from the start of the file. */
  readonly offsetBytes: number;
  /** False for stored tables that are not parameters (llama2.c's legacy freq_cis RoPE tables). */
  readonly isWeight: boolean;
  /** A remark shown beside the tensor (why it is not a weight), or null. */
  readonly note: string | null;
  /** Why readFloat32 cannot decode this tensor (a type without a decoder), or null when it can. */
  readonly decodeProblem: string | null;
}

interface ModelFileBase {
  /** The path the file was opened from. */
  readonly path: string;
  /** File size in bytes. */
  readonly sizeBytes: number;
  /** Human-readable format, e.g. `GGUF v3` or `llama2.c checkpoint, legacy layout (version 0)`. */
  readonly format: string;
  /** Every stored tensor, weights first in file (GGUF, safetensors) or layer order (llama2.c). */
  readonly tensors: readonly ModelTensor[];
  /**
   * The tensor whose name (or llama2.c name) is `name`, or undefined.
   * @example model.tensor('blk.0.attn_q.weight')?.shape // [64, 64]
   */
  tensor(name: string): ModelTensor | undefined;
  /**
   * Reads one tensor and decodes it to float32 (quantized GGUF types through the quant registry);
   * throws when `decodeProblem` is set.
   * @example const values = await model.readFloat32(model.tensors[0])
   */
  readFloat32(tensor: ModelTensor): Promise<Float32Array>;
  /**
   * Releases the file handle (GGUF, safetensors); later reads fail.
   * @example await model.close()
   */
  close(): Promise<void>;
}

/** An opened model file, with the format's own parsed object for format-specific details. */
export type ModelFile = ModelFileBase &
  (
    | { readonly kind: 'gguf'; readonly gguf: GgufFile }
    | { readonly kind: 'safetensors'; readonly safetensors: SafetensorsFile }
    | { readonly kind: 'llama2c'; readonly llama2c: Llama2cCheckpoint }
  );

/** llama2.c checkpoints are read whole; Node reads at most this many bytes into one buffer. */
export const LLAMA2C_MAX_BYTES = 2 ** 31 - 1;

const SNIFF_BYTES = 64;

/**
 * Opens a model file, telling its kind by content: the `GGUF` magic, a safetensors header (8-byte
 * little-endian length, then `{`), else a llama2.c checkpoint (`ak42` magic for versions 1 and 2,
 * no magic for the legacy layout). Throws UsageError when the file is missing, fits none of them
 * (naming what was tried) or is malformed (the WeightsFormatError message names the byte offset).
 * @example const model = await openModelFile('stories260K.bin'); model.kind // 'llama2c'
 */
export async function openModelFile(path: string): Promise<ModelFile> {
  await checkInputFile(path);
  let source: Awaited<ReturnType<typeof fileSource>>;
  try {
    source = await fileSource(path);
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
  let keepOpen = false;
  try {
    const head = await source.read(0, Math.min(SNIFF_BYTES, source.sizeBytes));
    const sniffed = sniff(head);
    if (sniffed === 'gguf') {
      const gguf = await readGguf(source);
      keepOpen = true;
      return ggufModel(path, gguf, () => source.close());
    }
    if (sniffed === 'safetensors') {
      const safetensors = await readSafetensors(source);
      keepOpen = true;
      return safetensorsModel(path, safetensors, () => source.close());
    }
    return await llama2cModel(path, head, source.sizeBytes);
  } catch (error) {
    if (error instanceof WeightsFormatError) throw new UsageError(`'${path}': ${error.message}`);
    throw fileError('cannot read', path, error);
  } finally {
    if (!keepOpen) await source.close();
  }
}

function sniff(head: Uint8Array): ModelKind {
  if (head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55) {
    if (head[3] === 0x46) return 'gguf';
  }
  if (head.length >= 9 && head[8] === 0x7b) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    // A safetensors header length fits well below 2^32; the same bytes in a llama2.c legacy
    // header are hidden_dim, which is never 0.
    if (view.getUint32(4, true) === 0) return 'safetensors';
  }
  return 'llama2c';
}

function notAModel(path: string, head: Uint8Array, why: string): UsageError {
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new UsageError(
    `'${path}' is not a model file this reads: not GGUF (no "GGUF" magic at byte 0), not ` +
      `safetensors (no 8-byte length followed by '{'), not a llama2.c checkpoint (${why}); ` +
      `first bytes: ${hex || 'none, the file is empty'}`,
  );
}

// ---------------------------------------------------------------------------------------------
// GGUF

function ggufDecodeProblem(info: GgufTensorInfo): string | null {
  if (info.typeName === 'f32' || info.typeName === 'f16' || info.typeName === 'bf16') return null;
  try {
    ggmlType(info.type);
    return null;
  } catch {
    return `no dequantizer for ggml type ${info.typeName}`;
  }
}

function ggufModel(path: string, gguf: GgufFile, close: () => Promise<void>): ModelFile {
  const byName = new Map<string, GgufTensorInfo>();
  const tensors: ModelTensor[] = gguf.tensors.map((info) => {
    byName.set(info.name, info);
    return {
      name: info.name,
      sourceName: null,
      type: info.typeName,
      shape: info.dims,
      elementCount: info.elementCount,
      sizeBytes: info.sizeBytes,
      offsetBytes: info.absoluteOffsetBytes,
      isWeight: true,
      note: null,
      decodeProblem: ggufDecodeProblem(info),
    };
  });
  return {
    kind: 'gguf',
    gguf,
    path,
    sizeBytes: gguf.fileSizeBytes,
    format: `GGUF v${gguf.version}`,
    tensors,
    tensor: finder(tensors),
    async readFloat32(tensor) {
      const info = byName.get(tensor.name);
      if (info === undefined) throw new Error(`no GGUF tensor named ${tensor.name}`);
      if (tensor.decodeProblem !== null) throw new Error(`${tensor.name}: ${tensor.decodeProblem}`);
      const bytes = await readData(path, () => gguf.readTensorData(info));
      if (tensor.type === 'f32' || tensor.type === 'f16' || tensor.type === 'bf16') {
        return tensorToFloat32(info, bytes);
      }
      return dequantizeRows(ggmlType(info.type), bytes, info.dims[0]);
    },
    close,
  };
}

async function readData(path: string, read: () => Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof WeightsFormatError) throw new UsageError(`'${path}': ${error.message}`);
    throw fileError('cannot read', path, error);
  }
}

// ---------------------------------------------------------------------------------------------
// safetensors

type IntReader = (view: DataView, offset: number) => number;

const INTEGER_DTYPES: Readonly<Record<string, [number, IntReader]>> = {
  BOOL: [1, (v, o) => v.getUint8(o)],
  U8: [1, (v, o) => v.getUint8(o)],
  I8: [1, (v, o) => v.getInt8(o)],
  U16: [2, (v, o) => v.getUint16(o, true)],
  I16: [2, (v, o) => v.getInt16(o, true)],
  U32: [4, (v, o) => v.getUint32(o, true)],
  I32: [4, (v, o) => v.getInt32(o, true)],
  F64: [8, (v, o) => v.getFloat64(o, true)],
  // 64-bit integers become the nearest double: exact up to 2^53, close enough for statistics.
  I64: [8, (v, o) => Number(v.getBigInt64(o, true))],
  U64: [8, (v, o) => Number(v.getBigUint64(o, true))],
};

function safetensorsDecodeProblem(info: SafetensorsTensorInfo): string | null {
  if (info.dtype === 'F32' || info.dtype === 'F16' || info.dtype === 'BF16') return null;
  if (Object.hasOwn(INTEGER_DTYPES, info.dtype)) return null;
  return `no decoder for dtype ${info.dtype}`;
}

function decodeOther(info: SafetensorsTensorInfo, bytes: Uint8Array): Float32Array {
  const [itemBytes, read] = INTEGER_DTYPES[info.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(info.elementCount);
  for (let i = 0; i < out.length; i++) out[i] = read(view, i * itemBytes);
  return out;
}

function safetensorsModel(
  path: string,
  file: SafetensorsFile,
  close: () => Promise<void>,
): ModelFile {
  const byName = new Map<string, SafetensorsTensorInfo>();
  const tensors: ModelTensor[] = file.tensors.map((info) => {
    byName.set(info.name, info);
    return {
      name: info.name,
      sourceName: null,
      type: info.dtype,
      shape: info.shape,
      elementCount: info.elementCount,
      sizeBytes: info.sizeBytes,
      offsetBytes: info.absoluteOffsetBytes,
      isWeight: true,
      note: null,
      decodeProblem: safetensorsDecodeProblem(info),
    };
  });
  return {
    kind: 'safetensors',
    safetensors: file,
    path,
    sizeBytes: file.source.sizeBytes,
    format: 'safetensors',
    tensors,
    tensor: finder(tensors),
    async readFloat32(tensor) {
      const info = byName.get(tensor.name);
      if (info === undefined) throw new Error(`no safetensors tensor named ${tensor.name}`);
      if (tensor.decodeProblem !== null) throw new Error(`${tensor.name}: ${tensor.decodeProblem}`);
      const bytes = await readData(path, () => file.readTensorData(info));
      if (info.dtype === 'F32' || info.dtype === 'F16' || info.dtype === 'BF16') {
        return tensorToFloat32(info, bytes);
      }
      return decodeOther(info, bytes);
    },
    close,
  };
}

// ---------------------------------------------------------------------------------------------
// llama2.c

/** GGUF names of llama2.c's tensors, as llama.cpp's converter names them. */
const LLAMA2C_GGUF_NAMES: Readonly<Record<string, string>> = {
  token_embedding_table: 'token_embd.weight',
  rms_att_weight: 'attn_norm.weight',
  wq: 'attn_q.weight',
  wk: 'attn_k.weight',
  wv: 'attn_v.weight',
  wo: 'attn_output.weight',
  rms_ffn_weight: 'ffn_norm.weight',
  w1: 'ffn_gate.weight',
  w2: 'ffn_down.weight',
  w3: 'ffn_up.weight',
  rms_final_weight: 'output_norm.weight',
  wcls: 'output.weight',
};

/** Order of a layer's tensors in the listing (GGUF's usual order). */
const LAYER_ORDER = ['rms_att_weight', 'wq', 'wk', 'wv', 'wo', 'rms_ffn_weight', 'w1', 'w2', 'w3'];

const FREQ_NOTE = 'legacy RoPE table (run.c recomputes it; not a parameter)';

/** Cheap checks on a legacy header before the whole file is read, so junk fails fast. */
function legacyHeaderProblem(head: Uint8Array): string | null {
  if (head.length < 28) {
    return `the file has ${head.length} bytes, fewer than the 28-byte header of the legacy layout`;
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const names = ['dim', 'hidden_dim', 'n_layers', 'n_heads', 'n_kv_heads', 'vocab_size', 'seq_len'];
  for (let i = 0; i < 7; i++) {
    const raw = view.getInt32(4 * i, true);
    const value = i === 5 ? Math.abs(raw) : raw;
    if (value < 1 || value > 1 << 24) {
      return `header field ${names[i]} at byte ${4 * i} is ${raw}, expected 1..16777216`;
    }
  }
  return null;
}

async function llama2cModel(path: string, head: Uint8Array, sizeBytes: number): Promise<ModelFile> {
  const versioned =
    head.length >= 4 &&
    new DataView(head.buffer, head.byteOffset).getUint32(0, true) === LLAMA2C_MAGIC;
  if (!versioned) {
    const problem = legacyHeaderProblem(head);
    if (problem !== null) throw notAModel(path, head, problem);
  }
  if (sizeBytes > LLAMA2C_MAX_BYTES) {
    throw new UsageError(
      `'${path}' looks like a llama2.c checkpoint, which is read whole, but it is ` +
        `${humanBytes(sizeBytes)}; at most ${humanBytes(LLAMA2C_MAX_BYTES)} can be read`,
    );
  }
  const bytes = await readWholeFile(path);
  let checkpoint: Llama2cCheckpoint;
  try {
    checkpoint = readLlama2cCheckpoint(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw notAModel(path, head, why);
  }
  const tensors = llama2cTensors(checkpoint);
  const values = new Map<string, () => Float32Array>();
  const t = checkpoint.tensors;
  const perLayer: Record<string, Float32Array[]> = {
    rms_att_weight: t.rmsAtt,
    wq: t.wq,
    wk: t.wk,
    wv: t.wv,
    wo: t.wo,
    rms_ffn_weight: t.rmsFfn,
    w1: t.w1,
    w2: t.w2,
    w3: t.w3,
  };
  for (const tensor of tensors) {
    const [base, layerText] = (tensor.sourceName ?? '').split(/[[\]]/);
    if (layerText !== undefined) {
      values.set(tensor.name, () => perLayer[base][Number(layerText)]);
    } else if (base === 'token_embedding_table') {
      values.set(tensor.name, () => t.tokenEmbedding);
    } else if (base === 'rms_final_weight') {
      values.set(tensor.name, () => t.rmsFinal);
    } else if (base === 'wcls') {
      values.set(tensor.name, () => t.wcls);
    } else {
      // The freq_cis tables: float32 straight from the file.
      values.set(tensor.name, () => {
        // A fresh copy: `bytes` may be a Buffer, whose slice() is a view into a larger pool.
        const copy = new Uint8Array(tensor.sizeBytes);
        copy.set(bytes.subarray(tensor.offsetBytes, tensor.offsetBytes + tensor.sizeBytes));
        return new Float32Array(copy.buffer);
      });
    }
  }
  const layout =
    checkpoint.version === 0
      ? 'legacy layout (version 0, no magic)'
      : checkpoint.version === 1
        ? 'version 1 ("ak42", fp32)'
        : `version 2 ("ak42", int8 groups of ${checkpoint.groupSize})`;
  return {
    kind: 'llama2c',
    llama2c: checkpoint,
    path,
    sizeBytes,
    format: `llama2.c checkpoint, ${layout}; read whole (${humanBytes(sizeBytes)})`,
    tensors,
    tensor: finder(tensors),
    async readFloat32(tensor) {
      const get = values.get(tensor.name);
      if (get === undefined) throw new Error(`no llama2.c tensor named ${tensor.name}`);
      return get();
    },
    close: async () => {},
  };
}

function llama2cTensors(checkpoint: Llama2cCheckpoint): ModelTensor[] {
  const { nLayers } = checkpoint.config;
  const groupSize = checkpoint.groupSize;
  const byName = new Map<string, Llama2cTensorInfo>(checkpoint.layout.map((l) => [l.name, l]));
  const one = (info: Llama2cTensorInfo, layer: number | null): ModelTensor => {
    const shape = layer === null ? info.shape : info.shape.slice(1);
    const elementCount = shape.reduce((a, b) => a * b, 1);
    const q8 = info.encoding === 'q8_0';
    const sizeBytes = q8 ? elementCount + (4 * elementCount) / groupSize : 4 * elementCount;
    const index = layer ?? 0;
    // Version 2 stores all int8 values of a tensor first, then all its float32 scales.
    const offsetBytes = info.offsetBytes + index * (q8 ? elementCount : sizeBytes);
    const isWeight = !info.name.startsWith('freq_cis');
    const gguf = LLAMA2C_GGUF_NAMES[info.name];
    return {
      name: isWeight ? (layer === null ? gguf : `blk.${layer}.${gguf}`) : info.name,
      sourceName: layer === null ? info.name : `${info.name}[${layer}]`,
      type: q8 ? `q8/g${groupSize}` : 'f32',
      shape,
      elementCount,
      sizeBytes,
      offsetBytes,
      isWeight,
      note: isWeight ? null : FREQ_NOTE,
      decodeProblem: null,
    };
  };
  const out: ModelTensor[] = [];
  const emb = byName.get('token_embedding_table');
  if (emb !== undefined) out.push(one(emb, null));
  for (let layer = 0; layer < nLayers; layer++) {
    for (const name of LAYER_ORDER) {
      const info = byName.get(name);
      if (info !== undefined) out.push(one(info, layer));
    }
  }
  for (const name of ['rms_final_weight', 'wcls', 'freq_cis_real', 'freq_cis_imag']) {
    const info = byName.get(name);
    if (info !== undefined) out.push(one(info, null));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function finder(tensors: readonly ModelTensor[]): (name: string) => ModelTensor | undefined {
  const byName = new Map<string, ModelTensor>();
  for (const t of tensors) {
    byName.set(t.name, t);
    if (t.sourceName !== null && !byName.has(t.sourceName)) byName.set(t.sourceName, t);
  }
  return (name) => byName.get(name);
}

/**
 * Up to `limit` tensor names closest to `name` (edit distance, then shared substrings first), for
 * "did you mean" messages.
 * @example closeNames(model.tensors, 'blk.0.ffn_dwn.weight', 3) // ['blk.0.ffn_down.weight', …]
 */
export function closeNames(tensors: readonly ModelTensor[], name: string, limit: number): string[] {
  const scored = tensors.map((t) => {
    const candidates = t.sourceName === null ? [t.name] : [t.name, t.sourceName];
    let best = Number.POSITIVE_INFINITY;
    for (const c of candidates) {
      const contains = c.includes(name) || name.includes(c) ? -0.5 : 0;
      best = Math.min(best, editDistance(name, c) + contains);
    }
    return { name: t.name, score: best };
  });
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/**
 * Levenshtein distance between two strings (insertions, deletions, substitutions of UTF-16 units).
 * @example editDistance('kitten', 'sitting') // 3
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost));
    }
    prev = cur;
  }
  return prev[b.length];
}
