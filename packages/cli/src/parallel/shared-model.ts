// A model's float32 tensors packed into one SharedArrayBuffer, so every worker of a pool reads
// the same weights without a copy per worker (the structured clone of a typed array would copy
// its whole underlying buffer).

import type { LayerWeights, ModelConfig, ModelWeights } from '@explorables/llm';

/** Where each tensor sits in the shared buffer: [offset, length] in floats. */
type Span = readonly [number, number];

/** A model as a worker receives it: the config, the shared floats and the tensor spans. */
export interface SharedModel {
  config: ModelConfig;
  floats: SharedArrayBuffer;
  tokenEmbedding: Span;
  outputNorm: Span;
  /** The classifier's span; equal to tokenEmbedding's when the model ties them. */
  output: Span;
  layers: Array<Record<keyof LayerWeights, Span>>;
}

const LAYER_KEYS: ReadonlyArray<keyof LayerWeights> = [
  'attnNorm',
  'wq',
  'wk',
  'wv',
  'wo',
  'ffnNorm',
  'w1',
  'w2',
  'w3',
];

/**
 * Copies every tensor of a model into one SharedArrayBuffer (a tied classifier is stored once).
 * @example const shared = shareModel(model); new Worker(url, { workerData: shared })
 */
export function shareModel(model: ModelWeights): SharedModel {
  const tensors: Float32Array[] = [model.tokenEmbedding, model.outputNorm];
  const tied = model.output === model.tokenEmbedding;
  if (!tied) tensors.push(model.output);
  for (const layer of model.layers) for (const key of LAYER_KEYS) tensors.push(layer[key]);
  let total = 0;
  for (const t of tensors) total += t.length;
  const floats = new SharedArrayBuffer(total * 4);
  const view = new Float32Array(floats);
  let at = 0;
  const put = (t: Float32Array): Span => {
    view.set(t, at);
    at += t.length;
    return [at - t.length, t.length];
  };
  const tokenEmbedding = put(model.tokenEmbedding);
  const outputNorm = put(model.outputNorm);
  const output = tied ? tokenEmbedding : put(model.output);
  const layers = model.layers.map((layer) => {
    const spans = {} as Record<keyof LayerWeights, Span>;
    for (const key of LAYER_KEYS) spans[key] = put(layer[key]);
    return spans;
  });
  return { config: model.config, floats, tokenEmbedding, outputNorm, output, layers };
}

/**
 * The model weights of a SharedModel as Float32Array views on its shared buffer (no copy).
 * @example const model = unshareModel(workerData)
 */
export function unshareModel(shared: SharedModel): ModelWeights {
  const view = ([offset, length]: Span) => new Float32Array(shared.floats, offset * 4, length);
  const tokenEmbedding = view(shared.tokenEmbedding);
  const tied = shared.output[0] === shared.tokenEmbedding[0];
  return {
    config: shared.config,
    tokenEmbedding,
    outputNorm: view(shared.outputNorm),
    output: tied ? tokenEmbedding : view(shared.output),
    layers: shared.layers.map((spans) => {
      const layer = {} as LayerWeights;
      for (const key of LAYER_KEYS) layer[key] = view(spans[key]);
      return layer;
    }),
  };
}
