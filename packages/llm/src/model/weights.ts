import type { Llama2cConfig, Llama2cTensors } from '@explorables/weights';
import { type ModelConfig, makeModelConfig } from './config.ts';

/** One decoder block's weights; matrices are row-major [out][in] (PyTorch / GGUF order). */
export interface LayerWeights {
  /** [dim] RMSNorm weight before attention. */
  attnNorm: Float32Array;
  /** [nHeads·headSize][dim] */
  wq: Float32Array;
  /** [nKvHeads·headSize][dim] */
  wk: Float32Array;
  /** [nKvHeads·headSize][dim] */
  wv: Float32Array;
  /** [dim][nHeads·headSize] */
  wo: Float32Array;
  /** [dim] RMSNorm weight before the MLP. */
  ffnNorm: Float32Array;
  /** [hiddenDim][dim] gate (llama2.c w1, GGUF ffn_gate). */
  w1: Float32Array;
  /** [dim][hiddenDim] down (llama2.c w2, GGUF ffn_down). */
  w2: Float32Array;
  /** [hiddenDim][dim] up (llama2.c w3, GGUF ffn_up). */
  w3: Float32Array;
}

/** A Llama-family model: config plus float32 weights. */
export interface ModelWeights {
  config: ModelConfig;
  /** [vocabSize][dim] */
  tokenEmbedding: Float32Array;
  layers: LayerWeights[];
  /** [dim] final RMSNorm weight. */
  outputNorm: Float32Array;
  /** [vocabSize][dim] classifier; the same array as tokenEmbedding when tied. */
  output: Float32Array;
}

/** Looks a tensor up by its GGUF name; undefined when absent. */
export type TensorSource = (name: string) => Float32Array | undefined;

/**
 * GGUF names of the tensors of layer `layer`.
 * @example ggufLayerNames(0).wq // 'blk.0.attn_q.weight'
 */
export function ggufLayerNames(layer: number): Record<keyof LayerWeights, string> {
  const p = `blk.${layer}.`;
  return {
    attnNorm: `${p}attn_norm.weight`,
    wq: `${p}attn_q.weight`,
    wk: `${p}attn_k.weight`,
    wv: `${p}attn_v.weight`,
    wo: `${p}attn_output.weight`,
    ffnNorm: `${p}ffn_norm.weight`,
    w1: `${p}ffn_gate.weight`,
    w2: `${p}ffn_down.weight`,
    w3: `${p}ffn_up.weight`,
  };
}

/**
 * Assembles model weights from tensors named as in GGUF ('token_embd.weight',
 * 'blk.N.attn_q.weight', …, 'output_norm.weight', optional 'output.weight' — absent means tied to
 * the embedding), checking every tensor's length against the config. Tensors must already be
 * float32 in [out][in] order (dequantize first; apply any q/k permutation before).
 * @example modelFromTensors(config, (name) => tensors.get(name))
 */
export function modelFromTensors(config: ModelConfig, getTensor: TensorSource): ModelWeights {
  const { dim, hiddenDim, vocabSize, nHeads, nKvHeads, headSize } = config;
  const qDim = nHeads * headSize;
  const kvDim = nKvHeads * headSize;
  const need = (name: string, rows: number, cols: number): Float32Array => {
    const t = getTensor(name);
    if (t === undefined) throw new Error(`model tensors: ${name} is missing`);
    if (t.length !== rows * cols) {
      throw new Error(
        `model tensors: ${name} has ${t.length} values; expected ${rows * cols} (${rows} × ${cols})`,
      );
    }
    return t;
  };
  const tokenEmbedding = need('token_embd.weight', vocabSize, dim);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    const n = ggufLayerNames(l);
    layers.push({
      attnNorm: need(n.attnNorm, 1, dim),
      wq: need(n.wq, qDim, dim),
      wk: need(n.wk, kvDim, dim),
      wv: need(n.wv, kvDim, dim),
      wo: need(n.wo, dim, qDim),
      ffnNorm: need(n.ffnNorm, 1, dim),
      w1: need(n.w1, hiddenDim, dim),
      w2: need(n.w2, dim, hiddenDim),
      w3: need(n.w3, hiddenDim, dim),
    });
  }
  const outputNorm = need('output_norm.weight', 1, dim);
  const output =
    getTensor('output.weight') === undefined
      ? tokenEmbedding
      : need('output.weight', vocabSize, dim);
  return { config, tokenEmbedding, layers, outputNorm, output };
}

/** The parts of a parsed llama2.c checkpoint (weights' Llama2cCheckpoint) that modelFromLlama2c reads. */
export interface Llama2cCheckpointLike {
  config: Omit<Llama2cConfig, 'sharedClassifier'>;
  tensors: Llama2cTensors;
}

/**
 * Model weights from a llama2.c checkpoint (readLlama2cCheckpoint in @explorables/weights) with
 * run.c's constants: RMSNorm ε 1e-5, RoPE θ 10000 on adjacent pairs over the whole head.
 * @example const model = modelFromLlama2c(readLlama2cCheckpoint(bytes))
 */
export function modelFromLlama2c(checkpoint: Llama2cCheckpointLike): ModelWeights {
  const c = checkpoint.config;
  const t = checkpoint.tensors;
  const config = makeModelConfig({
    dim: c.dim,
    hiddenDim: c.hiddenDim,
    nLayers: c.nLayers,
    nHeads: c.nHeads,
    nKvHeads: c.nKvHeads,
    vocabSize: c.vocabSize,
    seqLen: c.seqLen,
    ropeLayout: 'adjacent',
    ropeTheta: 10000,
    rmsEps: 1e-5,
  });
  const byName = new Map<string, Float32Array>([
    ['token_embd.weight', t.tokenEmbedding],
    ['output_norm.weight', t.rmsFinal],
  ]);
  if (t.wcls !== t.tokenEmbedding) byName.set('output.weight', t.wcls);
  for (let l = 0; l < c.nLayers; l++) {
    const n = ggufLayerNames(l);
    byName.set(n.attnNorm, t.rmsAtt[l]);
    byName.set(n.wq, t.wq[l]);
    byName.set(n.wk, t.wk[l]);
    byName.set(n.wv, t.wv[l]);
    byName.set(n.wo, t.wo[l]);
    byName.set(n.ffnNorm, t.rmsFfn[l]);
    byName.set(n.w1, t.w1[l]);
    byName.set(n.w2, t.w2[l]);
    byName.set(n.w3, t.w3[l]);
  }
  return modelFromTensors(config, (name) => byName.get(name));
}

/**
 * The llama2.c config and tensors of a model, the inverse of modelFromLlama2c (the same arrays,
 * not copies), for writeLlama2cCheckpoint or llama2cToGguf in @explorables/weights. The classifier
 * counts as shared when `output` is the embedding table itself.
 * @example const bytes = writeLlama2cCheckpoint(llama2cFromModel(model))
 */
export function llama2cFromModel(model: ModelWeights): {
  config: Llama2cConfig;
  tensors: Llama2cTensors;
} {
  const c = model.config;
  const per = <K extends keyof LayerWeights>(k: K): LayerWeights[K][] =>
    model.layers.map((l) => l[k]);
  return {
    config: {
      dim: c.dim,
      hiddenDim: c.hiddenDim,
      nLayers: c.nLayers,
      nHeads: c.nHeads,
      nKvHeads: c.nKvHeads,
      vocabSize: c.vocabSize,
      seqLen: c.seqLen,
      sharedClassifier: model.output === model.tokenEmbedding,
    },
    tensors: {
      tokenEmbedding: model.tokenEmbedding,
      rmsAtt: per('attnNorm'),
      wq: per('wq'),
      wk: per('wk'),
      wv: per('wv'),
      wo: per('wo'),
      rmsFfn: per('ffnNorm'),
      w1: per('w1'),
      w2: per('w2'),
      w3: per('w3'),
      rmsFinal: model.outputNorm,
      wcls: model.output,
    },
  };
}
