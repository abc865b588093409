// Quantized evaluation without writing a file: each chosen weight matrix is replaced by
// dequantize(quantize(w)) with ggml's exact block formats, so the float32 engine runs the weights a
// quantized llama.cpp model holds (not its integer kernels: activations stay float32).

import {
  applyOutliers,
  dequantizeRows,
  errorMetrics,
  extractOutliers,
  ggmlType,
  type OutlierSelection,
  outlierTableBytes,
  quantizeRows,
} from '@explorables/quant';
import {
  type FallbackRule,
  type FileTypeName,
  type PlannedTensor,
  parseFileType,
  planQuantization,
} from '@explorables/weights';
import { ggufLayerNames, type LayerWeights, type ModelWeights } from './model/weights.ts';

/**
 * How to treat a classifier tied to the embedding: 'duplicate' quantizes token_embd.weight and
 * output.weight as two tensors (llama.cpp's llama2.c converter writes both, and llama-quantize
 * then gives them different types); 'shared' keeps one tensor, named token_embd.weight, as a GGUF
 * without output.weight does.
 */
export type TiedOutput = 'duplicate' | 'shared';

/** Options shared by quantizeWeights and quantizeWeightsLikeFileType. */
export interface QuantizeWeightsCommon {
  /** Importance weights by GGUF tensor name, one per column (types that use them). */
  imatrix?: ReadonlyMap<string, Float32Array>;
  /** Hold these elements out of every quantized tensor in an fp16 side table, restored after. */
  outliers?: OutlierSelection;
  /** See TiedOutput; default 'duplicate'. */
  tiedOutput?: TiedOutput;
}

/** Options of quantizeWeights. */
export interface QuantizeWeightsOptions extends QuantizeWeightsCommon {
  /** ggml type name ('q4_0', 'Q4_K', 'iq4_nl', 'f16', …; any case). */
  type: string;
  /** GGUF names of the tensors to quantize, or 'all' (default): every 2-D weight. */
  tensors?: 'all' | readonly string[];
}

/** Options of quantizeWeightsLikeFileType. */
export interface QuantizeLikeFileTypeOptions extends QuantizeWeightsCommon {
  /** Fallback rule for rows that do not fit a block (default 'llama.cpp-2025'). */
  fallback?: FallbackRule;
  /** Every quantizable tensor gets the base type, like llama-quantize --pure. */
  pure?: boolean;
}

/** What happened to one tensor. */
export interface QuantizedTensorReport {
  /** GGUF name. */
  name: string;
  /** ggml type the tensor now holds (after any fallback); 'f32' when untouched. */
  type: string;
  /** The type that was asked for, when a rule or fallback changed it. */
  requestedType?: string;
  /** Why the type differs from the one asked for (planner note). */
  note?: string;
  /** Rows × columns (out × in). */
  rows: number;
  cols: number;
  /** RMSE of the dequantized values against the originals. */
  rmse: number;
  /** Bytes of the quantized data (without the outlier table). */
  bytes: number;
  /** Bytes as float32. */
  bytesF32: number;
  /** Elements held out in the side table (0 without outliers). */
  outliers: number;
  /** Bytes of the side table. */
  outlierBytes: number;
}

/** The result of quantizeWeights / quantizeWeightsLikeFileType. */
export interface QuantizedWeights {
  /** A new model: changed tensors are fresh arrays, the others are shared with the input. */
  model: ModelWeights;
  /** One entry per 2-D weight tensor considered, in llama.cpp's tensor order. */
  report: QuantizedTensorReport[];
  /** Total bytes of every tensor as stored (quantized data, side tables and float32 norms). */
  sizeBytes: number;
}

interface NamedTensor {
  name: string;
  values: Float32Array;
  rows: number;
  cols: number;
}

/**
 * The model's tensors under their GGUF names with [rows][cols] shapes (1-D norms have rows 1).
 * @example modelTensors(model, 'duplicate').map((t) => t.name)
 */
export function modelTensors(
  model: ModelWeights,
  tiedOutput: TiedOutput = 'duplicate',
): NamedTensor[] {
  const c = model.config;
  const qDim = c.nHeads * c.headSize;
  const kvDim = c.nKvHeads * c.headSize;
  const out: NamedTensor[] = [
    { name: 'token_embd.weight', values: model.tokenEmbedding, rows: c.vocabSize, cols: c.dim },
    { name: 'output_norm.weight', values: model.outputNorm, rows: 1, cols: c.dim },
  ];
  if (model.output !== model.tokenEmbedding || tiedOutput === 'duplicate') {
    out.push({ name: 'output.weight', values: model.output, rows: c.vocabSize, cols: c.dim });
  }
  const shapes: Record<keyof LayerWeights, [number, number]> = {
    attnNorm: [1, c.dim],
    wq: [qDim, c.dim],
    wk: [kvDim, c.dim],
    wv: [kvDim, c.dim],
    wo: [c.dim, qDim],
    ffnNorm: [1, c.dim],
    w1: [c.hiddenDim, c.dim],
    w2: [c.dim, c.hiddenDim],
    w3: [c.hiddenDim, c.dim],
  };
  model.layers.forEach((layer, l) => {
    const names = ggufLayerNames(l);
    for (const key of Object.keys(shapes) as (keyof LayerWeights)[]) {
      const [rows, cols] = shapes[key];
      out.push({ name: names[key], values: layer[key], rows, cols });
    }
  });
  return out;
}

const FILE_TYPE_OF_GGML: Readonly<Record<string, FileTypeName>> = {
  f32: 'F32',
  f16: 'F16',
  bf16: 'BF16',
  q8_0: 'Q8_0',
  q4_0: 'Q4_0',
  q4_1: 'Q4_1',
  q5_0: 'Q5_0',
  q5_1: 'Q5_1',
  q2_k: 'Q2_K',
  q3_k: 'Q3_K_M',
  q4_k: 'Q4_K_M',
  q5_k: 'Q5_K_M',
  q6_k: 'Q6_K',
  iq4_nl: 'IQ4_NL',
  mxfp4: 'MXFP4',
};

/**
 * Replaces the chosen 2-D weights by dequantize(quantize(w)) in ggml type `type` (every one by
 * default, token_embd and output included). Rows that do not fit the type's block take the same
 * fallback as llama-quantize's plan (K-quants → a 32-block type, then F16), named in the report.
 * @example const { model: q4 } = quantizeWeights(model, { type: 'q4_0' })
 */
export function quantizeWeights(
  model: ModelWeights,
  options: QuantizeWeightsOptions,
): QuantizedWeights {
  const typeName = ggmlType(options.type).name;
  const fileType = FILE_TYPE_OF_GGML[typeName.toLowerCase()];
  if (fileType === undefined) {
    throw new Error(`quantizeWeights: no plan for ggml type ${typeName}`);
  }
  const tensors = modelTensors(model, options.tiedOutput);
  const selected = options.tensors ?? 'all';
  if (selected !== 'all') {
    const known = new Set(tensors.filter((t) => t.rows > 1).map((t) => t.name));
    for (const name of selected) {
      if (!known.has(name)) {
        throw new Error(
          `quantizeWeights: no 2-D weight named ${name}; expected one of ${[...known].join(', ')}`,
        );
      }
    }
  }
  const chosen = selected === 'all' ? undefined : new Set(selected);
  const plan = plan2(tensors, fileType, model, { pure: true }).map((p) =>
    chosen === undefined || chosen.has(p.name) || !p.quantized
      ? p
      : { name: p.name, type: 'f32', quantized: false },
  );
  return apply(model, tensors, plan, options);
}

/**
 * Quantizes the model's weights the way `llama-quantize MODEL OUT <fileType>` would (mixture rules,
 * fallbacks, output matrix rule; see planQuantization) and returns the float32 model holding
 * exactly the dequantized weights of that file.
 * @example const { model: q4km, report } = quantizeWeightsLikeFileType(model, 'Q4_K_M')
 */
export function quantizeWeightsLikeFileType(
  model: ModelWeights,
  fileType: string,
  options: QuantizeLikeFileTypeOptions = {},
): QuantizedWeights {
  const ft = parseFileType(fileType);
  const tensors = modelTensors(model, options.tiedOutput);
  const plan = plan2(tensors, ft, model, { fallback: options.fallback, pure: options.pure });
  return apply(model, tensors, plan, options);
}

function plan2(
  tensors: NamedTensor[],
  fileType: FileTypeName,
  model: ModelWeights,
  options: { fallback?: FallbackRule; pure?: boolean },
): readonly PlannedTensor[] {
  return planQuantization(
    tensors.map((t) => ({
      name: t.name,
      dims: t.rows === 1 ? [t.cols] : [t.cols, t.rows],
      type: 'f32',
    })),
    fileType,
    { nHeads: model.config.nHeads, nKvHeads: model.config.nKvHeads },
    options,
  ).tensors;
}

function apply(
  model: ModelWeights,
  tensors: NamedTensor[],
  plan: readonly PlannedTensor[],
  options: QuantizeWeightsCommon,
): QuantizedWeights {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const result = new Map<string, Float32Array>();
  const report: QuantizedTensorReport[] = [];
  let sizeBytes = 0;
  for (const p of plan) {
    const t = byName.get(p.name);
    if (t === undefined) throw new Error(`internal: planned tensor ${p.name} is not in the model`);
    if (!p.quantized || p.type === 'f32') {
      sizeBytes += 4 * t.values.length;
      if (t.rows > 1) {
        report.push({
          name: t.name,
          type: 'f32',
          rows: t.rows,
          cols: t.cols,
          rmse: 0,
          bytes: 4 * t.values.length,
          bytesF32: 4 * t.values.length,
          outliers: 0,
          outlierBytes: 0,
        });
      }
      continue;
    }
    const type = ggmlType(p.type);
    const imatrix = options.imatrix?.get(t.name);
    if (imatrix !== undefined && imatrix.length !== t.cols) {
      throw new Error(
        `imatrix entry for ${t.name} has ${imatrix.length} values; expected ${t.cols} (one per column)`,
      );
    }
    const useImatrix = imatrix !== undefined && type.usesImatrix ? imatrix : undefined;
    let back: Float32Array;
    let bytes: number;
    let outliers = 0;
    let outlierBytes = 0;
    if (options.outliers !== undefined) {
      const { table, residual } = extractOutliers(t.values, t.rows, t.cols, options.outliers);
      const q = quantizeRows(type, residual, t.cols, useImatrix);
      back = applyOutliers(dequantizeRows(type, q, t.cols), table);
      bytes = q.length;
      outliers = table.indices.length;
      outlierBytes = outliers > 0 ? outlierTableBytes(table) : 0;
    } else {
      const q = quantizeRows(type, t.values, t.cols, useImatrix);
      back = dequantizeRows(type, q, t.cols);
      bytes = q.length;
    }
    result.set(t.name, back);
    sizeBytes += bytes + outlierBytes;
    report.push({
      name: t.name,
      type: p.type,
      ...(p.requested !== undefined ? { requestedType: p.requested } : {}),
      ...(p.note !== undefined ? { note: p.note } : {}),
      rows: t.rows,
      cols: t.cols,
      rmse: errorMetrics(t.values, back).rmse,
      bytes,
      bytesF32: 4 * t.values.length,
      outliers,
      outlierBytes,
    });
  }
  const get = (name: string, original: Float32Array) => result.get(name) ?? original;
  const tokenEmbedding = get('token_embd.weight', model.tokenEmbedding);
  const output = byName.has('output.weight') ? get('output.weight', model.output) : tokenEmbedding;
  const layers = model.layers.map((layer, l): LayerWeights => {
    const n = ggufLayerNames(l);
    return {
      attnNorm: layer.attnNorm,
      wq: get(n.wq, layer.wq),
      wk: get(n.wk, layer.wk),
      wv: get(n.wv, layer.wv),
      wo: get(n.wo, layer.wo),
      ffnNorm: layer.ffnNorm,
      w1: get(n.w1, layer.w1),
      w2: get(n.w2, layer.w2),
      w3: get(n.w3, layer.w3),
    };
  });
  return {
    model: { config: model.config, tokenEmbedding, layers, outputNorm: model.outputNorm, output },
    report,
    sizeBytes,
  };
}
