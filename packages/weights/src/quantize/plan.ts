// Which ggml type each tensor of a Llama-architecture model gets when quantized to a llama.cpp "file
// type" (Q4_K_M, Q4_0, …), following llama-quantize's rules for dense Llama models: the mixture
// rules (more bits for attn_v and ffn_down in some layers, Q6_K for the output matrix) and the
// fallbacks for rows whose width does not fit the type's block.

/** The file types we can write, as llama.cpp spells them (`llama-quantize … Q4_K_M`). */
export type FileTypeName =
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'Q8_0'
  | 'Q4_0'
  | 'Q4_1'
  | 'Q5_0'
  | 'Q5_1'
  | 'Q2_K'
  | 'Q3_K_S'
  | 'Q3_K_M'
  | 'Q3_K_L'
  | 'Q4_K_S'
  | 'Q4_K_M'
  | 'Q5_K_S'
  | 'Q5_K_M'
  | 'Q6_K'
  | 'IQ4_NL'
  | 'MXFP4';

interface FileTypeInfo {
  /** The llama_ftype value written as `general.file_type`. */
  readonly id: number;
  /** The ggml type most tensors get (ggml's spelling). */
  readonly base: string;
}

const FILE_TYPES: Readonly<Record<FileTypeName, FileTypeInfo>> = {
  F32: { id: 0, base: 'f32' },
  F16: { id: 1, base: 'f16' },
  Q4_0: { id: 2, base: 'q4_0' },
  Q4_1: { id: 3, base: 'q4_1' },
  Q8_0: { id: 7, base: 'q8_0' },
  Q5_0: { id: 8, base: 'q5_0' },
  Q5_1: { id: 9, base: 'q5_1' },
  Q2_K: { id: 10, base: 'q2_K' },
  Q3_K_S: { id: 11, base: 'q3_K' },
  Q3_K_M: { id: 12, base: 'q3_K' },
  Q3_K_L: { id: 13, base: 'q3_K' },
  Q4_K_S: { id: 14, base: 'q4_K' },
  Q4_K_M: { id: 15, base: 'q4_K' },
  Q5_K_S: { id: 16, base: 'q5_K' },
  Q5_K_M: { id: 17, base: 'q5_K' },
  Q6_K: { id: 18, base: 'q6_K' },
  IQ4_NL: { id: 25, base: 'iq4_nl' },
  BF16: { id: 32, base: 'bf16' },
  // llama.cpp only defines MXFP4 for mixture-of-experts files (MXFP4_MOE = 38, experts in MXFP4,
  // the rest Q8_0). For a dense model that would mean no MXFP4 at all, so we write every quantizable
  // matrix as MXFP4 (a "pure" file) and say so in the plan.
  MXFP4: { id: 38, base: 'mxfp4' },
};

const ALIASES: Readonly<Record<string, FileTypeName>> = {
  Q2_K: 'Q2_K',
  Q3_K: 'Q3_K_M',
  Q4_K: 'Q4_K_M',
  Q5_K: 'Q5_K_M',
  FP16: 'F16',
  FP32: 'F32',
};

/** Block sizes of the types a plan can choose. */
const BLOCK: Readonly<Record<string, number>> = {
  f32: 1,
  f16: 1,
  bf16: 1,
  q8_0: 32,
  q4_0: 32,
  q4_1: 32,
  q5_0: 32,
  q5_1: 32,
  iq4_nl: 32,
  mxfp4: 32,
  q2_K: 256,
  q3_K: 256,
  q4_K: 256,
  q5_K: 256,
  q6_K: 256,
};

/**
 * What to do when a row does not fit the chosen type's block. 'llama.cpp-2025': llama-quantize at
 * the commit of the shared reference (Q2_K/Q3_K → IQ4_NL, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0,
 * then F16 if the row still does not fit; 32-element types straight to F16, which is the one-line
 * patch the reference needed because stock llama-quantize aborts there). 'upstream': current
 * llama.cpp, which sends Q2_K/Q3_K to Q4_0 instead; identical otherwise.
 */
export type FallbackRule = 'llama.cpp-2025' | 'upstream';

/** One tensor as the planner sees it. */
export interface PlanTensor {
  readonly name: string;
  /** GGUF dims, ne0 (the row width) first. */
  readonly dims: readonly number[];
  /** The tensor's current ggml type (default 'f32'); tensors that are not quantized keep it. */
  readonly type?: string;
}

/** The planner's decision for one tensor. */
export interface PlannedTensor {
  readonly name: string;
  /** The ggml type written (ggml's spelling, e.g. 'q5_0'); unquantized tensors keep their type. */
  readonly type: string;
  /** Whether the tensor is quantized at all (2-D weights; never norms). */
  readonly quantized: boolean;
  /** The type the mixture rule asked for before any fallback, when a fallback happened. */
  readonly requested?: string;
  /** A human-readable reason when the type differs from the file type's base type. */
  readonly note?: string;
}

/** A full plan: the llama_ftype id and one decision per tensor, in llama-quantize's order. */
export interface QuantizePlan {
  readonly fileType: FileTypeName;
  readonly fileTypeId: number;
  readonly tensors: readonly PlannedTensor[];
}

/**
 * Parses a file-type name the way llama-quantize accepts it (any case; Q4_K means Q4_K_M), and
 * throws an Error listing the supported names otherwise.
 * @example parseFileType('q4_k_m') // 'Q4_K_M'
 */
export function parseFileType(name: string): FileTypeName {
  const upper = name.trim().toUpperCase();
  if (Object.hasOwn(FILE_TYPES, upper)) return upper as FileTypeName;
  if (Object.hasOwn(ALIASES, upper)) return ALIASES[upper];
  throw new Error(
    `unknown quantization type '${name}'; expected one of ${Object.keys(FILE_TYPES).join(', ')}`,
  );
}

/**
 * The llama_ftype id of a file type (the `general.file_type` value).
 * @example fileTypeId('Q4_0') // 2
 */
export function fileTypeId(type: FileTypeName): number {
  return FILE_TYPES[type].id;
}

/**
 * Sorts tensor names the way llama.cpp's model loader does (tensors outside `blk.N.` first, then by
 * layer number, then by name), which is the order llama-quantize writes them in.
 * @example sortLikeLlamaCpp(['blk.1.x', 'output.weight', 'blk.0.y'])
 */
export function sortLikeLlamaCpp<T extends { readonly name: string }>(tensors: readonly T[]): T[] {
  const layer = (name: string): number => {
    const m = /^blk\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : -1;
  };
  return [...tensors].sort((a, b) => {
    const la = layer(a.name);
    const lb = layer(b.name);
    if (la !== lb) return la - lb;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

function isQuantizable(t: PlanTensor): boolean {
  if (t.dims.length < 2 || t.dims.slice(1).every((d) => d === 1)) return false;
  if (!t.name.endsWith('weight')) return false;
  return !t.name.includes('_norm.weight');
}

// llama.cpp's "use more bits" layer pattern for Q4_K_M/Q5_K_M: the first and last eighth of the
// layers and every third layer in between.
function useMoreBits(i: number, n: number): boolean {
  const eighth = Math.trunc(n / 8);
  return i < eighth || i >= Math.trunc((7 * n) / 8) || (i - eighth) % 3 === 2;
}

interface Counters {
  nAttnV: number;
  nFfnDown: number;
  iAttnV: number;
  iFfnDown: number;
  hasOutput: boolean;
  nGqa: number;
}

function mixtureType(ftype: FileTypeName, t: PlanTensor, c: Counters): string {
  const base = FILE_TYPES[ftype].base;
  const name = t.name;
  if (name === 'output.weight' || (!c.hasOutput && name === 'token_embd.weight')) {
    // The output matrix gets Q6_K unless its rows are not a whole number of 256-blocks (then Q8_0).
    if (t.dims[0] % 256 !== 0) return 'q8_0';
    return base === 'q8_0' ? 'q8_0' : 'q6_K';
  }
  if (name.includes('attn_v.weight')) {
    const i = c.iAttnV++;
    if (ftype === 'Q2_K') return c.nGqa >= 4 ? 'q4_K' : 'q3_K';
    if (ftype === 'Q3_K_M') return i < 2 ? 'q5_K' : 'q4_K';
    if (ftype === 'Q3_K_L') return 'q5_K';
    if (ftype === 'IQ4_NL' && c.nGqa >= 4) return 'q5_K';
    if ((ftype === 'Q4_K_M' || ftype === 'Q5_K_M') && useMoreBits(i, c.nAttnV)) return 'q6_K';
    if (ftype === 'Q4_K_S' && i < 4) return 'q5_K';
    return base;
  }
  if (name.includes('ffn_down')) {
    const i = c.iFfnDown++;
    const n = c.nFfnDown;
    if (ftype === 'Q2_K') return 'q3_K';
    if (ftype === 'Q3_K_M') return i < Math.trunc(n / 16) ? 'q5_K' : 'q4_K';
    if (ftype === 'Q3_K_L') return 'q5_K';
    if (ftype === 'Q4_K_M') return useMoreBits(i, n) ? 'q6_K' : base;
    if (ftype === 'IQ4_NL' && i < Math.trunc(n / 8)) return 'q5_K';
    if (ftype === 'Q5_K_M' && useMoreBits(i, n)) return 'q6_K';
    if (ftype === 'Q4_K_S' && i < Math.trunc(n / 8)) return 'q5_K';
    return base;
  }
  if (name.includes('attn_output.weight')) {
    if (ftype === 'Q2_K') return 'q3_K';
    if (ftype === 'Q3_K_M') return 'q4_K';
    if (ftype === 'Q3_K_L') return 'q5_K';
    return base;
  }
  return base;
}

function fallback(type: string, cols: number, rule: FallbackRule): string {
  if (cols % BLOCK[type] === 0) return type;
  let next: string;
  switch (type) {
    case 'q2_K':
    case 'q3_K':
      next = rule === 'upstream' ? 'q4_0' : 'iq4_nl';
      break;
    case 'q4_K':
      next = 'q5_0';
      break;
    case 'q5_K':
      next = 'q5_1';
      break;
    case 'q6_K':
      next = 'q8_0';
      break;
    default:
      next = 'f16';
  }
  return cols % BLOCK[next] === 0 ? next : 'f16';
}

/**
 * Plans the type of every tensor of a Llama-architecture model for a file type, in the order
 * llama-quantize writes them. `nHeads / nKvHeads` is the GQA factor some rules look at.
 * @example planQuantization(tensors, 'Q4_K_M', { nHeads: 8, nKvHeads: 4 })
 */
export function planQuantization(
  tensors: readonly PlanTensor[],
  fileType: FileTypeName,
  model: { readonly nHeads: number; readonly nKvHeads: number },
  options: { readonly fallback?: FallbackRule; readonly pure?: boolean } = {},
): QuantizePlan {
  const rule = options.fallback ?? 'llama.cpp-2025';
  const pure = options.pure === true || fileType === 'MXFP4';
  const ordered = sortLikeLlamaCpp(tensors);
  const base = FILE_TYPES[fileType].base;
  const counters: Counters = {
    nAttnV: ordered.filter((t) => t.name.includes('attn_v.weight')).length,
    nFfnDown: ordered.filter((t) => t.name.includes('ffn_down')).length,
    iAttnV: 0,
    iFfnDown: 0,
    hasOutput: ordered.some((t) => t.name === 'output.weight'),
    nGqa: model.nKvHeads > 0 ? model.nHeads / model.nKvHeads : 1,
  };
  const blockQuantized = BLOCK[base] > 1;
  const planned = ordered.map((t): PlannedTensor => {
    if (!isQuantizable(t)) return { name: t.name, type: t.type ?? 'f32', quantized: false };
    if (!blockQuantized) return { name: t.name, type: base, quantized: true };
    const wanted = pure ? base : mixtureType(fileType, t, counters);
    const type = fallback(wanted, t.dims[0], rule);
    if (type === wanted) {
      const note = wanted !== base ? `mixture rule: ${wanted}` : undefined;
      return note
        ? { name: t.name, type, quantized: true, note }
        : { name: t.name, type, quantized: true };
    }
    return {
      name: t.name,
      type,
      quantized: true,
      requested: wanted,
      note: `rows of ${t.dims[0]} do not fit ${wanted} blocks of ${BLOCK[wanted]}: fallback ${type}`,
    };
  });
  return { fileType, fileTypeId: FILE_TYPES[fileType].id, tensors: planned };
}
