/** Name, block size and block byte size of one ggml tensor type (ggml.c `type_traits`). */
export interface GgmlTypeLayout {
  /** The ggml type id stored in GGUF tensor infos (GGML_TYPE_*). */
  readonly id: number;
  /** Lower-case ggml name, e.g. 'q4_K'. */
  readonly name: string;
  /** Elements per block (1 for plain number types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSizeBytes: number;
}

const QK_K = 256;

/**
 * Every ggml type id in use (0..39) with its layout; ids 4, 5, 31–33 and 36–38 belonged to
 * formats removed from ggml and are absent.
 * @example GGML_TYPE_LAYOUTS.find((t) => t.name === 'q8_0') // { id: 8, blockSize: 32, ... }
 */
export const GGML_TYPE_LAYOUTS: readonly GgmlTypeLayout[] = [
  { id: 0, name: 'f32', blockSize: 1, typeSizeBytes: 4 },
  { id: 1, name: 'f16', blockSize: 1, typeSizeBytes: 2 },
  { id: 2, name: 'q4_0', blockSize: 32, typeSizeBytes: 18 },
  { id: 3, name: 'q4_1', blockSize: 32, typeSizeBytes: 20 },
  { id: 6, name: 'q5_0', blockSize: 32, typeSizeBytes: 22 },
  { id: 7, name: 'q5_1', blockSize: 32, typeSizeBytes: 24 },
  { id: 8, name: 'q8_0', blockSize: 32, typeSizeBytes: 34 },
  { id: 9, name: 'q8_1', blockSize: 32, typeSizeBytes: 36 },
  { id: 10, name: 'q2_K', blockSize: QK_K, typeSizeBytes: 84 },
  { id: 11, name: 'q3_K', blockSize: QK_K, typeSizeBytes: 110 },
  { id: 12, name: 'q4_K', blockSize: QK_K, typeSizeBytes: 144 },
  { id: 13, name: 'q5_K', blockSize: QK_K, typeSizeBytes: 176 },
  { id: 14, name: 'q6_K', blockSize: QK_K, typeSizeBytes: 210 },
  { id: 15, name: 'q8_K', blockSize: QK_K, typeSizeBytes: 292 },
  { id: 16, name: 'iq2_xxs', blockSize: QK_K, typeSizeBytes: 66 },
  { id: 17, name: 'iq2_xs', blockSize: QK_K, typeSizeBytes: 74 },
  { id: 18, name: 'iq3_xxs', blockSize: QK_K, typeSizeBytes: 98 },
  { id: 19, name: 'iq1_s', blockSize: QK_K, typeSizeBytes: 50 },
  { id: 20, name: 'iq4_nl', blockSize: 32, typeSizeBytes: 18 },
  { id: 21, name: 'iq3_s', blockSize: QK_K, typeSizeBytes: 110 },
  { id: 22, name: 'iq2_s', blockSize: QK_K, typeSizeBytes: 82 },
  { id: 23, name: 'iq4_xs', blockSize: QK_K, typeSizeBytes: 136 },
  { id: 24, name: 'i8', blockSize: 1, typeSizeBytes: 1 },
  { id: 25, name: 'i16', blockSize: 1, typeSizeBytes: 2 },
  { id: 26, name: 'i32', blockSize: 1, typeSizeBytes: 4 },
  { id: 27, name: 'i64', blockSize: 1, typeSizeBytes: 8 },
  { id: 28, name: 'f64', blockSize: 1, typeSizeBytes: 8 },
  { id: 29, name: 'iq1_m', blockSize: QK_K, typeSizeBytes: 56 },
  { id: 30, name: 'bf16', blockSize: 1, typeSizeBytes: 2 },
  { id: 34, name: 'tq1_0', blockSize: QK_K, typeSizeBytes: 54 },
  { id: 35, name: 'tq2_0', blockSize: QK_K, typeSizeBytes: 66 },
  { id: 39, name: 'mxfp4', blockSize: 32, typeSizeBytes: 17 },
];

/** Ids of ggml types that existed once and were removed (files using them cannot be read). */
const REMOVED: Readonly<Record<number, string>> = {
  4: 'q4_2',
  5: 'q4_3',
  31: 'q4_0_4_4',
  32: 'q4_0_4_8',
  33: 'q4_0_8_8',
  36: 'iq4_nl_4_4',
  37: 'iq4_nl_4_8',
  38: 'iq4_nl_8_8',
};

const BY_ID: ReadonlyMap<number, GgmlTypeLayout> = new Map(GGML_TYPE_LAYOUTS.map((t) => [t.id, t]));
const BY_NAME: ReadonlyMap<string, GgmlTypeLayout> = new Map(
  GGML_TYPE_LAYOUTS.map((t) => [t.name.toLowerCase(), t]),
);

/** Every ggml type id by its name, e.g. `GGML_TYPE_ID.q4_K === 12`. */
export const GGML_TYPE_ID = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q4_1: 3,
  q5_0: 6,
  q5_1: 7,
  q8_0: 8,
  q8_1: 9,
  q2_K: 10,
  q3_K: 11,
  q4_K: 12,
  q5_K: 13,
  q6_K: 14,
  q8_K: 15,
  iq2_xxs: 16,
  iq2_xs: 17,
  iq3_xxs: 18,
  iq1_s: 19,
  iq4_nl: 20,
  iq3_s: 21,
  iq2_s: 22,
  iq4_xs: 23,
  i8: 24,
  i16: 25,
  i32: 26,
  i64: 27,
  f64: 28,
  iq1_m: 29,
  bf16: 30,
  tq1_0: 34,
  tq2_0: 35,
  mxfp4: 39,
} as const;

/**
 * The layout of a ggml type id, or undefined for ids that are unknown or were removed.
 * @example ggmlTypeById(2)?.typeSizeBytes // 18
 */
export function ggmlTypeById(id: number): GgmlTypeLayout | undefined {
  return BY_ID.get(id);
}

/**
 * The layout of a ggml type by name, case-insensitive ('Q4_K' and 'q4_k' both work).
 * @example ggmlTypeByName('Q8_0')?.id // 8
 */
export function ggmlTypeByName(name: string): GgmlTypeLayout | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * The name of a removed ggml type id, or undefined when the id was never removed.
 * @example removedGgmlTypeName(31) // 'q4_0_4_4'
 */
export function removedGgmlTypeName(id: number): string | undefined {
  return REMOVED[id];
}

/**
 * The byte size of a contiguous tensor (`dims` with ne0 first, as in GGUF), or a string saying
 * why it has none: ne0 is not a multiple of the block size, or the size passes 2^53 - 1.
 * @example ggmlTensorSizeBytes(ggmlTypeById(2)!, [64, 3]) // 3 rows * 2 blocks * 18 bytes = 108
 */
export function ggmlTensorSizeBytes(
  type: GgmlTypeLayout,
  dims: readonly number[],
): number | string {
  const ne0 = dims.length > 0 ? dims[0] : 1;
  if (ne0 % type.blockSize !== 0) {
    return `first dimension ${ne0} is not a multiple of ${type.name}'s block size ${type.blockSize}`;
  }
  let size = (ne0 / type.blockSize) * type.typeSizeBytes;
  let elements = ne0;
  for (let i = 1; i < dims.length; i++) {
    size *= dims[i];
    elements *= dims[i];
  }
  if (size > Number.MAX_SAFE_INTEGER || elements > Number.MAX_SAFE_INTEGER) {
    return `tensor of ${dims.join(' x ')} ${type.name} elements is larger than 2^53 - 1 bytes`;
  }
  return size;
}
