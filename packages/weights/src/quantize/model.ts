// Quantizing a whole model: plan each tensor's type (plan.ts), then produce a GGUF whose tensor data
// is computed one tensor at a time as the file is written, with a report per tensor (bytes before
// and after, RMSE against the source) and optional outlier side tables.

import {
  applyOutliers,
  dequantizeRows,
  errorMetrics,
  extractOutliers,
  ggmlType,
  type OutlierSelection,
  type OutlierTable,
  outlierTableBytes,
  quantizeRows,
} from '@explorables/quant';
import { ggmlTensorSizeBytes, ggmlTypeByName } from '../ggml-types.ts';
import type { GgufFile } from '../gguf-read.ts';
import type { GgufMetadataEntry } from '../gguf-types.ts';
import type { GgufStreamTensor, GgufWriteInput, GgufWriteTensor } from '../gguf-write.ts';
import {
  type FallbackRule,
  type FileTypeName,
  planQuantization,
  type QuantizePlan,
} from './plan.ts';

/** One tensor of a model to quantize: its shape, current type and a way to read its values. */
export interface SourceTensor {
  readonly name: string;
  /** GGUF dims, ne0 (the row width) first. */
  readonly dims: readonly number[];
  /** Current ggml type name ('f32', 'f16', 'q4_0', …). */
  readonly type: string;
  /** The stored bytes, copied unchanged when the tensor keeps its type. */
  readBytes(): Promise<Uint8Array>;
  /** The values as float32 (dequantized when the tensor is quantized). */
  readFloat32(): Promise<Float32Array>;
}

/** A model ready to be quantized: GGUF metadata, tensors, and the head counts the rules look at. */
export interface SourceModel {
  readonly metadata: readonly GgufMetadataEntry[];
  readonly tensors: readonly SourceTensor[];
  readonly nHeads: number;
  readonly nKvHeads: number;
}

function headCounts(metadata: readonly GgufMetadataEntry[]): { nHeads: number; nKvHeads: number } {
  const arch = metadata.find((e) => e.key === 'general.architecture')?.value;
  const prefix = arch?.type === 'string' ? arch.value : 'llama';
  const num = (key: string): number | undefined => {
    const v = metadata.find((e) => e.key === `${prefix}.${key}`)?.value;
    return v && typeof v.value === 'number' ? v.value : undefined;
  };
  const nHeads = num('attention.head_count') ?? 1;
  return { nHeads, nKvHeads: num('attention.head_count_kv') ?? nHeads };
}

/**
 * Wraps an in-memory GGUF description (such as llama2cToGguf's result) as a SourceModel.
 * @example sourceFromGgufInput(llama2cToGguf(checkpoint, tokenizer))
 */
export function sourceFromGgufInput(input: GgufWriteInput<GgufWriteTensor>): SourceModel {
  const tensors = input.tensors.map((t): SourceTensor => {
    const typeName = ggmlTypeNameOf(t.type);
    return {
      name: t.name,
      dims: t.dims,
      type: typeName,
      readBytes: async () => t.data,
      readFloat32: async () => decode(typeName, t.data, t.dims),
    };
  });
  return { metadata: input.metadata, tensors, ...headCounts(input.metadata) };
}

/**
 * Wraps a GGUF file as a SourceModel whose tensors are read (and dequantized) on demand.
 * @example sourceFromGguf(await readGguf(await fileSource('model.gguf')))
 */
export function sourceFromGguf(file: GgufFile): SourceModel {
  const tensors = file.tensors.map(
    (t): SourceTensor => ({
      name: t.name,
      dims: t.dims,
      type: t.typeName,
      readBytes: () => file.readTensorData(t),
      readFloat32: async () => decode(t.typeName, await file.readTensorData(t), t.dims),
    }),
  );
  return { metadata: file.metadata, tensors, ...headCounts(file.metadata) };
}

function ggmlTypeNameOf(id: number): string {
  return ggmlType(id).name;
}

function decode(typeName: string, bytes: Uint8Array, dims: readonly number[]): Float32Array {
  // Copy into an aligned buffer: GGUF data offsets are only 32-byte aligned within the file.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return dequantizeRows(ggmlType(typeName), aligned, dims[0]);
}

/** What happened to one tensor. */
export interface TensorReport {
  readonly name: string;
  readonly dims: readonly number[];
  readonly fromType: string;
  readonly toType: string;
  /** Why the type differs from the file type's base type (a mixture rule or a fallback). */
  readonly note?: string;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** RMSE of the dequantized result against the source values (0 for tensors copied as they are). */
  readonly rmse: number;
  /** With outliers: the RMSE the same type gives without the side table. */
  readonly rmseWithoutOutliers?: number;
  /** With outliers: how many values went to the side table, and its size in bytes. */
  readonly outliers?: number;
  readonly outlierBytes?: number;
}

/** Options of quantizeModel. */
export interface QuantizeModelOptions {
  readonly fileType: FileTypeName;
  readonly fallback?: FallbackRule;
  /** Every quantizable tensor gets the base type (no mixture rules), like llama-quantize --pure. */
  readonly pure?: boolean;
  /** Importance weights by tensor name, one per column (llama.cpp's imatrix). */
  readonly imatrix?: ReadonlyMap<string, Float32Array>;
  /** Take these outliers out of every quantized tensor into a side table kept in the metadata. */
  readonly outliers?: OutlierSelection;
  /** Called after each tensor is done, in file order. */
  readonly onTensor?: (report: TensorReport, index: number, total: number) => void;
}

/** The quantized model: what to write, the plan, and the reports (filled in as tensors are written). */
export interface QuantizedModel {
  readonly output: GgufWriteInput<GgufStreamTensor>;
  readonly plan: QuantizePlan;
  readonly reports: TensorReport[];
}

/** Metadata key prefix of the outlier side tables (llama.cpp ignores unknown keys). */
export const OUTLIER_KEY_PREFIX = 'explorables.outliers.';

/** The GGUF quantization format version llama-quantize records (GGML_QNT_VERSION). */
export const GGML_QNT_VERSION = 2;

function setU32(metadata: GgufMetadataEntry[], key: string, value: number): void {
  const entry = { key, value: { type: 'uint32' as const, value } };
  const at = metadata.findIndex((e) => e.key === key);
  if (at >= 0) metadata[at] = entry;
  else metadata.push(entry);
}

/**
 * Quantizes a model to a llama.cpp file type. Returns the GGUF to write (tensor data is computed
 * lazily, one tensor at a time, when the file is streamed with writeGgufChunks), the per-tensor
 * plan, and reports that fill in as tensors are produced. With `outliers`, the selection is done
 * in a first pass so the side tables can go into the metadata, which precedes the data.
 * @example const q = await quantizeModel(source, { fileType: 'Q4_0' });
 *   for await (const chunk of writeGgufChunks(q.output)) sink.write(chunk)
 */
export async function quantizeModel(
  source: SourceModel,
  options: QuantizeModelOptions,
): Promise<QuantizedModel> {
  const plan = planQuantization(
    source.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type })),
    options.fileType,
    { nHeads: source.nHeads, nKvHeads: source.nKvHeads },
    { fallback: options.fallback, pure: options.pure },
  );
  const byName = new Map(source.tensors.map((t) => [t.name, t]));
  const metadata = source.metadata.filter((e) => !e.key.startsWith(OUTLIER_KEY_PREFIX));
  setU32(metadata, 'general.quantization_version', GGML_QNT_VERSION);
  setU32(metadata, 'general.file_type', plan.fileTypeId);

  const tables = new Map<string, OutlierTable>();
  if (options.outliers) {
    for (const p of plan.tensors) {
      const t = byName.get(p.name);
      if (!t || !p.quantized || t.dims.length !== 2) continue;
      const values = await t.readFloat32();
      const { table } = extractOutliers(values, t.dims[1], t.dims[0], options.outliers);
      if (table.indices.length === 0) continue;
      tables.set(p.name, table);
      metadata.push(
        {
          key: `${OUTLIER_KEY_PREFIX}${p.name}.index`,
          value: { type: 'array', itemType: 'uint32', value: table.indices },
        },
        {
          key: `${OUTLIER_KEY_PREFIX}${p.name}.value`,
          value: { type: 'array', itemType: 'uint16', value: table.valuesFp16 },
        },
      );
    }
  }

  const reports: TensorReport[] = [];
  const total = plan.tensors.length;
  const tensors = plan.tensors.map((p, index): GgufStreamTensor => {
    const t = byName.get(p.name);
    if (!t) throw new Error(`internal: planned tensor ${p.name} is not in the source model`);
    const layout = ggmlTypeByName(p.type);
    if (!layout) throw new Error(`internal: no layout for ggml type ${p.type}`);
    const finish = (report: TensorReport) => {
      reports.push(report);
      options.onTensor?.(report, index, total);
    };
    const sizeBefore = ggmlTensorSizeBytes(ggmlTypeByName(t.type) ?? layout, t.dims);
    if (typeof sizeBefore === 'string') throw new Error(`tensor ${t.name}: ${sizeBefore}`);
    const bytesBefore = sizeBefore;
    return {
      name: p.name,
      type: layout.id,
      dims: t.dims,
      data: async () => {
        if (p.type === t.type) {
          const bytes = await t.readBytes();
          finish({
            name: p.name,
            dims: t.dims,
            fromType: t.type,
            toType: p.type,
            bytesBefore,
            bytesAfter: bytes.length,
            rmse: 0,
          });
          return bytes;
        }
        const values = await t.readFloat32();
        const type = ggmlType(p.type);
        const cols = t.dims[0];
        const imatrix = options.imatrix?.get(p.name);
        if (imatrix && imatrix.length !== cols) {
          throw new Error(
            `imatrix entry for ${p.name} has ${imatrix.length} values; expected ${cols} (one per column)`,
          );
        }
        const useImatrix = imatrix && type.usesImatrix ? imatrix : undefined;
        const table = tables.get(p.name);
        let bytes: Uint8Array;
        let report: TensorReport;
        if (table) {
          const residual = values.slice();
          for (const i of table.indices) residual[i] = 0;
          bytes = quantizeRows(type, residual, cols, useImatrix);
          const restored = applyOutliers(dequantizeRows(type, bytes, cols), table);
          const plain = dequantizeRows(type, quantizeRows(type, values, cols, useImatrix), cols);
          report = {
            name: p.name,
            dims: t.dims,
            fromType: t.type,
            toType: p.type,
            note: p.note,
            bytesBefore,
            bytesAfter: bytes.length,
            rmse: errorMetrics(values, restored).rmse,
            rmseWithoutOutliers: errorMetrics(values, plain).rmse,
            outliers: table.indices.length,
            outlierBytes: outlierTableBytes(table),
          };
        } else {
          bytes = quantizeRows(type, values, cols, useImatrix);
          const back = dequantizeRows(type, bytes, cols);
          report = {
            name: p.name,
            dims: t.dims,
            fromType: t.type,
            toType: p.type,
            note: p.note,
            bytesBefore,
            bytesAfter: bytes.length,
            rmse: errorMetrics(values, back).rmse,
          };
        }
        finish(report);
        return bytes;
      },
    };
  });
  return { output: { version: 3, metadata, tensors }, plan, reports };
}

/**
 * Reads the outlier side tables a quantized file carries in its metadata (written by quantizeModel),
 * by tensor name; `rows`/`cols` come from the tensor infos.
 * @example outlierTablesFromMetadata(file.metadata, (name) => file.tensor(name)?.dims)
 */
export function outlierTablesFromMetadata(
  metadata: readonly GgufMetadataEntry[],
  dimsOf: (tensor: string) => readonly number[] | undefined,
): Map<string, OutlierTable> {
  const tables = new Map<string, OutlierTable>();
  for (const entry of metadata) {
    if (!entry.key.startsWith(OUTLIER_KEY_PREFIX) || !entry.key.endsWith('.index')) continue;
    const tensor = entry.key.slice(OUTLIER_KEY_PREFIX.length, -'.index'.length);
    const values = metadata.find((e) => e.key === `${OUTLIER_KEY_PREFIX}${tensor}.value`)?.value;
    const dims = dimsOf(tensor);
    if (entry.value.type !== 'array' || entry.value.itemType !== 'uint32') continue;
    if (values?.type !== 'array' || values.itemType !== 'uint16' || !dims) continue;
    if (values.value.length !== entry.value.value.length) {
      throw new Error(
        `outlier table for ${tensor}: ${entry.value.value.length} indices but ${values.value.length} values`,
      );
    }
    const size = dims.reduce((a, b) => a * b, 1);
    for (const i of entry.value.value) {
      if (i >= size)
        throw new Error(`outlier table for ${tensor}: index ${i} is outside its ${size} values`);
    }
    tables.set(tensor, {
      rows: dims[1] ?? 1,
      cols: dims[0],
      indices: entry.value.value,
      valuesFp16: values.value,
    });
  }
  return tables;
}
