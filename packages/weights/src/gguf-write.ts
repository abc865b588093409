import { littleEndianBytes } from './endian.ts';
import { ggmlTensorSizeBytes, ggmlTypeById } from './ggml-types.ts';
import { GGUF_MAX_ARRAY_DEPTH } from './gguf-read.ts';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_ID,
  type GgufArrayValue,
  type GgufMetadataEntry,
  type GgufValue,
} from './gguf-types.ts';
import { encodeUtf8Strict } from './utf8.ts';

/** Name, ggml type and dims (ne0 first) of a tensor to write. */
export interface GgufTensorShape {
  readonly name: string;
  /** The ggml type id, e.g. 0 for f32 or 8 for q8_0. */
  readonly type: number;
  /** Dimensions with ne0 first, 1 to 4 of them. */
  readonly dims: readonly number[];
}

/** A tensor to write with its data in memory. */
export interface GgufWriteTensor extends GgufTensorShape {
  /** Exactly the tensor's bytes (no padding). */
  readonly data: Uint8Array;
}

/** A tensor to stream: its data may be produced on demand, one tensor at a time. */
export interface GgufStreamTensor extends GgufTensorShape {
  readonly data: Uint8Array | (() => Uint8Array | Promise<Uint8Array>);
}

/** What to write: metadata entries in order (types explicit) and tensors in order. */
export interface GgufWriteInput<T extends GgufTensorShape = GgufWriteTensor> {
  /** GGUF version to record, 3 by default (2 has the same layout). */
  readonly version?: 2 | 3;
  readonly metadata: readonly GgufMetadataEntry[];
  readonly tensors: readonly T[];
  /**
   * Data alignment in bytes; must equal `general.alignment` when the metadata has it, else 32
   * (add a uint32 `general.alignment` entry to use another alignment).
   */
  readonly alignment?: number;
}

/** The encoded header of a GGUF file and where each tensor's data goes. */
export interface GgufLayout {
  /** Header, metadata, tensor infos and zero padding up to the data section. */
  readonly header: Uint8Array;
  readonly alignment: number;
  /** Data offset of each tensor relative to the data section (= header.length). */
  readonly tensorOffsets: readonly number[];
  /** Byte size of each tensor's data, without padding. */
  readonly tensorSizes: readonly number[];
  /** Size of the whole file in bytes. */
  readonly fileSizeBytes: number;
}

class ByteWriter {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + n));
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.pos++, v);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  u64(v: number | bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.pos, BigInt(v), true);
    this.pos += 8;
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  string(text: string, where: string): void {
    const encoded = encodeUtf8Strict(text);
    if (encoded === undefined) {
      throw new Error(`writeGguf: ${where} holds a lone UTF-16 surrogate: expected valid Unicode`);
    }
    this.u64(encoded.length);
    this.raw(encoded);
  }

  padTo(alignment: number): void {
    const padded = Math.ceil(this.pos / alignment) * alignment;
    this.reserve(padded - this.pos);
    this.bytes.fill(0, this.pos, padded);
    this.pos = padded;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }
}

const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

const TYPED_ARRAY_OF: Readonly<Record<string, unknown>> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
  uint64: BigUint64Array,
  int64: BigInt64Array,
};

function fail(where: string, problem: string, expected: string): never {
  throw new Error(`writeGguf: ${where} ${problem}: expected ${expected}`);
}

function writeScalar(w: ByteWriter, value: GgufValue, where: string): void {
  const { type } = value;
  const v: unknown = value.value;
  const range = INT_RANGE[type];
  if (range !== undefined) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      fail(where, `has ${type} value ${String(v)}`, `an integer in [${range[0]}, ${range[1]}]`);
    }
  }
  switch (type) {
    case 'uint8':
    case 'int8':
      w.u8((v as number) & 0xff);
      return;
    case 'uint16':
    case 'int16':
      w.reserve(2);
      w.view.setUint16(w.pos, (v as number) & 0xffff, true);
      w.pos += 2;
      return;
    case 'uint32':
    case 'int32':
      w.u32((v as number) >>> 0);
      return;
    case 'float32':
    case 'float64':
      if (typeof v !== 'number') fail(where, `has ${type} value ${String(v)}`, 'a number');
      w.reserve(8);
      if (type === 'float32') w.view.setFloat32(w.pos, v, true);
      else w.view.setFloat64(w.pos, v, true);
      w.pos += type === 'float32' ? 4 : 8;
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(where, `has bool value ${String(v)}`, 'true or false');
      w.u8(v ? 1 : 0);
      return;
    case 'string':
      if (typeof v !== 'string') fail(where, `has string value ${String(v)}`, 'a string');
      w.string(v, where);
      return;
    case 'uint64':
    case 'int64': {
      const big = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v as number) : null;
      const [lo, hi] = type === 'uint64' ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      if (big === null || big < lo || big > hi) {
        fail(where, `has ${type} value ${String(v)}`, `a safe integer or bigint in [${lo}, ${hi}]`);
      }
      w.u64(BigInt.asUintN(64, big));
      return;
    }
    case 'array':
      writeArray(w, value as GgufArrayValue, where, 1);
      return;
    default:
      fail(where, `has unknown value type ${String(type)}`, 'a GGUF value type');
  }
}

function writeArray(w: ByteWriter, array: GgufArrayValue, where: string, depth: number): void {
  if (depth > GGUF_MAX_ARRAY_DEPTH) {
    fail(where, `nests arrays more than ${GGUF_MAX_ARRAY_DEPTH} deep`, 'shallower nesting');
  }
  const { itemType } = array;
  const items: unknown = array.value;
  const typeId = GGUF_VALUE_TYPE_ID[itemType];
  if (typeId === undefined) fail(where, `has array item type ${itemType}`, 'a GGUF value type');
  w.u32(typeId);
  const typed = TYPED_ARRAY_OF[itemType] as (new () => object) | undefined;
  if (typed !== undefined) {
    if (!(items instanceof typed))
      fail(where, `holds ${itemType} items not in a typed array`, typed.name);
    const view = items as unknown as ArrayBufferView & {
      BYTES_PER_ELEMENT: number;
      length: number;
    };
    w.u64(view.length);
    w.raw(littleEndianBytes(view));
    return;
  }
  if (!Array.isArray(items)) fail(where, `has ${itemType} items that are not an array`, 'an array');
  w.u64(items.length);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const at = `${where}[${i}]`;
    if (itemType === 'bool') {
      if (typeof item !== 'boolean') fail(at, `is ${String(item)}`, 'true or false');
      w.u8(item ? 1 : 0);
    } else if (itemType === 'string') {
      if (typeof item !== 'string') fail(at, `is ${String(item)}`, 'a string');
      w.string(item, at);
    } else {
      const inner = item as GgufArrayValue;
      if (inner === null || typeof inner !== 'object' || inner.type !== 'array') {
        fail(at, 'is not an array value', "{ type: 'array', itemType, value }");
      }
      writeArray(w, inner, at, depth + 1);
    }
  }
}

function alignmentOf(input: GgufWriteInput<GgufTensorShape>): number {
  const entry = input.metadata.find((e) => e.key === 'general.alignment');
  let fromMetadata = GGUF_DEFAULT_ALIGNMENT;
  if (entry !== undefined) {
    const { type, value } = entry.value;
    if (
      type !== 'uint32' ||
      typeof value !== 'number' ||
      value <= 0 ||
      (value & (value - 1)) !== 0
    ) {
      fail('general.alignment', `is ${type} ${String(value)}`, 'a uint32 power of two');
    }
    fromMetadata = value;
  }
  const alignment = input.alignment ?? fromMetadata;
  if (alignment !== fromMetadata) {
    fail(
      'alignment',
      `is ${alignment} but the metadata implies ${fromMetadata}`,
      'a uint32 general.alignment entry holding the same value',
    );
  }
  return alignment;
}

/**
 * Encodes the header of a GGUF file (magic, version, counts, metadata, tensor infos, zero padding)
 * and computes each tensor's data offset (each tensor padded with zeros to the alignment, as
 * llama.cpp writes); throws an Error naming the entry when a value does not fit its type.
 * @example const { header, fileSizeBytes } = layoutGguf({ metadata: [], tensors: [shape] })
 */
export function layoutGguf(input: GgufWriteInput<GgufTensorShape>): GgufLayout {
  const alignment = alignmentOf(input);
  const version = input.version ?? 3;
  if (version !== 2 && version !== 3) fail('version', `is ${version}`, '2 or 3');
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(version);
  w.u64(input.tensors.length);
  w.u64(input.metadata.length);
  const keys = new Set<string>();
  for (const { key, value } of input.metadata) {
    if (typeof key !== 'string') fail('metadata key', `is ${String(key)}`, 'a string');
    if (keys.has(key)) fail(`metadata key "${key}"`, 'appears twice', 'unique keys');
    keys.add(key);
    w.string(key, `metadata key "${key}"`);
    const typeId = GGUF_VALUE_TYPE_ID[value?.type];
    if (typeId === undefined) fail(`metadata "${key}"`, 'has no valid type', 'a GGUF value type');
    w.u32(typeId);
    writeScalar(w, value, `metadata "${key}"`);
  }
  const names = new Set<string>();
  const tensorOffsets: number[] = [];
  const tensorSizes: number[] = [];
  let dataSize = 0;
  for (const t of input.tensors) {
    const where = `tensor "${t.name}"`;
    if (names.has(t.name)) fail(where, 'appears twice', 'unique tensor names');
    names.add(t.name);
    const layout = ggmlTypeById(t.type);
    if (layout === undefined) fail(where, `has ggml type ${t.type}`, 'a known ggml type id');
    if (t.dims.length < 1 || t.dims.length > 4) {
      fail(where, `has ${t.dims.length} dims`, '1 to 4 dims');
    }
    for (const d of t.dims) {
      if (!Number.isSafeInteger(d) || d < 0)
        fail(where, `has dimension ${d}`, 'a safe integer >= 0');
    }
    const size = ggmlTensorSizeBytes(layout, t.dims);
    if (typeof size === 'string') fail(where, size, 'valid dims');
    w.string(t.name, where);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(dataSize);
    tensorOffsets.push(dataSize);
    tensorSizes.push(size);
    dataSize += Math.ceil(size / alignment) * alignment;
  }
  w.padTo(alignment);
  const header = w.result();
  return {
    header,
    alignment,
    tensorOffsets,
    tensorSizes,
    fileSizeBytes: header.length + dataSize,
  };
}

function checkData(t: GgufTensorShape, data: unknown, sizeBytes: number): Uint8Array {
  if (!(data instanceof Uint8Array) || data.length !== sizeBytes) {
    const got = data instanceof Uint8Array ? `${data.length} bytes` : typeof data;
    fail(`tensor "${t.name}"`, `has data of ${got}`, `${sizeBytes} bytes`);
  }
  return data;
}

/**
 * Writes a whole GGUF file (v3 unless `version` says 2) into one Uint8Array; reading it back with
 * readGguf gives the same metadata and tensors.
 * @example const bytes = writeGguf({ metadata: [{ key: 'general.name', value: { type: 'string',
 *   value: 'tiny' } }], tensors: [{ name: 'w', type: 0, dims: [2], data: new Uint8Array(8) }] })
 */
export function writeGguf(input: GgufWriteInput): Uint8Array {
  const layout = layoutGguf(input);
  const out = new Uint8Array(layout.fileSizeBytes);
  out.set(layout.header);
  input.tensors.forEach((t, i) => {
    const data = checkData(t, t.data, layout.tensorSizes[i]);
    out.set(data, layout.header.length + layout.tensorOffsets[i]);
  });
  return out;
}

/**
 * Streams a GGUF file as chunks (the header, then each tensor's data and its zero padding),
 * asking each lazy tensor for its data only when its turn comes, so a converter holds one tensor
 * at a time.
 * @example for await (const chunk of writeGgufChunks(input)) await handle.write(chunk)
 */
export async function* writeGgufChunks(
  input: GgufWriteInput<GgufStreamTensor>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const layout = layoutGguf(input);
  yield layout.header;
  for (let i = 0; i < input.tensors.length; i++) {
    const t = input.tensors[i];
    const raw = typeof t.data === 'function' ? await t.data() : t.data;
    const data = checkData(t, raw, layout.tensorSizes[i]);
    if (data.length > 0) yield data;
    const pad = Math.ceil(data.length / layout.alignment) * layout.alignment - data.length;
    if (pad > 0) yield new Uint8Array(pad);
  }
}
