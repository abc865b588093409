import { WeightsFormatError } from '../errors.ts';
import { dataView, float32At } from './bytes.ts';

/** Hyper-parameters of a llama2.c checkpoint (header fields, with the classifier flag decoded). */
export interface Llama2cConfig {
  /** Model width (embedding size). */
  dim: number;
  /** Width of the SwiGLU hidden layer. */
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  /** Key/value heads (fewer than nHeads for grouped-query attention). */
  nKvHeads: number;
  /** Number of tokens (always positive here; the legacy header stores it negated when unshared). */
  vocabSize: number;
  /** Maximum context length in tokens the model was trained for. */
  seqLen: number;
  /** True when the classifier reuses the token embedding table. */
  sharedClassifier: boolean;
}

/** The weights of a llama2.c checkpoint as float32 arrays, one array per layer where per layer. */
export interface Llama2cTensors {
  /** [vocabSize][dim] */
  tokenEmbedding: Float32Array;
  /** per layer [dim] */
  rmsAtt: Float32Array[];
  /** per layer [nHeads·headSize][dim] */
  wq: Float32Array[];
  /** per layer [nKvHeads·headSize][dim] */
  wk: Float32Array[];
  /** per layer [nKvHeads·headSize][dim] */
  wv: Float32Array[];
  /** per layer [dim][nHeads·headSize] */
  wo: Float32Array[];
  /** per layer [dim] */
  rmsFfn: Float32Array[];
  /** per layer [hiddenDim][dim] (gate) */
  w1: Float32Array[];
  /** per layer [dim][hiddenDim] (down) */
  w2: Float32Array[];
  /** per layer [hiddenDim][dim] (up) */
  w3: Float32Array[];
  /** [dim] */
  rmsFinal: Float32Array;
  /** [vocabSize][dim]; the same array as tokenEmbedding when the classifier is shared. */
  wcls: Float32Array;
}

/** Where one stored tensor (all layers of it together) sits in the file. */
export interface Llama2cTensorInfo {
  /** llama2.c's name: token_embedding_table, rms_att_weight, wq, …, freq_cis_real, wcls. */
  name: string;
  offsetBytes: number;
  sizeBytes: number;
  /** Shape with the layer axis first for per-layer tensors, e.g. [5, 64, 64]. */
  shape: number[];
  /** 'f32', or 'q8_0' for version 2 (int8 values followed by float32 group scales). */
  encoding: 'f32' | 'q8_0';
}

/** A parsed llama2.c model file. */
export interface Llama2cCheckpoint {
  /** 0 = legacy headerless-magic layout (run.c), 1 = "ak42" fp32, 2 = "ak42" Q8_0. */
  version: 0 | 1 | 2;
  config: Llama2cConfig;
  tensors: Llama2cTensors;
  /** True when the legacy freq_cis_real/freq_cis_imag tables follow rms_final_weight. */
  legacyRope: boolean;
  /** Q8_0 group size for version 2, else 0. */
  groupSize: number;
  headerBytes: number;
  fileSizeBytes: number;
  /** Every stored tensor in file order, including the legacy RoPE tables. */
  layout: Llama2cTensorInfo[];
}

/** The magic of llama2.c's versioned export format: uint32 0x616b3432 ("ak42"), so the file starts "24ka". */
export const LLAMA2C_MAGIC = 0x616b3432;
const LEGACY_HEADER_BYTES = 28;
const VERSIONED_HEADER_BYTES = 256;
const MAX_DIMENSION = 1 << 24;

interface Shapes {
  headSize: number;
  kvDim: number;
}

/**
 * Checks a header's fields and derives head size and kv width. `headerOffset` is the byte offset
 * of the dim field in a file (fields are consecutive int32s), or undefined for a writer's config,
 * whose problems are plain Errors rather than format errors.
 */
function shapes(config: Llama2cConfig, where: string, headerOffset?: number): Shapes {
  const fail = (problem: string, field: number, expected: string): Error =>
    headerOffset === undefined
      ? new Error(`llama2.c ${where}: ${problem}; expected ${expected}`)
      : new WeightsFormatError(`llama2.c ${where}: ${problem}`, headerOffset + 4 * field, expected);
  const fields: Array<[string, number]> = [
    ['dim', config.dim],
    ['hidden_dim', config.hiddenDim],
    ['n_layers', config.nLayers],
    ['n_heads', config.nHeads],
    ['n_kv_heads', config.nKvHeads],
    ['vocab_size', config.vocabSize],
    ['seq_len', config.seqLen],
  ];
  fields.forEach(([name, value], field) => {
    if (!Number.isInteger(value) || value <= 0 || value > MAX_DIMENSION) {
      throw fail(`header field ${name} is ${value}`, field, `an integer in 1..${MAX_DIMENSION}`);
    }
  });
  if (config.dim % config.nHeads !== 0) {
    throw fail(
      `dim ${config.dim} is not a multiple of n_heads ${config.nHeads}`,
      0,
      'dim divisible by n_heads',
    );
  }
  if (config.nKvHeads > config.nHeads || config.nHeads % config.nKvHeads !== 0) {
    throw fail(
      `n_heads ${config.nHeads} is not a multiple of n_kv_heads ${config.nKvHeads}`,
      4,
      'n_kv_heads dividing n_heads',
    );
  }
  const headSize = config.dim / config.nHeads;
  return { headSize, kvDim: config.nKvHeads * headSize };
}

interface Block {
  name: string;
  key: keyof Llama2cTensors | 'freq';
  perLayer: boolean;
  rows: number;
  cols: number;
}

function blocks(config: Llama2cConfig, s: Shapes): Record<string, Block> {
  const { dim, hiddenDim, vocabSize } = config;
  const b = (name: string, key: Block['key'], perLayer: boolean, rows: number, cols: number) => ({
    name,
    key,
    perLayer,
    rows,
    cols,
  });
  return {
    emb: b('token_embedding_table', 'tokenEmbedding', false, vocabSize, dim),
    rmsAtt: b('rms_att_weight', 'rmsAtt', true, 1, dim),
    wq: b('wq', 'wq', true, dim, dim),
    wk: b('wk', 'wk', true, s.kvDim, dim),
    wv: b('wv', 'wv', true, s.kvDim, dim),
    wo: b('wo', 'wo', true, dim, dim),
    rmsFfn: b('rms_ffn_weight', 'rmsFfn', true, 1, dim),
    w1: b('w1', 'w1', true, hiddenDim, dim),
    w2: b('w2', 'w2', true, dim, hiddenDim),
    w3: b('w3', 'w3', true, hiddenDim, dim),
    rmsFinal: b('rms_final_weight', 'rmsFinal', false, 1, dim),
    wcls: b('wcls', 'wcls', false, vocabSize, dim),
  };
}

function blockFloats(block: Block, nLayers: number): number {
  return (block.perLayer ? nLayers : 1) * block.rows * block.cols;
}

function blockShape(block: Block, nLayers: number): number[] {
  const inner = block.rows === 1 ? [block.cols] : [block.rows, block.cols];
  return block.perLayer ? [nLayers, ...inner] : inner;
}

function legacyOrder(all: Record<string, Block>): Block[] {
  return [
    all.emb,
    all.rmsAtt,
    all.wq,
    all.wk,
    all.wv,
    all.wo,
    all.rmsFfn,
    all.w1,
    all.w2,
    all.w3,
    all.rmsFinal,
  ];
}

function versionedOrder(all: Record<string, Block>): { norms: Block[]; matrices: Block[] } {
  return {
    norms: [all.rmsAtt, all.rmsFfn, all.rmsFinal],
    matrices: [all.emb, all.wq, all.wk, all.wv, all.wo, all.w1, all.w2, all.w3],
  };
}

function emptyTensors(): Llama2cTensors {
  const none = new Float32Array(0);
  return {
    tokenEmbedding: none,
    rmsAtt: [],
    wq: [],
    wk: [],
    wv: [],
    wo: [],
    rmsFfn: [],
    w1: [],
    w2: [],
    w3: [],
    rmsFinal: none,
    wcls: none,
  };
}

function assign(tensors: Llama2cTensors, block: Block, nLayers: number, all: Float32Array): void {
  if (block.key === 'freq') return;
  if (block.perLayer) {
    const per = block.rows * block.cols;
    const list: Float32Array[] = [];
    for (let l = 0; l < nLayers; l++) list.push(all.subarray(l * per, (l + 1) * per));
    (tensors[block.key] as Float32Array[]) = list;
  } else {
    (tensors[block.key] as Float32Array) = all;
  }
}

function readHeaderInts(view: DataView, offset: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 7; i++) out.push(view.getInt32(offset + 4 * i, true));
  return out;
}

function sizeError(what: string, fileSize: number, expected: string): Error {
  return new WeightsFormatError(`llama2.c ${what}: file is ${fileSize} bytes`, fileSize, expected);
}

/**
 * Parses a llama2.c model file (legacy run.c layout, or the "ak42" version 1 fp32 / version 2
 * Q8_0 export) into its config, float32 tensors (views into `bytes` where aligned; version 2 is
 * dequantized to fresh arrays) and the byte layout. Sizes are checked against the header before
 * anything is allocated.
 * @example const ckpt = readLlama2cCheckpoint(fileBytes); ckpt.config.dim // 64 for stories260K
 */
export function readLlama2cCheckpoint(bytes: Uint8Array): Llama2cCheckpoint {
  if (bytes.byteLength < 8) {
    throw sizeError('checkpoint', bytes.byteLength, 'at least a 28-byte header');
  }
  const view = dataView(bytes);
  if (view.getUint32(0, true) === LLAMA2C_MAGIC) return readVersioned(bytes, view);
  return readLegacy(bytes, view);
}

function readLegacy(bytes: Uint8Array, view: DataView): Llama2cCheckpoint {
  const fileSize = bytes.byteLength;
  if (fileSize < LEGACY_HEADER_BYTES) {
    throw sizeError('checkpoint', fileSize, 'at least the 28-byte header (7 int32)');
  }
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, rawVocab, seqLen] = readHeaderInts(view, 0);
  const config: Llama2cConfig = {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(rawVocab),
    seqLen,
    sharedClassifier: rawVocab > 0,
  };
  const s = shapes(config, 'checkpoint header', 0);
  const all = blocks(config, s);
  const order = legacyOrder(all);
  let bodyFloats = 0;
  for (const block of order) bodyFloats += blockFloats(block, nLayers);
  const freqFloats = Math.floor((seqLen * s.headSize) / 2);
  const clsFloats = config.sharedClassifier ? 0 : blockFloats(all.wcls, 1);
  const plain = LEGACY_HEADER_BYTES + 4 * (bodyFloats + clsFloats);
  const withFreq = plain + 8 * freqFloats;
  let legacyRope: boolean;
  if (fileSize === withFreq) legacyRope = true;
  else if (fileSize === plain) legacyRope = false;
  else {
    throw sizeError(
      'checkpoint',
      fileSize,
      `${withFreq} (with the legacy freq_cis tables) or ${plain} (without) for ` +
        `dim ${dim}, hidden_dim ${hiddenDim}, n_layers ${nLayers}, n_heads ${nHeads}, ` +
        `n_kv_heads ${nKvHeads}, vocab_size ${rawVocab}, seq_len ${seqLen}`,
    );
  }
  const tensors = emptyTensors();
  const layout: Llama2cTensorInfo[] = [];
  let offset = LEGACY_HEADER_BYTES;
  const take = (block: Block, count: number, shape: number[]) => {
    layout.push({
      name: block.name,
      offsetBytes: offset,
      sizeBytes: 4 * count,
      shape,
      encoding: 'f32',
    });
    assign(tensors, block, nLayers, float32At(bytes, offset, count));
    offset += 4 * count;
  };
  for (const block of order) take(block, blockFloats(block, nLayers), blockShape(block, nLayers));
  if (legacyRope) {
    const half = freqFloats / seqLen;
    const freqShape = Number.isInteger(half) ? [seqLen, half] : [freqFloats];
    const real: Block = { name: 'freq_cis_real', key: 'freq', perLayer: false, rows: 1, cols: 1 };
    take(real, freqFloats, freqShape);
    take({ ...real, name: 'freq_cis_imag' }, freqFloats, freqShape);
  }
  if (config.sharedClassifier) tensors.wcls = tensors.tokenEmbedding;
  else take(all.wcls, clsFloats, blockShape(all.wcls, 1));
  return {
    version: 0,
    config,
    tensors,
    legacyRope,
    groupSize: 0,
    headerBytes: LEGACY_HEADER_BYTES,
    fileSizeBytes: fileSize,
    layout,
  };
}

function readVersioned(bytes: Uint8Array, view: DataView): Llama2cCheckpoint {
  const fileSize = bytes.byteLength;
  if (fileSize < VERSIONED_HEADER_BYTES) {
    throw sizeError('checkpoint', fileSize, 'at least the 256-byte "ak42" header');
  }
  const version = view.getInt32(4, true);
  if (version !== 1 && version !== 2) {
    throw new WeightsFormatError(
      `llama2.c checkpoint: version field is ${version}`,
      4,
      'version 1 (fp32) or version 2 (Q8_0)',
    );
  }
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen] = readHeaderInts(view, 8);
  const sharedByte = view.getUint8(36);
  if (sharedByte > 1) {
    throw new WeightsFormatError(
      `llama2.c checkpoint: shared_classifier byte is ${sharedByte}`,
      36,
      '0 or 1',
    );
  }
  const config: Llama2cConfig = {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize,
    seqLen,
    sharedClassifier: sharedByte === 1,
  };
  const s = shapes(config, 'checkpoint header', 8);
  const all = blocks(config, s);
  const { norms, matrices } = versionedOrder(all);
  if (!config.sharedClassifier) matrices.push(all.wcls);
  let groupSize = 0;
  if (version === 2) {
    groupSize = view.getInt32(37, true);
    if (groupSize <= 0 || groupSize > MAX_DIMENSION) {
      throw new WeightsFormatError(
        `llama2.c checkpoint: group_size is ${groupSize}`,
        37,
        `an integer in 1..${MAX_DIMENSION}`,
      );
    }
    for (const block of matrices) {
      if ((block.rows * block.cols) % groupSize !== 0) {
        throw new WeightsFormatError(
          `llama2.c checkpoint: tensor ${block.name} has ${block.rows * block.cols} values per ` +
            `layer, not a multiple of group_size ${groupSize}`,
          37,
          'a group_size dividing every quantized tensor',
        );
      }
    }
  }
  let expected = VERSIONED_HEADER_BYTES;
  for (const block of norms) expected += 4 * blockFloats(block, nLayers);
  for (const block of matrices) {
    const n = blockFloats(block, nLayers);
    expected += version === 1 ? 4 * n : n + (4 * n) / groupSize;
  }
  if (fileSize !== expected) {
    throw sizeError('checkpoint', fileSize, `${expected} for this version ${version} header`);
  }
  const tensors = emptyTensors();
  const layout: Llama2cTensorInfo[] = [];
  let offset = VERSIONED_HEADER_BYTES;
  for (const block of norms) {
    const n = blockFloats(block, nLayers);
    layout.push({
      name: block.name,
      offsetBytes: offset,
      sizeBytes: 4 * n,
      shape: blockShape(block, nLayers),
      encoding: 'f32',
    });
    assign(tensors, block, nLayers, float32At(bytes, offset, n));
    offset += 4 * n;
  }
  for (const block of matrices) {
    const n = blockFloats(block, nLayers);
    const sizeBytes = version === 1 ? 4 * n : n + (4 * n) / groupSize;
    layout.push({
      name: block.name,
      offsetBytes: offset,
      sizeBytes,
      shape: blockShape(block, nLayers),
      encoding: version === 1 ? 'f32' : 'q8_0',
    });
    const values =
      version === 1 ? float32At(bytes, offset, n) : dequantizeQ8(bytes, offset, n, groupSize);
    assign(tensors, block, nLayers, values);
    offset += sizeBytes;
  }
  if (config.sharedClassifier) tensors.wcls = tensors.tokenEmbedding;
  return {
    version,
    config,
    tensors,
    legacyRope: false,
    groupSize,
    headerBytes: VERSIONED_HEADER_BYTES,
    fileSizeBytes: fileSize,
    layout,
  };
}

function dequantizeQ8(
  bytes: Uint8Array,
  offset: number,
  n: number,
  groupSize: number,
): Float32Array {
  const scales = float32At(bytes, offset + n, n / groupSize);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const q = (bytes[offset + i] << 24) >> 24;
    out[i] = q * scales[Math.floor(i / groupSize)];
  }
  return out;
}

/** Options for {@link writeLlama2cCheckpoint}. */
export interface WriteLlama2cOptions {
  /** 0 = legacy run.c layout (default), 1 = "ak42" fp32, 2 = "ak42" Q8_0. */
  version?: 0 | 1 | 2;
  /** Legacy layout only: append freq_cis tables (theta 10000) as llama2.c's export did. Default true. */
  legacyRope?: boolean;
  /** Version 2 only: values per int8 group (default 64, halved until it divides dim). */
  groupSize?: number;
}

/**
 * Serialises a config and tensors into a llama2.c model file (the inverse of
 * readLlama2cCheckpoint; version 2 quantizes each group to int8 with scale max|x|/127).
 * @example const bytes = writeLlama2cCheckpoint({ config, tensors }, { version: 0 })
 */
export function writeLlama2cCheckpoint(
  model: { config: Llama2cConfig; tensors: Llama2cTensors },
  options: WriteLlama2cOptions = {},
): Uint8Array {
  const version = options.version ?? 0;
  const { config, tensors } = model;
  const s = shapes(config, 'writer config');
  const all = blocks(config, s);
  const { nLayers } = config;
  const parts: Array<{ block: Block; values: Float32Array[] }> = [];
  const gather = (block: Block) => {
    if (block.key === 'freq') return;
    const t = tensors[block.key];
    const list = Array.isArray(t) ? t : [t];
    const per = block.rows * block.cols;
    if (list.length !== (block.perLayer ? nLayers : 1)) {
      throw new Error(`llama2.c writer: tensor ${block.name} has ${list.length} layers`);
    }
    for (const [l, arr] of list.entries()) {
      if (arr.length !== per) {
        throw new Error(
          `llama2.c writer: tensor ${block.name}[${l}] has ${arr.length} values; expected ${per}`,
        );
      }
    }
    parts.push({ block, values: list });
  };
  if (version === 0) {
    const rope = options.legacyRope ?? true;
    for (const block of legacyOrder(all)) gather(block);
    const chunks: Float32Array[] = parts.flatMap((p) => p.values);
    if (rope) chunks.push(...ropeTables(config.seqLen, s.headSize));
    if (!config.sharedClassifier) chunks.push(tensors.wcls);
    let floats = 0;
    for (const c of chunks) floats += c.length;
    const out = new Uint8Array(LEGACY_HEADER_BYTES + 4 * floats);
    const view = dataView(out);
    const header = [
      config.dim,
      config.hiddenDim,
      nLayers,
      config.nHeads,
      config.nKvHeads,
      config.sharedClassifier ? config.vocabSize : -config.vocabSize,
      config.seqLen,
    ];
    header.forEach((v, i) => {
      view.setInt32(4 * i, v, true);
    });
    let offset = LEGACY_HEADER_BYTES;
    for (const c of chunks) {
      for (let i = 0; i < c.length; i++) view.setFloat32(offset + 4 * i, c[i], true);
      offset += 4 * c.length;
    }
    return out;
  }
  const { norms, matrices } = versionedOrder(all);
  if (!config.sharedClassifier) matrices.push(all.wcls);
  let groupSize = options.groupSize ?? 64;
  while (config.dim % groupSize !== 0) groupSize = Math.floor(groupSize / 2);
  for (const block of norms) gather(block);
  const normCount = parts.length;
  for (const block of matrices) gather(block);
  let size = VERSIONED_HEADER_BYTES;
  for (const [i, p] of parts.entries()) {
    const n = p.values.reduce((a, v) => a + v.length, 0);
    size += version === 1 || i < normCount ? 4 * n : n + (4 * n) / groupSize;
  }
  const out = new Uint8Array(size);
  const view = dataView(out);
  view.setUint32(0, LLAMA2C_MAGIC, true);
  view.setInt32(4, version, true);
  const header = [
    config.dim,
    config.hiddenDim,
    nLayers,
    config.nHeads,
    config.nKvHeads,
    config.vocabSize,
    config.seqLen,
  ];
  header.forEach((v, i) => {
    view.setInt32(8 + 4 * i, v, true);
  });
  view.setUint8(36, config.sharedClassifier ? 1 : 0);
  if (version === 2) view.setInt32(37, groupSize, true);
  let offset = VERSIONED_HEADER_BYTES;
  for (const [i, p] of parts.entries()) {
    for (const arr of p.values) {
      if (version === 1 || i < normCount) {
        for (let j = 0; j < arr.length; j++) view.setFloat32(offset + 4 * j, arr[j], true);
        offset += 4 * arr.length;
      }
    }
    if (version === 2 && i >= normCount) offset = writeQ8(view, offset, p.values, groupSize);
  }
  return out;
}

function writeQ8(
  view: DataView,
  offset: number,
  arrays: Float32Array[],
  groupSize: number,
): number {
  let total = 0;
  for (const a of arrays) total += a.length;
  const scaleOffset = offset + total;
  let k = 0;
  for (const arr of arrays) {
    for (let g = 0; g < arr.length; g += groupSize) {
      let max = 0;
      for (let j = g; j < g + groupSize; j++) max = Math.max(max, Math.abs(arr[j]));
      const scale = Math.fround(max / 127);
      for (let j = g; j < g + groupSize; j++) {
        const q = scale === 0 ? 0 : roundHalfEven(Math.fround(arr[j] / scale));
        view.setInt8(offset + j, Math.max(-127, Math.min(127, q)));
      }
      view.setFloat32(scaleOffset + 4 * k++, scale, true);
    }
    offset += arr.length;
  }
  return scaleOffset + 4 * k;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function ropeTables(seqLen: number, headSize: number): Float32Array[] {
  const half = Math.floor(headSize / 2);
  const n = Math.floor((seqLen * headSize) / 2);
  const real = new Float32Array(n);
  const imag = new Float32Array(n);
  for (let pos = 0; pos < seqLen; pos++) {
    for (let i = 0; i < half; i++) {
      const freq = Math.fround(1 / Math.fround(10000 ** Math.fround((2 * i) / headSize)));
      const angle = Math.fround(pos * freq);
      const k = pos * half + i;
      if (k < n) {
        real[k] = Math.cos(angle);
        imag[k] = Math.sin(angle);
      }
    }
  }
  return [real, imag];
}
