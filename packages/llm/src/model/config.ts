/**
 * How RoPE pairs dimensions inside a head: 'adjacent' rotates (2i, 2i+1) as Meta's Llama and
 * llama2.c do (llama.cpp rope type 0, "normal"); 'neox' rotates (i, i + ropeDims/2) as GPT-NeoX
 * and Hugging Face's Llama layout do (llama.cpp rope type 2).
 */
export type RopeLayout = 'adjacent' | 'neox';

/** Shape and numeric constants of a Llama-family decoder. */
export interface ModelConfig {
  /** Model width. */
  dim: number;
  /** SwiGLU hidden width. */
  hiddenDim: number;
  nLayers: number;
  /** Query heads. */
  nHeads: number;
  /** Key/value heads; nHeads must be a multiple (grouped-query attention). */
  nKvHeads: number;
  vocabSize: number;
  /** Maximum positions (the KV cache length). */
  seqLen: number;
  /** Width of one head (dim / nHeads unless the model says otherwise). */
  headSize: number;
  /** Leading dimensions of each head that RoPE rotates (even, ≤ headSize). */
  ropeDims: number;
  /** RoPE base frequency θ. */
  ropeTheta: number;
  ropeLayout: RopeLayout;
  /** ε added to the mean square in RMSNorm. */
  rmsEps: number;
}

/** The fields that must be given; the rest have Llama defaults. */
export type ModelConfigInput = Pick<
  ModelConfig,
  'dim' | 'hiddenDim' | 'nLayers' | 'nHeads' | 'vocabSize' | 'seqLen'
> &
  Partial<ModelConfig>;

/**
 * Completes and validates a config: nKvHeads defaults to nHeads, headSize to dim/nHeads, ropeDims
 * to headSize, ropeTheta to 10000, ropeLayout to 'adjacent', rmsEps to 1e-5.
 * @example makeModelConfig({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4,
 *   vocabSize: 512, seqLen: 512 }).headSize // 8
 */
export function makeModelConfig(input: ModelConfigInput): ModelConfig {
  const nHeads = input.nHeads;
  const headSize = input.headSize ?? input.dim / nHeads;
  const config: ModelConfig = {
    dim: input.dim,
    hiddenDim: input.hiddenDim,
    nLayers: input.nLayers,
    nHeads,
    nKvHeads: input.nKvHeads ?? nHeads,
    vocabSize: input.vocabSize,
    seqLen: input.seqLen,
    headSize,
    ropeDims: input.ropeDims ?? headSize,
    ropeTheta: input.ropeTheta ?? 10000,
    ropeLayout: input.ropeLayout ?? 'adjacent',
    rmsEps: input.rmsEps ?? 1e-5,
  };
  const integers: Array<keyof ModelConfig> = [
    'dim',
    'hiddenDim',
    'nLayers',
    'nHeads',
    'nKvHeads',
    'vocabSize',
    'seqLen',
    'headSize',
    'ropeDims',
  ];
  for (const key of integers) {
    const v = config[key] as number;
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(`model config: ${key} is ${v}; expected a positive integer`);
    }
  }
  if (config.nHeads % config.nKvHeads !== 0) {
    throw new Error(
      `model config: nHeads ${config.nHeads} is not a multiple of nKvHeads ${config.nKvHeads}`,
    );
  }
  if (config.ropeDims % 2 !== 0 || config.ropeDims > config.headSize) {
    throw new Error(
      `model config: ropeDims ${config.ropeDims} must be even and at most headSize ${headSize}`,
    );
  }
  if (!(config.ropeTheta > 0) || !(config.rmsEps >= 0)) {
    throw new Error(
      `model config: ropeTheta ${config.ropeTheta} must be > 0 and rmsEps ${config.rmsEps} >= 0`,
    );
  }
  if (config.ropeLayout !== 'adjacent' && config.ropeLayout !== 'neox') {
    throw new Error(`model config: ropeLayout '${config.ropeLayout}'; expected adjacent or neox`);
  }
  return config;
}
