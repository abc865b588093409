import { type ByteSource, readExactly } from './byte-source.ts';
import { WeightsFormatError } from './errors.ts';
import { decodeUtf8Strict, encodeUtf8Strict } from './utf8.ts';

/** A safetensors dtype name as written in the JSON header. */
export type SafetensorsDtype =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'F8_E8M0'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'F64'
  | 'I64'
  | 'U64'
  | 'C64'
  | 'F4'
  | 'F6_E2M3'
  | 'F6_E3M2';

/**
 * Bits per element of every safetensors dtype (the sub-byte F4/F6 types pack elements tightly).
 * @example SAFETENSORS_DTYPE_BITS.BF16 // 16
 */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  F64: 64,
  I64: 64,
  U64: 64,
  C64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
};

/** One tensor's entry in a safetensors header. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Shape, outermost dimension first (row-major, as PyTorch). */
  readonly shape: readonly number[];
  /** [begin, end) of the data relative to the start of the data buffer, as stored. */
  readonly dataOffsets: readonly [number, number];
  /** Offset of the data from the start of the file. */
  readonly absoluteOffsetBytes: number;
  readonly sizeBytes: number;
  /** Product of the shape (1 for a scalar with shape []). */
  readonly elementCount: number;
}

/** A parsed safetensors header bound to its source, reading tensor data on demand. */
export interface SafetensorsFile {
  readonly source: ByteSource;
  /** Length of the JSON header in bytes (the value of the first 8 bytes). */
  readonly headerSizeBytes: number;
  /** Byte offset where the data buffer starts: 8 + headerSizeBytes. */
  readonly dataOffsetBytes: number;
  /** The optional `__metadata__` string map. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /** Tensors in the order of their data in the file. */
  readonly tensors: readonly SafetensorsTensorInfo[];
  /**
   * The tensor info named `name`, or undefined.
   * @example file.tensor('lm_head.weight')?.shape
   */
  tensor(name: string): SafetensorsTensorInfo | undefined;
  /**
   * Reads exactly one tensor's bytes; the result may be a view into the source's memory.
   * @example const bytes = await file.readTensorData('lm_head.weight')
   */
  readTensorData(tensor: SafetensorsTensorInfo | string): Promise<Uint8Array>;
}

/** Limits for reading a safetensors header. */
export interface SafetensorsReadOptions {
  /** Largest JSON header accepted, in bytes; default 100,000,000 (the reference crate's limit). */
  maxHeaderBytes?: number;
}

/** A tensor to write into a safetensors file. */
export interface SafetensorsWriteTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Exactly the tensor's bytes, little-endian, row-major. */
  readonly data: Uint8Array;
}

/** What to write: tensors in data order, plus an optional string-to-string metadata map. */
export interface SafetensorsWriteInput {
  readonly tensors: readonly SafetensorsWriteTensor[];
  readonly metadata?: Readonly<Record<string, string>>;
}

const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

function fail(problem: string, offset: number, expected: string): never {
  throw new WeightsFormatError(`safetensors: ${problem}`, offset, expected);
}

/** Sets an own enumerable property, even one named "__proto__". */
function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isDtype(x: unknown): x is SafetensorsDtype {
  return typeof x === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_BITS, x);
}

/** Byte size of a tensor of `dtype` and `shape`, or a string saying why there is none. */
function tensorSize(dtype: SafetensorsDtype, shape: readonly number[]): number | string {
  let elements = 1;
  for (const d of shape) elements *= d;
  const bits = elements * SAFETENSORS_DTYPE_BITS[dtype];
  if (!Number.isSafeInteger(bits)) return `shape [${shape.join(', ')}] is too large`;
  if (bits % 8 !== 0) {
    return `shape [${shape.join(', ')}] of ${dtype} is not a whole number of bytes`;
  }
  return bits / 8;
}

function parseHeader(
  json: Uint8Array,
  headerSizeBytes: number,
  fileSizeBytes: number,
): { metadata: Record<string, string> | undefined; tensors: SafetensorsTensorInfo[] } {
  const text = decodeUtf8Strict(json, 0, json.length);
  if (text === undefined) fail('header is not valid UTF-8', 8, 'a UTF-8 JSON header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`header is not JSON (${(error as Error).message})`, 8, 'a JSON object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('header is not a JSON object', 8, 'a JSON object of tensors');
  }
  const dataOffsetBytes = 8 + headerSizeBytes;
  const dataSizeBytes = fileSizeBytes - dataOffsetBytes;
  let metadata: Record<string, string> | undefined;
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        fail('__metadata__ is not an object', 8, 'a JSON object of strings');
      }
      metadata = {};
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ "${k}" is not a string`, 8, 'string values');
        defineOwn(metadata, k, v);
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      fail(`${where} is not an object`, 8, '{ dtype, shape, data_offsets }');
    }
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isDtype(dtype)) fail(`${where} has dtype ${JSON.stringify(dtype)}`, 8, 'a known dtype');
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where} has shape ${JSON.stringify(shape)}`, 8, 'an array of integers >= 0');
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      fail(`${where} has data_offsets ${JSON.stringify(offsets)}`, 8, '[begin, end], begin <= end');
    }
    const [begin, end] = offsets as [number, number];
    const size = tensorSize(dtype, shape);
    if (typeof size === 'string') fail(`${where}: ${size}`, 8, 'a valid shape');
    if (end - begin !== size) {
      fail(
        `${where} spans ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${size}`,
        dataOffsetBytes + begin,
        `data_offsets [${begin}, ${begin + size}]`,
      );
    }
    if (end > dataSizeBytes) {
      fail(
        `${where} data [${begin}, ${end}) runs past the end of the ${dataSizeBytes}-byte buffer`,
        dataOffsetBytes + begin,
        `data ending by ${dataSizeBytes}`,
      );
    }
    let elementCount = 1;
    for (const d of shape) elementCount *= d;
    tensors.push({
      name,
      dtype,
      shape,
      dataOffsets: [begin, end],
      absoluteOffsetBytes: dataOffsetBytes + begin,
      sizeBytes: size,
      elementCount,
    });
  }
  tensors.sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  let expectedBegin = 0;
  for (const t of tensors) {
    if (t.dataOffsets[0] !== expectedBegin) {
      fail(
        t.dataOffsets[0] < expectedBegin
          ? `tensor "${t.name}" data at ${t.dataOffsets[0]} overlaps the previous tensor`
          : `gap in the data buffer before tensor "${t.name}"`,
        dataOffsetBytes + Math.min(t.dataOffsets[0], expectedBegin),
        `tensor data to start at buffer offset ${expectedBegin} (contiguous, in order)`,
      );
    }
    expectedBegin = t.dataOffsets[1];
  }
  if (expectedBegin !== dataSizeBytes) {
    fail(
      `${dataSizeBytes - expectedBegin} bytes after the last tensor are not covered by any tensor`,
      dataOffsetBytes + expectedBegin,
      `the file to end at byte ${dataOffsetBytes + expectedBegin}`,
    );
  }
  return { metadata, tensors };
}

/**
 * Reads a safetensors header from a ByteSource (two reads: the 8-byte length, then the JSON),
 * validating that tensor data is contiguous, in range and sized product(shape) x dtype size, and
 * returns a SafetensorsFile whose readTensorData reads one tensor's byte range. Malformed input
 * rejects with a WeightsFormatError.
 * @example const file = await readSafetensors(bytesSource(bytes)); file.tensors[0].dtype
 */
export async function readSafetensors(
  source: ByteSource,
  options: SafetensorsReadOptions = {},
): Promise<SafetensorsFile> {
  const fileSizeBytes = source.sizeBytes;
  const lengthBytes = await readExactly(source, 0, 8, 'the safetensors header length');
  const view = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerSizeBytes = hi * 4294967296 + lo;
  const max = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (headerSizeBytes > fileSizeBytes - 8) {
    fail(
      `header length ${headerSizeBytes} runs past the end of the ${fileSizeBytes}-byte file`,
      0,
      `a header length of at most ${fileSizeBytes - 8}`,
    );
  }
  if (headerSizeBytes > max) {
    fail(`header length ${headerSizeBytes} is over the limit`, 0, `at most ${max} bytes`);
  }
  if (headerSizeBytes < 2) fail(`header length ${headerSizeBytes}`, 0, 'at least 2 bytes ({})');
  const json = await readExactly(source, 8, headerSizeBytes, 'the safetensors JSON header');
  const { metadata, tensors } = parseHeader(json, headerSizeBytes, fileSizeBytes);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return {
    source,
    headerSizeBytes,
    dataOffsetBytes: 8 + headerSizeBytes,
    metadata,
    tensors,
    tensor: (name) => byName.get(name),
    readTensorData(tensor) {
      const info = typeof tensor === 'string' ? byName.get(tensor) : tensor;
      if (info === undefined) {
        return Promise.reject(new Error(`readTensorData: no tensor named "${tensor}" in the file`));
      }
      return readExactly(source, info.absoluteOffsetBytes, info.sizeBytes, `tensor ${info.name}`);
    },
  };
}

/**
 * Writes a safetensors file: 8-byte little-endian header length, the JSON header padded with
 * spaces to a multiple of 8 bytes, then each tensor's data in the given order; throws an Error
 * naming the tensor when its data size does not match dtype and shape.
 * @example writeSafetensors({ tensors: [{ name: 'w', dtype: 'F32', shape: [2],
 *   data: new Uint8Array(8) }] })
 */
export function writeSafetensors(input: SafetensorsWriteInput): Uint8Array {
  const header: Record<string, unknown> = {};
  if (input.metadata !== undefined) {
    for (const [k, v] of Object.entries(input.metadata)) {
      if (typeof v !== 'string') {
        throw new Error(`writeSafetensors: metadata "${k}" is ${typeof v}: expected a string`);
      }
    }
    defineOwn(header, '__metadata__', input.metadata);
  }
  let offset = 0;
  for (const t of input.tensors) {
    const where = `writeSafetensors: tensor "${t.name}"`;
    if (t.name === '__metadata__' || Object.hasOwn(header, t.name)) {
      throw new Error(`${where} is a duplicate or reserved name: expected a unique name`);
    }
    if (!isDtype(t.dtype)) throw new Error(`${where} has dtype ${t.dtype}: expected a known dtype`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${where} has shape [${t.shape.join(', ')}]: expected integers >= 0`);
    }
    const size = tensorSize(t.dtype, t.shape);
    if (typeof size === 'string') throw new Error(`${where}: ${size}`);
    if (t.data.length !== size) {
      throw new Error(`${where} has ${t.data.length} data bytes: expected ${size}`);
    }
    defineOwn(header, t.name, {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + size],
    });
    offset += size;
  }
  const encoded = encodeUtf8Strict(JSON.stringify(header));
  if (encoded === undefined) {
    throw new Error('writeSafetensors: a name or metadata string holds a lone surrogate');
  }
  const headerSizeBytes = Math.ceil(encoded.length / 8) * 8;
  const out = new Uint8Array(8 + headerSizeBytes + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerSizeBytes % 4294967296, true);
  view.setUint32(4, Math.floor(headerSizeBytes / 4294967296), true);
  out.set(encoded, 8);
  out.fill(0x20, 8 + encoded.length, 8 + headerSizeBytes);
  let pos = 8 + headerSizeBytes;
  for (const t of input.tensors) {
    out.set(t.data, pos);
    pos += t.data.length;
  }
  return out;
}
