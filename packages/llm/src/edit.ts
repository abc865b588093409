// Single-weight edits for experiments ("zero this one weight and watch"): every edit returns a
// new ModelWeights that shares all arrays with the original except the one tensor it copies.

import type { LayerWeights, ModelWeights } from './model/weights.ts';

/** GGUF short names of the per-layer tensors that can be edited. */
export type LayerTensorName =
  | 'attn_norm'
  | 'attn_q'
  | 'attn_k'
  | 'attn_v'
  | 'attn_output'
  | 'ffn_norm'
  | 'ffn_gate'
  | 'ffn_down'
  | 'ffn_up';

const FIELD: Readonly<Record<LayerTensorName, keyof LayerWeights>> = {
  attn_norm: 'attnNorm',
  attn_q: 'wq',
  attn_k: 'wk',
  attn_v: 'wv',
  attn_output: 'wo',
  ffn_norm: 'ffnNorm',
  ffn_gate: 'w1',
  ffn_down: 'w2',
  ffn_up: 'w3',
};

/** One weight: layer, tensor (default 'ffn_down'), row (output index) and column (input index). */
export interface WeightCoord {
  layer: number;
  row: number;
  col: number;
  tensor?: LayerTensorName;
}

/**
 * [rows, cols] of a per-layer tensor ([out][in], row-major); norms are one row.
 * @example tensorShape(model, 'ffn_down') // [64, 172] for stories260K
 */
export function tensorShape(model: ModelWeights, tensor: LayerTensorName): [number, number] {
  const c = model.config;
  const q = c.nHeads * c.headSize;
  const kv = c.nKvHeads * c.headSize;
  switch (tensor) {
    case 'attn_norm':
    case 'ffn_norm':
      return [1, c.dim];
    case 'attn_q':
      return [q, c.dim];
    case 'attn_k':
    case 'attn_v':
      return [kv, c.dim];
    case 'attn_output':
      return [c.dim, q];
    case 'ffn_gate':
    case 'ffn_up':
      return [c.hiddenDim, c.dim];
    case 'ffn_down':
      return [c.dim, c.hiddenDim];
    default:
      throw new Error(
        `weight edit: tensor '${tensor}'; expected one of ${Object.keys(FIELD).join(', ')}`,
      );
  }
}

function locate(
  model: ModelWeights,
  coord: WeightCoord,
): { field: keyof LayerWeights; index: number } {
  const tensor = coord.tensor ?? 'ffn_down';
  const [rows, cols] = tensorShape(model, tensor);
  const { layer, row, col } = coord;
  const nLayers = model.layers.length;
  if (!Number.isInteger(layer) || layer < 0 || layer >= nLayers) {
    throw new Error(`weight edit: layer ${layer}; expected an integer in 0..${nLayers - 1}`);
  }
  if (!Number.isInteger(row) || row < 0 || row >= rows) {
    throw new Error(`weight edit: ${tensor} row ${row}; expected an integer in 0..${rows - 1}`);
  }
  if (!Number.isInteger(col) || col < 0 || col >= cols) {
    throw new Error(`weight edit: ${tensor} col ${col}; expected an integer in 0..${cols - 1}`);
  }
  return { field: FIELD[tensor], index: row * cols + col };
}

function replaceTensor(
  model: ModelWeights,
  layer: number,
  field: keyof LayerWeights,
  array: Float32Array,
): ModelWeights {
  const layers = model.layers.slice();
  layers[layer] = { ...layers[layer], [field]: array };
  return { ...model, layers };
}

/**
 * Reads one weight.
 * @example weightAt(model, { layer: 1, row: 30, col: 97 }) // a value of blk.1.ffn_down
 */
export function weightAt(model: ModelWeights, coord: WeightCoord): number {
  const { field, index } = locate(model, coord);
  return model.layers[coord.layer][field][index];
}

/**
 * A new model equal to `model` except that one weight holds `value` (rounded to float32); only
 * that tensor is copied, every other array is shared. The original is not changed.
 * @example const edited = withWeight(model, { layer: 1, row: 30, col: 97 }, 2.5)
 */
export function withWeight(model: ModelWeights, coord: WeightCoord, value: number): ModelWeights {
  if (!Number.isFinite(value)) {
    throw new Error(`withWeight: value ${value}; expected a finite number`);
  }
  const { field, index } = locate(model, coord);
  const copy = model.layers[coord.layer][field].slice();
  copy[index] = value;
  return replaceTensor(model, coord.layer, field, copy);
}

/**
 * A new model with one weight set to 0 (the super-weight ablation); shares all other arrays.
 * @example const broken = zeroWeight(model, { layer: 1, row: 30, col: 97 })
 */
export function zeroWeight(model: ModelWeights, coord: WeightCoord): ModelWeights {
  return withWeight(model, coord, 0);
}

/**
 * Undoes an edit: a model equal to `edited` whose tensor at `coord` is `original`'s array again
 * (shared, not copied), so edits of other tensors are kept. Both must have the same shape.
 * @example restoreWeight(zeroWeight(model, coord), model, coord) // ffn_down shared again
 */
export function restoreWeight(
  edited: ModelWeights,
  original: ModelWeights,
  coord: WeightCoord,
): ModelWeights {
  const { field } = locate(edited, coord);
  const source = original.layers[coord.layer]?.[field];
  if (source === undefined || source.length !== edited.layers[coord.layer][field].length) {
    throw new Error(
      `restoreWeight: the original model has no ${coord.tensor ?? 'ffn_down'} of the same size ` +
        `in layer ${coord.layer}`,
    );
  }
  return replaceTensor(edited, coord.layer, field, source);
}
