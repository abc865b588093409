/** The GGUF magic: the ASCII bytes "GGUF" read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;

/** Alignment of the data section and of every tensor when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Scalar metadata value types of GGUF. */
export type GgufScalarType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'bool'
  | 'string'
  | 'uint64'
  | 'int64'
  | 'float64';

/** Every GGUF metadata value type, scalars plus 'array'. */
export type GgufValueType = GgufScalarType | 'array';

/**
 * The numeric id GGUF stores for each value type (gguf_type in gguf.h).
 * @example GGUF_VALUE_TYPE_ID.string // 8
 */
export const GGUF_VALUE_TYPE_ID: Readonly<Record<GgufValueType, number>> = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
};

/** Value types by id: index i holds the type whose id is i. */
export const GGUF_VALUE_TYPES: readonly GgufValueType[] = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'bool',
  'string',
  'array',
  'uint64',
  'int64',
  'float64',
];

/** A GGUF array: numeric items come as typed arrays (bit-exact, compact), others as JS arrays. */
export type GgufArrayValue =
  | { type: 'array'; itemType: 'uint8'; value: Uint8Array }
  | { type: 'array'; itemType: 'int8'; value: Int8Array }
  | { type: 'array'; itemType: 'uint16'; value: Uint16Array }
  | { type: 'array'; itemType: 'int16'; value: Int16Array }
  | { type: 'array'; itemType: 'uint32'; value: Uint32Array }
  | { type: 'array'; itemType: 'int32'; value: Int32Array }
  | { type: 'array'; itemType: 'float32'; value: Float32Array }
  | { type: 'array'; itemType: 'float64'; value: Float64Array }
  | { type: 'array'; itemType: 'uint64'; value: BigUint64Array }
  | { type: 'array'; itemType: 'int64'; value: BigInt64Array }
  | { type: 'array'; itemType: 'bool'; value: boolean[] }
  | { type: 'array'; itemType: 'string'; value: string[] }
  | { type: 'array'; itemType: 'array'; value: GgufArrayValue[] };

/**
 * One typed GGUF metadata value. 64-bit integers are numbers when they are safe integers and
 * bigints beyond 2^53 - 1 (the reader always returns the number form when it fits).
 */
export type GgufValue =
  | {
      type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
      value: number;
    }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'uint64' | 'int64'; value: number | bigint }
  | GgufArrayValue;

/** One metadata key-value pair, in file order. */
export interface GgufMetadataEntry {
  key: string;
  value: GgufValue;
}

/**
 * Smallest encoded size in bytes of one value of each type: the value itself for fixed-size types,
 * the length field for a string, the item type and count fields for an array.
 */
export const GGUF_MIN_VALUE_SIZE_BYTES: Readonly<Record<GgufValueType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  string: 8,
  array: 12,
  uint64: 8,
  int64: 8,
  float64: 8,
};
