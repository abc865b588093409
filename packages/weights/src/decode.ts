import { fp16ToFp32 } from '@explorables/quant';
import { HOST_IS_LITTLE_ENDIAN } from './endian.ts';
import { GGML_TYPE_ID, ggmlTypeById } from './ggml-types.ts';
import type { GgufTensorInfo } from './gguf-read.ts';
import type { SafetensorsTensorInfo } from './safetensors.ts';

/** The part of a tensor info tensorToFloat32 needs: a ggml type id (GGUF) or a dtype name. */
export type DecodableTensorInfo =
  | Pick<GgufTensorInfo, 'name' | 'type' | 'elementCount'>
  | Pick<SafetensorsTensorInfo, 'name' | 'dtype' | 'elementCount'>;

type Plain = 'f32' | 'f16' | 'bf16';

function plainKind(info: DecodableTensorInfo): Plain | string {
  if ('dtype' in info) {
    if (info.dtype === 'F32') return 'f32';
    if (info.dtype === 'F16') return 'f16';
    if (info.dtype === 'BF16') return 'bf16';
    return `dtype ${info.dtype}`;
  }
  if (info.type === GGML_TYPE_ID.f32) return 'f32';
  if (info.type === GGML_TYPE_ID.f16) return 'f16';
  if (info.type === GGML_TYPE_ID.bf16) return 'bf16';
  return `ggml type ${ggmlTypeById(info.type)?.name ?? info.type}`;
}

/**
 * Decodes an F32, F16 or BF16 tensor's little-endian bytes into a new Float32Array holding the
 * exact values (F16 through fp16ToFp32, BF16 by placing its bits in the top half of a float32;
 * NaN bit patterns are kept). Other types throw: quantized ggml types decode through the quant
 * registry.
 * @example tensorToFloat32(file.tensor('output_norm.weight')!, await file.readTensorData(name))
 */
export function tensorToFloat32(info: DecodableTensorInfo, bytes: Uint8Array): Float32Array {
  const kind = plainKind(info);
  const itemBytes = kind === 'f32' ? 4 : 2;
  if (kind !== 'f32' && kind !== 'f16' && kind !== 'bf16') {
    throw new Error(
      `tensorToFloat32: tensor "${info.name}" has ${kind}: expected F32, F16 or BF16 ` +
        '(decode quantized types with the quant registry)',
    );
  }
  if (bytes.length !== info.elementCount * itemBytes) {
    throw new Error(
      `tensorToFloat32: tensor "${info.name}" got ${bytes.length} bytes: expected ` +
        `${info.elementCount * itemBytes} (${info.elementCount} ${kind} elements)`,
    );
  }
  const n = info.elementCount;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  if (kind === 'f32') {
    if (HOST_IS_LITTLE_ENDIAN) {
      new Uint8Array(out.buffer).set(bytes);
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < n; i++) bits[i] = view.getUint32(i * 4, true);
    }
    return out;
  }
  if (kind === 'bf16') {
    for (let i = 0; i < n; i++) bits[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
      bits[i] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
    } else {
      out[i] = fp16ToFp32(h);
    }
  }
  return out;
}
