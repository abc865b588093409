import { type ByteSource, readExactly } from './byte-source.ts';
import { copyLittleEndian } from './endian.ts';
import { WeightsFormatError } from './errors.ts';
import { ggmlTensorSizeBytes, ggmlTypeById, removedGgmlTypeName } from './ggml-types.ts';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_MIN_VALUE_SIZE_BYTES,
  GGUF_VALUE_TYPES,
  type GgufArrayValue,
  type GgufMetadataEntry,
  type GgufValue,
  type GgufValueType,
} from './gguf-types.ts';
import { decodeUtf8Strict } from './utf8.ts';

/** Where one tensor's data sits and how it is laid out, from its GGUF tensor info record. */
export interface GgufTensorInfo {
  /** Tensor name, unique within the file. */
  readonly name: string;
  /** Dimensions with ne0 (the contiguous, fastest-varying one) first; length is n_dims (1..4). */
  readonly dims: readonly number[];
  /** The ggml type id (0 = f32, 1 = f16, 2 = q4_0, ...). */
  readonly type: number;
  /** The ggml type name, e.g. 'q4_K'. */
  readonly typeName: string;
  /** Offset of the data relative to the start of the data section, as stored in the file. */
  readonly offsetBytes: number;
  /** Offset of the data from the start of the file. */
  readonly absoluteOffsetBytes: number;
  /** Exact byte size of the data (without alignment padding). */
  readonly sizeBytes: number;
  /** Number of elements: the product of dims. */
  readonly elementCount: number;
  /** Byte offset in the file where this tensor's info record (its name length) starts. */
  readonly infoOffsetBytes: number;
}

/** Everything in a GGUF file except the tensor data itself. */
export interface GgufHeader {
  /** File format version: 2 or 3. */
  readonly version: number;
  /** Data alignment in bytes: `general.alignment`, else 32. */
  readonly alignment: number;
  /** Metadata entries in file order. */
  readonly metadata: readonly GgufMetadataEntry[];
  /** Tensor infos in file order. */
  readonly tensors: readonly GgufTensorInfo[];
  /** Byte offset where the tensor info records end (before padding). */
  readonly headerSizeBytes: number;
  /** Byte offset where the data section starts: headerSizeBytes rounded up to the alignment. */
  readonly dataOffsetBytes: number;
  /** Size of the whole file in bytes. */
  readonly fileSizeBytes: number;
}

/** A parsed GGUF header bound to its source, reading tensor data on demand. */
export interface GgufFile extends GgufHeader {
  /** The source the file is read from. */
  readonly source: ByteSource;
  /**
   * The metadata value for `key`, or undefined.
   * @example file.get('general.architecture') // { type: 'string', value: 'llama' }
   */
  get(key: string): GgufValue | undefined;
  /**
   * The tensor info named `name`, or undefined.
   * @example file.tensor('token_embd.weight')?.dims // [4096, 32000]
   */
  tensor(name: string): GgufTensorInfo | undefined;
  /**
   * Reads exactly one tensor's bytes (sizeBytes of them, no padding) from the source; the result
   * may be a view into the source's memory, so copy it before modifying.
   * @example const bytes = await file.readTensorData('output_norm.weight')
   */
  readTensorData(tensor: GgufTensorInfo | string): Promise<Uint8Array>;
}

/** Limits for reading a GGUF header. */
export interface GgufReadOptions {
  /** Size of the first read from the start of the file; default 64 KiB. */
  initialChunkBytes?: number;
  /** Largest header (metadata and tensor infos) the reader will load; default 256 MiB. */
  maxHeaderBytes?: number;
}

/** Deepest nesting of arrays inside arrays the reader and writer accept. */
export const GGUF_MAX_ARRAY_DEPTH = 32;

const DEFAULT_INITIAL_CHUNK_BYTES = 64 * 1024;
const DEFAULT_MAX_HEADER_BYTES = 256 * 1024 * 1024;
/** Smallest tensor info record: name length, n_dims, one dimension, type and offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
/** Smallest metadata entry: key length, value type and a one-byte value. */
const MIN_METADATA_ENTRY_BYTES = 8 + 4 + 1;
const TWO_POW_32 = 4294967296;

/** Thrown inside the synchronous parser when the loaded prefix is too short; never escapes. */
class NeedMoreBytes {
  constructor(readonly endBytes: number) {}
}

class HeaderCursor {
  pos = 0;
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileSizeBytes: number,
    readonly maxHeaderBytes: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(problem: string, offset: number, expected: string): never {
    throw new WeightsFormatError(`GGUF: ${problem}`, offset, expected);
  }

  need(n: number, what: string): void {
    const end = this.pos + n;
    if (end <= this.bytes.length) return;
    if (end > this.fileSizeBytes) {
      this.fail(
        `file of ${this.fileSizeBytes} bytes ends inside ${what}`,
        this.pos,
        `${n} bytes of ${what}`,
      );
    }
    if (end > this.maxHeaderBytes) {
      this.fail(
        `header runs past the ${this.maxHeaderBytes}-byte limit (maxHeaderBytes) in ${what}`,
        this.pos,
        `a header of at most ${this.maxHeaderBytes} bytes`,
      );
    }
    throw new NeedMoreBytes(end);
  }

  remaining(): number {
    return this.fileSizeBytes - this.pos;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A uint64 as a number when it is a safe integer, else as a bigint. */
  u64(what: string): number | bigint {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    const v = hi <= 0x1fffff ? hi * TWO_POW_32 + lo : this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** An int64 as a number when it is a safe integer, else as a bigint. */
  i64(what: string): number | bigint {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    const n = hi * TWO_POW_32 + lo;
    const v = Number.isSafeInteger(n) ? n : this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A uint64 used as a size, count or offset: it must be at most 2^53 - 1. */
  size(what: string): number {
    const at = this.pos;
    const v = this.u64(what);
    if (typeof v === 'bigint') {
      this.fail(`${what} ${v} is too large`, at, `${what} at most 2^53 - 1`);
    }
    return v;
  }

  /** A count of items of at least `minItemBytes` each that must fit in the rest of the file. */
  count(what: string, minItemBytes: number): number {
    const at = this.pos;
    const n = this.size(what);
    const remaining = this.remaining();
    if (n > Math.floor(remaining / minItemBytes)) {
      this.fail(
        `${what} ${n} needs at least ${n * minItemBytes} bytes but only ${remaining} remain`,
        at,
        `${what} at most ${Math.floor(remaining / minItemBytes)}`,
      );
    }
    return n;
  }

  string(what: string): string {
    const at = this.pos;
    const length = this.size(`${what} length`);
    if (length > this.remaining()) {
      this.fail(
        `${what} length ${length} runs past the end of the file (${this.remaining()} bytes remain)`,
        at,
        `a length of at most ${this.remaining()}`,
      );
    }
    this.need(length, what);
    const text = decodeUtf8Strict(this.bytes, this.pos, this.pos + length);
    if (text === undefined) this.fail(`${what} is not valid UTF-8`, this.pos, 'UTF-8 text');
    this.pos += length;
    return text;
  }

  valueType(what: string): GgufValueType {
    const at = this.pos;
    const id = this.u32(what);
    const type = GGUF_VALUE_TYPES[id];
    if (type === undefined) this.fail(`unknown ${what} ${id}`, at, 'a value type id 0..12');
    return type;
  }
}

function readValue(c: HeaderCursor, type: GgufValueType, key: string): GgufValue {
  const what = `value of ${key}`;
  const v = c.view;
  switch (type) {
    case 'uint8':
      c.need(1, what);
      return { type, value: v.getUint8(c.pos++) };
    case 'int8':
      c.need(1, what);
      return { type, value: v.getInt8(c.pos++) };
    case 'uint16':
      c.need(2, what);
      c.pos += 2;
      return { type, value: v.getUint16(c.pos - 2, true) };
    case 'int16':
      c.need(2, what);
      c.pos += 2;
      return { type, value: v.getInt16(c.pos - 2, true) };
    case 'uint32':
      c.need(4, what);
      c.pos += 4;
      return { type, value: v.getUint32(c.pos - 4, true) };
    case 'int32':
      c.need(4, what);
      c.pos += 4;
      return { type, value: v.getInt32(c.pos - 4, true) };
    case 'float32':
      c.need(4, what);
      c.pos += 4;
      return { type, value: v.getFloat32(c.pos - 4, true) };
    case 'float64':
      c.need(8, what);
      c.pos += 8;
      return { type, value: v.getFloat64(c.pos - 8, true) };
    case 'bool':
      return { type, value: readBool(c, what) };
    case 'string':
      return { type, value: c.string(what) };
    case 'uint64':
      return { type, value: c.u64(what) };
    case 'int64':
      return { type, value: c.i64(what) };
    case 'array':
      return readArray(c, key, 1);
  }
}

function readBool(c: HeaderCursor, what: string): boolean {
  c.need(1, what);
  const b = c.bytes[c.pos];
  if (b > 1) c.fail(`bool ${what} is ${b}`, c.pos, 'a bool byte 0 or 1');
  c.pos++;
  return b === 1;
}

function readArray(c: HeaderCursor, key: string, depth: number): GgufArrayValue {
  if (depth > GGUF_MAX_ARRAY_DEPTH) {
    c.fail(
      `arrays nested more than ${GGUF_MAX_ARRAY_DEPTH} deep in ${key}`,
      c.pos,
      `at most ${GGUF_MAX_ARRAY_DEPTH} levels of nesting`,
    );
  }
  const itemType = c.valueType(`array item type of ${key}`);
  const count = c.count(`array count of ${key}`, GGUF_MIN_VALUE_SIZE_BYTES[itemType]);
  switch (itemType) {
    case 'bool': {
      const value: boolean[] = [];
      for (let i = 0; i < count; i++) value.push(readBool(c, `item ${i} of ${key}`));
      return { type: 'array', itemType, value };
    }
    case 'string': {
      const value: string[] = [];
      for (let i = 0; i < count; i++) value.push(c.string(`item ${i} of ${key}`));
      return { type: 'array', itemType, value };
    }
    case 'array': {
      const value: GgufArrayValue[] = [];
      for (let i = 0; i < count; i++) value.push(readArray(c, `item ${i} of ${key}`, depth + 1));
      return { type: 'array', itemType, value };
    }
    default: {
      const itemBytes = GGUF_MIN_VALUE_SIZE_BYTES[itemType];
      c.need(count * itemBytes, `${count} items of ${key}`);
      const buffer = copyLittleEndian(c.bytes, c.pos, count, itemBytes);
      c.pos += count * itemBytes;
      return numericArray(itemType, buffer);
    }
  }
}

function numericArray(itemType: GgufValueType, buffer: ArrayBuffer): GgufArrayValue {
  switch (itemType) {
    case 'uint8':
      return { type: 'array', itemType, value: new Uint8Array(buffer) };
    case 'int8':
      return { type: 'array', itemType, value: new Int8Array(buffer) };
    case 'uint16':
      return { type: 'array', itemType, value: new Uint16Array(buffer) };
    case 'int16':
      return { type: 'array', itemType, value: new Int16Array(buffer) };
    case 'uint32':
      return { type: 'array', itemType, value: new Uint32Array(buffer) };
    case 'int32':
      return { type: 'array', itemType, value: new Int32Array(buffer) };
    case 'float32':
      return { type: 'array', itemType, value: new Float32Array(buffer) };
    case 'float64':
      return { type: 'array', itemType, value: new Float64Array(buffer) };
    case 'uint64':
      return { type: 'array', itemType, value: new BigUint64Array(buffer) };
    case 'int64':
      return { type: 'array', itemType, value: new BigInt64Array(buffer) };
    default:
      throw new Error(`numericArray: ${itemType} is not a numeric type`);
  }
}

interface TensorRecord {
  info: GgufTensorInfo;
  offsetFieldBytes: number;
}

function parseHeader(bytes: Uint8Array, fileSizeBytes: number, maxHeaderBytes: number): GgufHeader {
  const c: HeaderCursor = new HeaderCursor(bytes, fileSizeBytes, maxHeaderBytes);
  c.need(4, 'magic');
  const magic = c.view.getUint32(0, true);
  if (magic !== GGUF_MAGIC) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0'));
    c.fail(`not a GGUF file (magic ${hex.join(' ')})`, 0, 'the magic bytes "GGUF" (47 47 55 46)');
  }
  c.pos = 4;
  const version = c.u32('version');
  if (version !== 2 && version !== 3) {
    const problem =
      version === 1
        ? 'GGUF version 1 (32-bit counts) is not supported'
        : version === 0x02000000 || version === 0x03000000
          ? 'big-endian GGUF files are not supported'
          : `unsupported GGUF version ${version}`;
    c.fail(problem, 4, 'version 2 or 3, little-endian');
  }
  const tensorCount = c.count('tensor count', MIN_TENSOR_INFO_BYTES);
  const metadataCount = c.count('metadata count', MIN_METADATA_ENTRY_BYTES);

  const metadata: GgufMetadataEntry[] = [];
  const keys = new Set<string>();
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  for (let i = 0; i < metadataCount; i++) {
    const keyAt = c.pos;
    const key = c.string(`metadata key ${i}`);
    if (keys.has(key)) c.fail(`duplicate metadata key "${key}"`, keyAt, 'unique metadata keys');
    keys.add(key);
    const typeAt = c.pos;
    const type = c.valueType(`value type of ${key}`);
    const valueAt = c.pos;
    const value = readValue(c, type, key);
    metadata.push({ key, value });
    if (key === 'general.alignment') {
      if (value.type !== 'uint32') {
        c.fail(`general.alignment has type ${value.type}`, typeAt, 'type uint32');
      }
      const a = value.value as number;
      if (a === 0 || (a & (a - 1)) !== 0) {
        c.fail(`general.alignment is ${a}`, valueAt, 'a power of two');
      }
      alignment = a;
    }
  }

  const records: TensorRecord[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const infoAt = c.pos;
    const name = c.string(`name of tensor ${i}`);
    if (names.has(name)) c.fail(`duplicate tensor name "${name}"`, infoAt, 'unique tensor names');
    names.add(name);
    const dimsAt = c.pos;
    const nDims = c.u32(`n_dims of ${name}`);
    if (nDims < 1 || nDims > 4) c.fail(`tensor ${name} has n_dims ${nDims}`, dimsAt, 'n_dims 1..4');
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.size(`dimension ${d} of ${name}`));
    const typeAt = c.pos;
    const type = c.u32(`type of ${name}`);
    const layout = ggmlTypeById(type);
    if (layout === undefined) {
      const removed = removedGgmlTypeName(type);
      c.fail(
        removed === undefined
          ? `tensor ${name} has unknown ggml type ${type}`
          : `tensor ${name} has ggml type ${type} (${removed}), which ggml removed`,
        typeAt,
        'a known ggml type id (0..39)',
      );
    }
    const offsetAt = c.pos;
    const offsetBytes = c.size(`data offset of ${name}`);
    const sizeBytes = ggmlTensorSizeBytes(layout, dims);
    if (typeof sizeBytes === 'string') c.fail(`tensor ${name}: ${sizeBytes}`, dimsAt, 'valid dims');
    if (offsetBytes % alignment !== 0) {
      c.fail(
        `tensor ${name} has data offset ${offsetBytes}, not a multiple of the alignment`,
        offsetAt,
        `a multiple of ${alignment}`,
      );
    }
    let elementCount = 1;
    for (const d of dims) elementCount *= d;
    records.push({
      offsetFieldBytes: offsetAt,
      info: {
        name,
        dims,
        type,
        typeName: layout.name,
        offsetBytes,
        absoluteOffsetBytes: 0,
        sizeBytes,
        elementCount,
        infoOffsetBytes: infoAt,
      },
    });
  }

  const headerSizeBytes = c.pos;
  const dataOffsetBytes = Math.ceil(headerSizeBytes / alignment) * alignment;
  const tensors = records.map((r) => {
    const absolute = dataOffsetBytes + r.info.offsetBytes;
    if (absolute + r.info.sizeBytes > fileSizeBytes) {
      c.fail(
        `tensor ${r.info.name} data [${absolute}, ${absolute + r.info.sizeBytes}) runs past the ` +
          `end of the ${fileSizeBytes}-byte file`,
        r.offsetFieldBytes,
        `a data offset of at most ${fileSizeBytes - dataOffsetBytes - r.info.sizeBytes}`,
      );
    }
    return { ...r, info: { ...r.info, absoluteOffsetBytes: absolute } };
  });
  const byOffset = tensors.filter((r) => r.info.sizeBytes > 0);
  byOffset.sort((a, b) => a.info.offsetBytes - b.info.offsetBytes);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1].info;
    const cur = byOffset[i];
    const prevEnd = prev.offsetBytes + prev.sizeBytes;
    if (cur.info.offsetBytes < prevEnd) {
      c.fail(
        `tensor ${cur.info.name} data at offset ${cur.info.offsetBytes} overlaps tensor ` +
          `${prev.name} (data offsets ${prev.offsetBytes}..${prevEnd})`,
        cur.offsetFieldBytes,
        `a data offset of at least ${prevEnd} or data ending by ${prev.offsetBytes}`,
      );
    }
  }
  return {
    version,
    alignment,
    metadata,
    tensors: tensors.map((r) => r.info),
    headerSizeBytes,
    dataOffsetBytes,
    fileSizeBytes,
  };
}

/**
 * Parses a GGUF header from bytes that hold the whole file (synchronous; use readGguf for lazy
 * reading). Malformed input throws a WeightsFormatError naming the byte offset.
 * @example const header = parseGgufHeader(bytes); header.tensors.length
 */
export function parseGgufHeader(bytes: Uint8Array): GgufHeader {
  return parseHeader(bytes, bytes.length, bytes.length);
}

/**
 * Reads a GGUF v2/v3 header from a ByteSource, loading only the header bytes (first
 * `initialChunkBytes`, doubling while a string or array runs past), and returns a GgufFile whose
 * readTensorData reads exactly one tensor's byte range. Malformed input rejects with a
 * WeightsFormatError naming the byte offset and what was expected.
 * @example const file = await readGguf(blobSource(input.files[0])); file.get('general.name')
 */
export async function readGguf(
  source: ByteSource,
  options: GgufReadOptions = {},
): Promise<GgufFile> {
  const fileSizeBytes = source.sizeBytes;
  if (!Number.isSafeInteger(fileSizeBytes) || fileSizeBytes < 0) {
    throw new RangeError(`readGguf: source size ${fileSizeBytes} is not a byte count`);
  }
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  let loaded = Math.min(
    fileSizeBytes,
    Math.max(1, options.initialChunkBytes ?? DEFAULT_INITIAL_CHUNK_BYTES),
  );
  let bytes = await readExactly(source, 0, loaded, 'the GGUF header');
  let header: GgufHeader;
  for (;;) {
    try {
      header = parseHeader(bytes, fileSizeBytes, maxHeaderBytes);
      break;
    } catch (error) {
      if (!(error instanceof NeedMoreBytes)) throw error;
      const next = Math.min(
        fileSizeBytes,
        Math.max(error.endBytes, Math.min(loaded * 2, maxHeaderBytes)),
      );
      const more = await readExactly(source, loaded, next - loaded, 'the GGUF header');
      const grown = new Uint8Array(next);
      grown.set(bytes);
      grown.set(more, loaded);
      bytes = grown;
      loaded = next;
    }
  }
  return bindGguf(header, source);
}

function bindGguf(header: GgufHeader, source: ByteSource): GgufFile {
  const byKey = new Map(header.metadata.map((e) => [e.key, e.value]));
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  return {
    ...header,
    source,
    get: (key) => byKey.get(key),
    tensor: (name) => byName.get(name),
    readTensorData(tensor) {
      const info = typeof tensor === 'string' ? byName.get(tensor) : tensor;
      if (info === undefined) {
        return Promise.reject(new Error(`readTensorData: no tensor named "${tensor}" in the file`));
      }
      return readExactly(
        source,
        info.absoluteOffsetBytes,
        info.sizeBytes,
        `the data of tensor ${info.name}`,
      );
    },
  };
}
