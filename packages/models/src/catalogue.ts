/** What a model file holds, which decides the loader that reads it. */
export type ModelKind = 'llama2c-checkpoint' | 'llama2c-tokenizer' | 'gguf';

/** One known model file: where its public copy lives and what its bytes must hash to. */
export interface CatalogueEntry {
  /** The https address of the author's public copy (Hugging Face or GitHub). */
  readonly url: string;
  /** Lower-case hex sha256 of the whole file; a download that hashes otherwise is refused. */
  readonly sha256: string;
  /** Exact file size in bytes. */
  readonly sizeBytes: number;
  readonly kind: ModelKind;
  /** For a checkpoint: the catalogue name of the tokenizer it was trained with. */
  readonly pairsWith?: string;
  /** One line for listings. */
  readonly description: string;
}

const TINYLLAMAS = 'https://huggingface.co/karpathy/tinyllamas/resolve/main';

/**
 * The model files the project knows by name, with their public homes, sizes and sha256 (the
 * Hugging Face LFS hashes; see the shared models README for provenance).
 * @example MODEL_CATALOGUE['stories260K.bin'].pairsWith // 'tok512.bin'
 */
export const MODEL_CATALOGUE: Readonly<Record<string, CatalogueEntry>> = Object.freeze({
  'stories260K.bin': {
    url: `${TINYLLAMAS}/stories260K/stories260K.bin`,
    sha256: 'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696',
    sizeBytes: 1_056_540,
    kind: 'llama2c-checkpoint',
    pairsWith: 'tok512.bin',
    description:
      'Karpathy stories260K: 260K-parameter Llama 2 on TinyStories, 512-token vocabulary',
  },
  'tok512.bin': {
    url: `${TINYLLAMAS}/stories260K/tok512.bin`,
    sha256: '037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312',
    sizeBytes: 6_227,
    kind: 'llama2c-tokenizer',
    description: 'llama2.c tokenizer for stories260K: 512 pieces, byte fallback',
  },
  'stories15M.bin': {
    url: `${TINYLLAMAS}/stories15M.bin`,
    sha256: 'cd590644d963867a2b6e5a1107f51fad663c41d79c149fbecbbb1f95fa81f49a',
    sizeBytes: 60_816_028,
    kind: 'llama2c-checkpoint',
    pairsWith: 'tokenizer.bin',
    description: 'Karpathy stories15M: dim 288, 6 layers, Llama 2 32,000-token vocabulary',
  },
  'stories42M.bin': {
    url: `${TINYLLAMAS}/stories42M.bin`,
    sha256: '9f65a1000e17d0bc167dd6332e0ce5119a0222a3d920cead5bce413bfab2ee7b',
    sizeBytes: 167_020_572,
    kind: 'llama2c-checkpoint',
    pairsWith: 'tokenizer.bin',
    description: 'Karpathy stories42M: dim 512, 8 layers, Llama 2 32,000-token vocabulary',
  },
  'stories110M.bin': {
    url: `${TINYLLAMAS}/stories110M.bin`,
    sha256: '515267168726a1ed1317a64a408492e6af3b67c1f71c5bd98c01d9d721803a24',
    sizeBytes: 438_381_596,
    kind: 'llama2c-checkpoint',
    pairsWith: 'tokenizer.bin',
    description: 'Karpathy stories110M: dim 768, 12 layers, Llama 2 32,000-token vocabulary',
  },
  'tokenizer.bin': {
    url: 'https://github.com/karpathy/llama2.c/raw/master/tokenizer.bin',
    sha256: '50a52ef822ee9e83de5ce9d0be0a025a773d019437f58b5ff9dcafb063ece361',
    sizeBytes: 433_869,
    kind: 'llama2c-tokenizer',
    description: 'llama2.c default tokenizer: Llama 2 32,000 pieces (llama2.c commit 350e04f)',
  },
} satisfies Record<string, CatalogueEntry>);

/**
 * The model the essays load when nothing else is asked for.
 * @example MODEL_CATALOGUE[DEFAULT_MODEL].kind // 'llama2c-checkpoint'
 */
export const DEFAULT_MODEL = 'stories260K.bin';

/**
 * The tokenizer that pairs with DEFAULT_MODEL.
 * @example DEFAULT_TOKENIZER // 'tok512.bin'
 */
export const DEFAULT_TOKENIZER = 'tok512.bin';
