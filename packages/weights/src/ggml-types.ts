import { GGML_TYPE_INFO } from '@explorables/quant';

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

/**
 * Every ggml type id in use (0..39) with its layout, in id order: quant's GGML_TYPE_INFO (the one
 * table of ggml's type_traits in this repository) with the names attached. Ids 4, 5, 31–33 and
 * 36–38 belonged to formats removed from ggml and are absent.
 * @example GGML_TYPE_LAYOUTS.find((t) => t.name === 'q8_0') // { id: 8, blockSize: 32, ... }
 */
export const GGML_TYPE_LAYOUTS: readonly GgmlTypeLayout[] = Object.freeze(
  Object.entries(GGML_TYPE_INFO)
    .map(([name, t]) => ({
      id: t.id,
      name,
      blockSize: t.blockSize,
      typeSizeBytes: t.typeSizeBytes,
    }))
    .sort((a, b) => a.id - b.id),
);

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
export const GGML_TYPE_ID: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(GGML_TYPE_LAYOUTS.map((t) => [t.name, t.id])),
);

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
